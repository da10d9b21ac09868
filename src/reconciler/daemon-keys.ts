// Which objects the daemon looks after and what a new manifests tree means for the queue.
// Pure: the controller feeds in desired states and inventory keys, and enqueues what comes out.
import { createHash } from 'node:crypto';
import type { AnyManifest, DesiredState, IdentityKey } from '../manifests/types.js';

/**
 * A manifest's content in a form where equal manifests give equal strings whatever the key
 * order in the YAML, so a reload that only reorders a file enqueues nothing.
 */
export function manifestFingerprint(manifest: AnyManifest): string {
  return stableStringify(manifest);
}

/** A short stand-in for a fingerprint, to store and compare across processes. */
export function fingerprintDigest(fingerprint: string): string {
  return createHash('sha256').update(fingerprint).digest('hex');
}

export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** key → fingerprint of every manifest in a desired state. */
export function fingerprints(desired: DesiredState | null): Map<IdentityKey, string> {
  const out = new Map<IdentityKey, string>();
  for (const loaded of desired?.manifests ?? []) out.set(loaded.key, manifestFingerprint(loaded.manifest));
  return out;
}

export interface DesiredDiff {
  added: IdentityKey[];
  removed: IdentityKey[];
  changed: IdentityKey[];
  unchanged: IdentityKey[];
}

/** Compares two loads of the manifests, key by key. Every list is sorted. */
export function diffDesired(prev: DesiredState | null, next: DesiredState): DesiredDiff {
  const before = fingerprints(prev);
  const after = fingerprints(next);
  const diff: DesiredDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const [key, fp] of after) {
    const old = before.get(key);
    if (old === undefined) diff.added.push(key);
    else if (old === fp) diff.unchanged.push(key);
    else diff.changed.push(key);
  }
  for (const key of before.keys()) if (!after.has(key)) diff.removed.push(key);
  for (const list of Object.values(diff)) list.sort();
  return diff;
}

/** True when two loads describe exactly the same objects with the same content. */
export function sameDesired(a: DesiredState, b: DesiredState): boolean {
  const d = diffDesired(a, b);
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;
}

/**
 * Keys a reload has to reconcile. Changing the manifest of one object may change what its
 * dependants render (a network's bridge name ends up in a domain's interface), but the
 * planner takes care of that through references: every key whose manifest refers to a changed
 * key is enqueued too. Removed keys only matter when pruning, since without --prune nothing is
 * ever deleted.
 */
export function keysToReconcileAfterReload(
  diff: DesiredDiff,
  next: DesiredState,
  dependencies: (key: IdentityKey) => readonly IdentityKey[],
  prune: boolean,
): IdentityKey[] {
  const touched = new Set<IdentityKey>([...diff.added, ...diff.changed, ...(prune ? diff.removed : [])]);
  const out = new Set<IdentityKey>(touched);
  for (const loaded of next.manifests) {
    if (out.has(loaded.key)) continue;
    if (dependencies(loaded.key).some((dep) => touched.has(dep))) out.add(loaded.key);
  }
  return [...out].sort();
}

/**
 * Every key the daemon reconciles in a full sync: the manifests' objects, and with --prune also
 * the recorded objects that left them (so the planner can delete them). Without --prune an
 * inventory-only key has nothing to do, so it is left out.
 */
export function managedKeys(desired: DesiredState | null, inventoryKeys: Iterable<IdentityKey>, prune: boolean): IdentityKey[] {
  const keys = new Set<IdentityKey>(desired?.byKey.keys() ?? []);
  if (prune) for (const key of inventoryKeys) keys.add(key);
  return [...keys].sort();
}
