// Export without loss: each live object becomes a manifest whose friendly fields say what they
// can and whose `xml.merge` carries the rest of the live document (residual.ts), so that applying
// the manifest on an empty host defines the same object again. Every manifest written is valid:
// a friendly field the validator refuses (a Secret named by libvirt uuid rather than by a Secret
// manifest, a forward mode without the host NICs it needs) is left to the merge instead. Pure.
import { checkManifest } from '../manifests/checks.js';
import { createDesiredState } from '../manifests/desired-state.js';
import { schemaValidator } from '../manifests/schema-validator.js';
import { API_VERSION, type AnyManifest, type DesiredState, type IdentityKey } from '../manifests/types.js';
import { kindOf, type KindRegistry } from '../resources/registry.js';
import type { LiveResource, PlanContext } from '../resources/types.js';
import { isElement, parseXml, type XmlElement } from '../resources/xml.js';
import { canonical, residual } from './residual.js';

export interface LosslessManifest {
  key: IdentityKey;
  manifest: AnyManifest;
  /** What neither the friendly fields nor the merge carry ("@type", "+devices/console"). */
  uncarried: string[];
}

/** How many times a refused friendly field is left to the merge before giving up on a manifest. */
const MAX_FIXES = 6;

/**
 * Live objects → manifests that carry the whole live document. `context` holds the other live
 * objects export read (the pools of volumes, the volumes of disks), which the rendering of a
 * manifest may look up.
 */
export function losslessManifests(
  objects: readonly LiveResource[],
  registry: KindRegistry,
  context: readonly LiveResource[] = objects,
): LosslessManifest[] {
  const carried = (o: LiveResource): boolean => kindOf(registry, o.kind).definition.export.residual !== undefined;
  const friendly = objects.map((o) => ({ object: o, manifest: validFriendly(o, carried(o)) }));
  const contextManifests = context
    .filter((o) => o.persistent)
    .map((o) => friendly.find((f) => f.object === o)?.manifest ?? validFriendly(o, carried(o)));
  const desired = desiredOf(contextManifests);
  const ctx: PlanContext = { desired, live: new Map(context.map((o) => [o.key, o])) };
  return friendly.map(({ object, manifest: friendlyManifest }) => {
    let manifest = friendlyManifest;
    const rules = kindOf(registry, object.kind).definition.export.residual;
    if (!rules || object.xml === undefined) return { key: object.key, manifest, uncarried: [] };
    const render = (m: AnyManifest): XmlElement => parseXml(kindOf(registry, object.kind).toXml(m, undefined, ctx));
    let rendered: XmlElement;
    try {
      rendered = render(manifest);
    } catch (err) {
      return { key: object.key, manifest, uncarried: [`(not rendered: ${err instanceof Error ? err.message : String(err)})`] };
    }
    const live = parseXml(object.xml, { fromLibvirt: true });
    let found = residual(live, rendered, rules);
    const unshadowed = withoutShadowed(manifest, rendered, carriedNames(found.fragments, live.name), render);
    if (unshadowed) {
      manifest = unshadowed.manifest;
      found = residual(live, unshadowed.rendered, rules);
    }
    // A fragment the loader refuses is not written: the manifest stays valid and the loss is
    // reported instead.
    const accepted = found.fragments.filter((f) => issuesOf(withMerge(manifest, f)).length === 0);
    const refused = found.fragments
      .filter((f) => !accepted.includes(f))
      .map((f) => `${/^<([^\s/>]+)/.exec(f)?.[1] ?? '?'} (refused by the validator)`);
    const uncarried = [...found.uncarried, ...refused];
    if (accepted.length === 0) return { key: object.key, manifest, uncarried };
    const merged = withMerge(manifest, accepted.join('\n'));
    if (issuesOf(merged).length > 0)
      return { key: object.key, manifest, uncarried: [...uncarried, '(xml.merge refused by the validator)'] };
    return { key: object.key, manifest: merged, uncarried };
  });
}

/** The top-level element names the fragments replace (not <devices>, merged device by device, nor the root's attributes). */
function carriedNames(fragments: readonly string[], root: string): Set<string> {
  const names = fragments.map((f) => /^<([^\s/>]+)/.exec(f)?.[1] ?? '');
  return new Set(names.filter((n) => n !== '' && n !== 'devices' && n !== root));
}

/** Top-level element names whose elements differ between two renderings, '@' when the root's attributes do. */
function changedNames(a: XmlElement, b: XmlElement): string[] {
  const changed = new Set<string>();
  const names = new Set([...a.children, ...b.children].filter(isElement).map((c) => c.name));
  for (const name of names) {
    const x = a.children
      .filter(isElement)
      .filter((c) => c.name === name)
      .map((c) => canonical(c));
    const y = b.children
      .filter(isElement)
      .filter((c) => c.name === name)
      .map((c) => canonical(c));
    if (x.join('') !== y.join('')) changed.add(name);
  }
  if (canonical({ ...a, children: [] }) !== canonical({ ...b, children: [] })) changed.add('@');
  return [...changed];
}

/**
 * The manifest without the friendly fields whose every rendered element the merge replaces
 * (a domain's vcpus when the merge carries <vcpu placement="static">): kept, such a field would
 * say a value that apply overrides, and editing it would change nothing. A field whose removal
 * makes the manifest invalid stays. Undefined when no field is shadowed.
 */
function withoutShadowed(
  manifest: AnyManifest,
  rendered: XmlElement,
  carried: ReadonlySet<string>,
  render: (m: AnyManifest) => XmlElement,
): { manifest: AnyManifest; rendered: XmlElement } | undefined {
  if (carried.size === 0) return undefined;
  let current = { manifest, rendered };
  let changed = false;
  for (const field of Object.keys(manifest.spec)) {
    if (field === 'xml') continue;
    const spec = { ...(current.manifest.spec as Record<string, unknown>) };
    delete spec[field];
    const candidate = { ...current.manifest, spec } as AnyManifest;
    if (issuesOf(candidate).length > 0) continue;
    let next: XmlElement;
    try {
      next = render(candidate);
    } catch {
      continue;
    }
    const names = changedNames(current.rendered, next);
    if (names.length === 0 || !names.every((n) => carried.has(n))) continue;
    current = { manifest: candidate, rendered: next };
    changed = true;
  }
  return changed ? current : undefined;
}

function withMerge(manifest: AnyManifest, merge: string): AnyManifest {
  const spec = manifest.spec as Record<string, unknown>;
  return { ...manifest, spec: { ...spec, xml: { merge } } } as AnyManifest;
}

/**
 * The live spec as a manifest without an xml.merge that passes the loader's own per-document
 * checks, when the kind's merge and the live document are there to carry what the checks refuse (without it, nothing
 * is left out: an invalid manifest says more than a silently shorter one).
 */
function validFriendly(object: LiveResource, carriedInMerge: boolean): AnyManifest {
  const spec = withoutUndefined(object.spec) as Record<string, unknown>;
  // The merge is recomputed from the whole live document, which already holds what an earlier
  // merge (a domain's ownership mark) put there.
  delete spec.xml;
  let manifest = { apiVersion: API_VERSION, kind: object.kind, metadata: { name: object.name }, spec } as AnyManifest;
  if (!carriedInMerge || object.xml === undefined) return manifest;
  dropForeignSecretRefs(spec);
  for (let round = 0; round < MAX_FIXES; round++) {
    const issues = issuesOf(manifest);
    if (issues.length === 0) break;
    const next = withoutRefused(manifest, issues);
    if (next === undefined) break;
    manifest = next;
  }
  return manifest;
}

type Path = ReadonlyArray<string | number>;

/** The loader's per-document verdict (schema, then checks): paths of what it refuses. */
function issuesOf(manifest: AnyManifest): Path[] {
  const schema = schemaValidator()(manifest.kind, manifest);
  if (schema.length > 0) return schema.map((i) => i.path);
  return checkManifest(manifest)
    .filter((i) => !i.warning)
    .map((i) => i.path);
}

/**
 * The manifest without the friendly fields the issues point at: the innermost list item on the
 * path (one disk, not all of them), else the top-level spec field. Undefined when no issue points
 * into spec (a name libvirt accepts and manifests do not): nothing to leave to the merge.
 */
function withoutRefused(manifest: AnyManifest, issues: readonly Path[]): AnyManifest | undefined {
  const spec = structuredClone(manifest.spec) as Record<string, unknown>;
  let changed = false;
  // Items are removed from the end so the indexes of the others stay right.
  const targets = issues
    .filter((p) => p[0] === 'spec' && p.length > 1)
    .map((p) => {
      const lastIndex = p.map((s) => typeof s === 'number').lastIndexOf(true);
      return lastIndex === -1 ? p.slice(0, 2) : p.slice(0, lastIndex + 1);
    })
    .sort((x, y) => String(y).localeCompare(String(x), undefined, { numeric: true }));
  for (const target of targets) {
    const parent = target.slice(1, -1).reduce<unknown>((node, seg) => (node as Record<string | number, unknown> | undefined)?.[seg], spec);
    const last = target[target.length - 1];
    if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) {
      parent.splice(last, 1);
      changed = true;
    } else if (parent && typeof parent === 'object' && typeof last === 'string' && last in parent) {
      delete (parent as Record<string, unknown>)[last];
      changed = true;
    }
  }
  // A list emptied this way goes: the schema wants lists with items.
  for (const [k, v] of Object.entries(spec)) if (Array.isArray(v) && v.length === 0) delete spec[k];
  return changed ? ({ ...manifest, spec } as AnyManifest) : undefined;
}

/**
 * A reference to a libvirt secret by uuid or usage ("uuid:…", "usage:…", as fromXml reads it)
 * names no Secret manifest, so the object holding it (a pool's auth, a volume's encryption) is
 * left to the merge, which carries the reference verbatim. Never a value: libvirt gives none.
 */
function dropForeignSecretRefs(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(dropForeignSecretRefs);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  for (const [k, v] of Object.entries(record)) {
    const secret = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>).secret : undefined;
    if (typeof secret === 'string' && /^(uuid|usage):/.test(secret)) delete record[k];
    else dropForeignSecretRefs(v);
  }
}

function desiredOf(manifests: readonly AnyManifest[]): DesiredState {
  // Two live objects never share a key; should the same manifest appear twice, one is enough.
  const unique = new Map<string, AnyManifest>();
  for (const m of manifests) unique.set(`${m.kind}/${m.metadata.name}/${String((m.spec as { pool?: string }).pool)}`, m);
  return createDesiredState(
    '/export',
    [...unique.values()].map((manifest) => ({ manifest, source: { file: 'export', line: 1, column: 1 } })),
  );
}

export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutUndefined(v)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
    return out as T;
  }
  return value;
}
