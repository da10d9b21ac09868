// The contract between resource kinds and the reconciler. The reconciler (planner, executor,
// daemon) knows nothing of a kind's fields: it asks the kind to read live objects, to diff and
// plan one object, and to execute the steps it planned.
import type { LibvirtClient } from '../libvirt/client.js';
import type { KindDefinition } from './contract.js';
import type { DeviceHostUse } from './node-device/host-use.js';
import type { SeedImageSource } from './storage-volume/schema.js';
import type { DesiredState, IdentityKey, LoadedManifest, ManifestKind, ManifestOfKind, SpecOfKind } from '../manifests/types.js';

/**
 * How a field change reaches the host:
 * - live: applied to the running/active object without interruption (autostart, DHCP host via network update, volume resize);
 * - redefine: new persistent config; takes effect at the next start (restart required if the object is active);
 * - replace: destroy and recreate (refused without the allow-replace annotation where data would be lost).
 */
export type ChangeClass = 'live' | 'redefine' | 'replace';

/** One field that differs. Paths use the manifest's notation: "spec.memory", "spec.disks[0].bus". */
export interface FieldChange {
  path: string;
  /** Live value in manifest notation (undefined: absent on the host). */
  before?: unknown;
  /** Desired value in manifest notation (undefined: removed). */
  after?: unknown;
  class: ChangeClass;
  /** Why a change that could have been live is not (e.g. "more than the running maximum 512MiB"). */
  reason?: string;
}

/** One field whose running value is not the defined one. Values in manifest notation. */
export interface PendingRestart {
  path: string;
  running: unknown;
  defined: unknown;
}

export type ActionType = 'no-op' | 'create' | 'update' | 'replace' | 'delete';

/**
 * One libvirt-level operation, planned purely and executed later by the same kind.
 * `op` names the operation ("define", "start", "setAutostart", "resize", "networkUpdate", ...);
 * the payload carries everything execute() needs (e.g. the XML to define), so a printed plan is
 * exactly what apply will do. Each kind declares the steps it plans as a union of StepOf (its
 * steps.ts); `P` undefined: the op needs nothing but the change it belongs to.
 */
export type StepOf<Op extends string, P extends object | undefined = undefined> = undefined extends P
  ? { op: Op /** Human summary, e.g. "define domain web-1". */; description: string /** JSON-serialisable. */; payload?: P }
  : { op: Op; description: string; payload: P };

/**
 * The steps each kind plans and executes, by kind. Empty here: each kind's steps.ts adds its own
 * entry (declaration merging), so this module names no kind; StepOfKind does not compile for a
 * listed kind whose steps.ts forgot it.
 */
// biome-ignore lint/suspicious/noEmptyInterface: declaration merging fills it (each kind's steps.ts); a type alias could not be merged into.
export interface KindSteps {}

export type StepOfKind<K extends ManifestKind> = KindSteps[K];

/** A step of any kind (renderers, the executor's events). */
export type Step = StepOfKind<ManifestKind>;

/** The live view of one libvirt object, read through a read-only connection. */
export interface LiveResource<K extends ManifestKind = ManifestKind> {
  key: IdentityKey;
  kind: K;
  name: string;
  /** Persistent (inactive) XML exactly as libvirt returned it; undefined for objects without XML we own (none today). */
  xml?: string;
  /** The live object expressed as a manifest spec (XML → spec plus runtime facts: state, autostart, detached). */
  spec: SpecOfKind<K>;
  /** Runtime: active/running (domains: running or paused), for restart-required decisions. */
  active: boolean;
  /**
   * The running configuration (live XML read back as a spec) of an active object, for kinds
   * whose running instance can differ from the persistent config (domains). Compared with the
   * manifest too, so a change written to the config but not yet running shows as restart pending.
   */
  running?: SpecOfKind<K>;
  /** False for transient objects (no persistent config). */
  persistent: boolean;
  /** Carries virtkeeper's ownership mark in its own XML (domains: <metadata>); inventory covers the rest. */
  markedOwned: boolean;
  /** PCI node devices: how the host itself uses the device (network interfaces, disks, IOMMU group), read with it. */
  hostUse?: DeviceHostUse;
}

/** What a kind needs while planning: other desired objects (to resolve references) and other live ones. */
export interface PlanContext {
  desired: DesiredState;
  live: ReadonlyMap<IdentityKey, LiveResource>;
  /** What the host can do, where a kind's plan depends on it; absent: not known. */
  host?: HostFacts;
  /** Files of the cloud-init seeds virtkeeper wrote, by volume key (the state store's record). */
  seeds?: ReadonlyMap<IdentityKey, { files: SeedImageSource['files'] }>;
  /** What was found about each desired Secret's value (never the value), by manifest key. */
  secretValues?: ReadonlyMap<IdentityKey, SecretValueState>;
  /**
   * Recorded volumes that an earlier cloud-init seed of a still-declared domain left behind and
   * virtkeeper created (the planner decides: it knows each record's origin). Their delete needs
   * no annotation: they hold nothing but a rendering of the manifests.
   */
  supersededSeeds?: ReadonlySet<IdentityKey>;
}

/** A Secret's value compared with the digest recorded when virtkeeper last set it. */
export type SecretValueState =
  | { state: 'same' }
  | { state: 'changed' }
  /** No digest is recorded (a secret virtkeeper never set): apply sets the value. */
  | { state: 'unrecorded' }
  /** The value could not be read here (a CI run without the secret): not compared, not set. */
  | { state: 'unreadable'; reason: string };

/** What a step leaves for the state store; the executor hands it on to the ownership records. */
export interface StepRecords {
  /** A Secret's value was set: the salted digest that tells the next plan whether it changed. */
  secretDigest?(key: IdentityKey, digest: { salt: string; digest: string }): void;
  /** A cloud-init seed volume was written: what it holds, for the next seed's plan. */
  seed?(key: IdentityKey, seed: { domain: string; sha256: string; files: SeedImageSource['files'] }): void;
}

/** Host-wide facts read before planning (see reconciler/host-facts.ts). */
export interface HostFacts {
  /** Whether libvirt can define host interfaces here ('read-only': its udev backend). */
  interfaceBackend?: 'writable' | 'read-only' | 'unknown';
}

/** The planned change of one object. */
export interface ResourceChange<K extends ManifestKind = ManifestKind> {
  key: IdentityKey;
  kind: K;
  name: string;
  action: ActionType;
  /** Field-level diff; empty for no-op, all set fields for create. */
  changes: FieldChange[];
  /** Config changed on an active object and will only take effect after a restart that this plan does not do. */
  restartRequired: boolean;
  /**
   * Fields the persistent config already has as the manifest wants, while the running instance
   * still runs with the old value: the object needs a restart that this plan does not do.
   * Never "no changes": counted in the plan summary and reported as restart-pending.
   */
  restartPending?: PendingRestart[];
  /** Why this action, in one sentence ("domain is shut off, manifest wants running"). */
  reason: string;
  steps: Array<StepOfKind<K>>;
  /** Keys this change must wait for (creates) — the planner reverses them for deletes. */
  dependsOn: IdentityKey[];
  /** Set when the change cannot be applied as asked (e.g. a volume shrink, or a replace without annotation); apply refuses it. */
  refused?: string;
  /**
   * Key of the live object this change acts on, set only when readLive keys it differently from
   * the manifest (NodeDevice: manifest `nvme0`, libvirt `pci_0000_06_00_0`). The inventory
   * remembers it, because once the manifest is gone nothing else links the record to the object
   * that prune has to delete (for a NodeDevice: give back to its host driver).
   */
  liveKey?: IdentityKey;
  /**
   * The daemon found this object stalled with this very manifest: the change was applied and
   * read back different on the same fields, twice (reconciler/convergence.ts). Set by the
   * planner from the state store; apply still runs the change when asked.
   */
  stalled?: { message: string; since: string; retryAt: string };
}

export interface ResourceKind<K extends ManifestKind> {
  readonly kind: K;
  /**
   * The kind's pure contract: identity, references (the one function every dependency comes
   * from), checks, events, export naming. See resources/contract.ts.
   */
  readonly definition: KindDefinition<ManifestOfKind<K>>;
  /** Generated libvirt XML for a manifest; `live` carries identities libvirt assigned (uuid, mac, pci addresses). */
  toXml(manifest: ManifestOfKind<K>, live: LiveResource<K> | undefined, ctx: PlanContext): string;
  /** Reads back a libvirt XML document (plus runtime facts) as a manifest spec: used for diff and export. */
  fromXml(xml: string, runtime: RuntimeFacts): SpecOfKind<K>;
  /**
   * Plans one object: desired absent means delete (only called for owned objects under --prune,
   * with the live object the inventory record resolves to; a no-op then means nothing is left to
   * delete, and the record is dropped).
   */
  plan(desired: LoadedManifest<ManifestOfKind<K>> | undefined, live: LiveResource<K> | undefined, ctx: PlanContext): ResourceChange<K>;
  /** Lists every live object of this kind. */
  readLive(client: LibvirtClient): Promise<Array<LiveResource<K>>>;
  /**
   * Reads the one live object `name` names (the part of its key after the kind, "pool/volume"
   * for volumes), undefined when there is none: the daemon re-reads only the object an event or
   * a file change is about. Kinds without it are re-read whole.
   */
  readOne?(client: LibvirtClient, name: string): Promise<LiveResource<K> | undefined>;
  /**
   * Carries out one planned step. `progress` receives lines worth showing while a step waits
   * (a guest given time to shut down, a device the guest has to release).
   */
  execute(
    step: StepOfKind<K>,
    change: ResourceChange<K>,
    client: LibvirtClient,
    progress?: StepProgress,
    records?: StepRecords,
  ): Promise<void>;
}

/** Receives one human line about a step in progress ("waiting for web-1 to shut down: 10s of 60s"). */
export type StepProgress = (message: string) => void;

/** Runtime facts that are not part of an object's XML. */
export interface RuntimeFacts {
  active?: boolean;
  autostart?: boolean;
  /** Domains: running | paused | shutoff | ... as libvirt reports it. */
  state?: string;
  /** Node devices: whether a host driver currently holds the device. */
  detached?: boolean;
  /** Volumes: the pool that holds it. */
  pool?: string;
}
