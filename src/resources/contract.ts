// The pure half of a resource kind: everything about a kind that validation, the planner's
// ordering, the daemon's event routing and export need, without libvirt. Each kind folder
// exports one KindDefinition from its contract.ts; src/resources/definitions.ts lists them.
// manifests/ and reconciler/ reach a kind's rules only through this interface, so they name no
// kind themselves, and a new kind is one folder plus one line in the definitions and the registry.
//
// Documents are read defensively (`unknown`): validation asks for identities and references of
// documents that failed their schema too, so a user sees every problem in one run.
import type { Includer } from '../manifests/includes.js';
import type { AnyManifest, DesiredState, IdentityKey, SourceLocation } from '../manifests/types.js';
import type { FieldPath } from '../manifests/paths.js';
import type { JsonSchema, Schema } from '../manifests/schema/dsl.js';
import type { XmlElement } from './xml.js';

/** The fields every manifest has, whatever its kind. */
export interface KindDocument {
  kind: string;
  metadata: { name: string };
  spec?: unknown;
}

/**
 * One reference a document makes to another object.
 * - `required`: the object must be declared by a manifest (validation says so otherwise), and
 *   the referring object waits for it.
 * - `if-declared`: the object may just as well be the host's own (a NIC or bridge no manifest
 *   declares); it orders changes only when a manifest declares it, and is never reported missing.
 */
export interface KindReference {
  path: FieldPath;
  key: IdentityKey;
  need: 'required' | 'if-declared';
  /** A Secret reference where libvirt looks the secret up by a usage of this type; what needs it. */
  secretUsage?: { type: 'volume' | 'ceph' | 'iscsi'; for: string };
}

/** A problem inside one document, at a field path relative to the document. */
export interface CheckIssue {
  path: FieldPath;
  message: string;
  anchor?: 'value' | 'key';
  /** A finding libvirt accepts but that deserves a look: printed, never makes the manifest invalid. */
  warning?: true;
}

/** A valid document taking part in the checks across documents. */
export interface Candidate<M extends KindDocument = KindDocument> {
  manifest: M;
  /** Position of a field in this manifest's document. */
  locate(path: FieldPath, anchor?: 'value' | 'key'): SourceLocation;
}

export interface CrossIssue {
  candidate: Pick<Candidate, 'locate'>;
  path: FieldPath;
  message: string;
  anchor?: 'value' | 'key';
}

export interface CrossFindings {
  errors: CrossIssue[];
  /** What may work but deserves a look; never blocks. */
  warnings: CrossIssue[];
}

/** What the cross-document check of a kind gets: its own valid documents and every declared one by key. */
export interface CrossScope<M extends KindDocument> {
  mine: ReadonlyArray<Candidate<M>>;
  byKey: ReadonlyMap<IdentityKey, Candidate>;
}

/** A live object as the ordering needs it: its kind, name and spec read back from libvirt. */
export interface LiveView {
  kind: string;
  name: string;
  spec: unknown;
}

/** How a kind's objects are written by `virtkeeper export`. */
export interface ExportNaming {
  /** File name prefix: "storage-volume" in storage-volume-images-root.yaml. */
  filePrefix: string;
  /** The part of the file name after the prefix (before sanitising); default: the object's name. */
  fileStem?(object: LiveView): string;
  /**
   * The host's own hardware (its NICs, its PCI devices): exported only when asked for, since a
   * manifest of them, once deleted, would have prune undefine the host's NIC.
   */
  hostHardware?: true;
  /** Set when no manifest can be written for this kind, and why (kept for the docs and tests). */
  notExported?: string;
  /**
   * What the manifest's `xml.merge` never carries when export puts there the part of the live
   * document the friendly fields do not reproduce (src/export/residual.ts); absent: the kind's
   * export writes no merge.
   */
  residual?: ResidualRules;
}

/** How export carries a kind's live document in `xml.merge`: what it leaves out, and how it compares. */
export interface ResidualRules {
  /**
   * Top-level elements never carried: identity (name, uuid) and what libvirt reports about
   * the object's state rather than its configuration (a pool's capacity), which would show as
   * drift at the next plan.
   */
  skip: ReadonlySet<string>;
  /** Paths below the root ("target/timestamps") removed from what is carried, for the same reason. */
  strip?: readonly string[];
  /** The root has a <devices> list whose children are merged one by one (Domain). */
  devices?: boolean;
  /**
   * The document may hold virtkeeper's ownership mark in <metadata> (domains): left out of both
   * sides, since apply writes it itself. A flag rather than a function, so the contract, which
   * validation loads, need not load the XML code that removes it.
   */
  ownershipMark?: true;
  /** Root attributes that report state, not configuration (a network's `connections`). */
  skipAttrs?: ReadonlySet<string>;
  /**
   * Two spellings libvirt takes as one (netmask="255.255.255.0" is prefix="24"): the attributes
   * of an element as compared, never as carried.
   */
  sameAs?: (element: XmlElement) => Record<string, string>;
}

/** libvirt lifecycle events about a kind's objects, and which queue keys they concern. */
export interface KindEvents {
  /** The lifecycle event source (src/libvirt/events.ts LifecycleKind): "domain", "storagePool", ... */
  source: string;
  /**
   * Keys to reconcile for an event about libvirt object `name`; the caller keeps only managed ones.
   * Default: the key of the object so named.
   */
  keys?(name: string, desired: DesiredState | null, managed: ReadonlySet<IdentityKey>): IdentityKey[];
  /** Whether the daemon's own changes to this kind are recognised as echoes (their events are expected). */
  echoes?: true;
}

/** What a kind needs to expand a document into the manifests it stands for. */
export interface ExpandScope {
  /** The manifest's file, relative to the root; files it names are read relative to it. */
  file: string;
  include: Includer;
  /** Reports an error at a path of the document being expanded. */
  report(path: FieldPath, message: string): void;
}

/** One manifest a document stands for; `declaredAt` is where in the document errors about it point (default: the document). */
export interface ExpandedManifest {
  manifest: AnyManifest;
  declaredAt?: FieldPath;
}

/** A kind's JSON Schema: the spec fragment its schema.ts builds, which manifests/schema/kinds.ts wraps in the envelope. */
export interface KindSchema<S> {
  /** File under schemas/ the kind's schema is written to ("domain.schema.json"). */
  file: string;
  /** The spec's schema; its Static<> type is the spec type the kind's code programs against. */
  spec: Schema<S>;
  /** metadata.name's schema, where the kind's names are not libvirt's usual safe names (Interface). */
  name?: JsonSchema;
}

/**
 * The pure half of a kind. M is the kind's manifest type (`Manifest<'Secret', SecretSpec>`): the
 * kind literal and the spec type the list in definitions.ts derives ManifestKind and AnyManifest from.
 */
export interface KindDefinition<M extends KindDocument = KindDocument> {
  readonly kind: M['kind'];
  readonly schema: KindSchema<M['spec']>;
  /**
   * The part of the identity key after the kind ("web-1"; volumes "pool/name", as a volume name is
   * unique only within its pool), or undefined when the document does not say. Live objects carry
   * theirs; every key is built from it by manifests/identity.ts kindKey.
   */
  keyName(document: unknown): string | undefined;
  /**
   * Every reference a document makes, with its field path: the one function validation ("refers
   * to X, which no manifest declares"), the planner's create order, the daemon's dependency waits
   * and `--target` all use. `desired` lets a kind resolve references that only a declared object
   * can answer (an inline hostdev address a NodeDevice manifest detaches); without it they are left out.
   */
  references(document: unknown, desired?: DesiredState): KindReference[];
  /**
   * Keys a live object refers to as it exists on the host now, for delete order; may name live
   * keys (`NodeDevice/pci_0000_06_00_0`), which the planner maps to the changes acting on them.
   * Default: the keys of references() of the live spec.
   */
  liveReferences?(object: LiveView): IdentityKey[];
  /** Rules a JSON Schema cannot express, on one document that passed its schema. */
  check?(manifest: M): CheckIssue[];
  /** Conflicts only visible with all documents at hand (a MAC two domains share). */
  checkAcross?(scope: CrossScope<M>): CrossFindings;
  /**
   * Why this object cannot be referred to the way `ref` does (a Secret without the usage libvirt
   * looks it up by), or undefined when it can.
   */
  referenceProblem?(manifest: M, ref: KindReference): string | undefined;
  /**
   * The manifests a valid document stands for when it is more than itself (a Domain with
   * cloud-init: the domain with its seed cdrom, and the seed volume); undefined when it could
   * not be expanded (reported through the scope). Absent, or returning [], the document stands for itself.
   */
  expand?(manifest: M, scope: ExpandScope): ExpandedManifest[] | undefined;
  /** Root element of the kind's libvirt XML, where a spec.xml.merge overlay is checked; absent: no overlay. */
  xmlRoot?: string;
  events?: KindEvents;
  export: ExportNaming;
  /** Its plans depend on the host's interface backend (see reconciler/host-facts.ts). */
  needsInterfaceBackend?: true;
}

/** The references of a document that order changes: required ones, and optional ones a manifest declares. */
export function dependencyKeys(definition: Pick<KindDefinition, 'references'>, document: unknown, desired?: DesiredState): IdentityKey[] {
  const keys = new Set<IdentityKey>();
  for (const ref of definition.references(document, desired)) {
    if (ref.need === 'required' || desired?.byKey.has(ref.key)) keys.add(ref.key);
  }
  return [...keys].sort();
}

/** Keys a live object refers to now: the kind's own reading, else every reference of its spec. */
export function liveReferenceKeys(definition: Pick<KindDefinition, 'references' | 'liveReferences'>, object: LiveView): IdentityKey[] {
  try {
    if (definition.liveReferences) return definition.liveReferences(object);
    const document = { kind: object.kind, metadata: { name: object.name }, spec: object.spec };
    return [...new Set(definition.references(document).map((r) => r.key))].sort();
  } catch {
    // A live object the kind cannot fully read back has no references we can know of.
    return [];
  }
}

// ------------------------------------------------------------------ defensive reading

export function field(v: unknown, key: string): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
}

export function text(v: unknown, key: string): string | undefined {
  const f = field(v, key);
  return typeof f === 'string' ? f : undefined;
}

export function list(v: unknown, key: string): unknown[] {
  const f = field(v, key);
  return Array.isArray(f) ? f : [];
}

/** metadata.name of a document, when it is a string. */
export function documentName(document: unknown): string | undefined {
  return text(field(document, 'metadata'), 'name');
}
