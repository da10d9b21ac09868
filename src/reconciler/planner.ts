// Desired vs live → an ordered plan. Pure: everything it needs (manifests, live objects,
// inventory, kinds) is passed in, so the same inputs always give the same plan, byte for byte.
//
// Ordering: changes form a DAG. A create/update waits for the changes of the objects its
// manifest refers to (the kind's dependsOn, from its contract's references()). A delete waits
// for every change to an object that currently refers to it (the contract's live references: so
// a domain drops its disk before the volume goes, and a passed-through device before it is given
// back), and for the deletes of whatever the deleted object refers to in reverse — volumes
// before their pool. Ties are broken by phase (non-deletes first), kind order (reversed for
// deletes) and key.
import { ANNOTATION_PRUNE, type AnyManifest, type DesiredState, type IdentityKey } from '../manifests/types.js';
import { definitionsOf, kindOf, type KindRegistry } from '../resources/registry.js';

import { liveReferenceKeys, type LiveView } from '../resources/contract.js';
import { definitionOf, KIND_DEFINITIONS, kindRankIn, type KindDefinitions } from '../resources/definitions.js';
import type { ActionType, HostFacts, LiveResource, PlanContext, ResourceChange } from '../resources/types.js';
import { fingerprintDigest, manifestFingerprint } from './daemon-keys.js';
import type { ForeignRecord, Inventory } from './inventory.js';
import { MinHeap } from './min-heap.js';
import { isSupersededSeed } from '../cloud-init/domain-seed.js';

/** Annotation that moves an object recorded by another source to this one: its value names that owner. */
export const ANNOTATION_ADOPT_FROM = 'virtkeeper.io/adopt-from';

/** Default of --prune-max: prune refuses to delete more than this share of the owner's records. */
export const DEFAULT_PRUNE_MAX = 0.5;

export interface PlanOptions {
  /** Delete recorded objects whose manifests are gone (unless annotated prune: disabled). */
  prune: boolean;
  /** Let prune delete everything when the manifests are empty (Argo CD's allowEmpty). */
  allowEmpty?: boolean;
  /** Largest share (0..1) of this owner's recorded objects one prune may delete; default 0.5. */
  pruneMax?: number;
  /**
   * Plan only these keys (the daemon reconciling one object and what it refers to); everything
   * else in the manifests and the records is left out of the plan. Unset: the whole host.
   */
  only?: ReadonlySet<IdentityKey>;
}

export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
  noOp: number;
  /** Changes the kind refused (counted in their action too). */
  refused: number;
  /** Objects running with config that differs from their definition until restarted (counted in their action too). */
  restartPending: number;
}

export interface PlanError {
  /** The object the error is about; undefined for plan-wide errors (a dependency cycle). */
  key?: IdentityKey;
  message: string;
}

/** A recorded object whose manifest is gone but which this plan leaves in place, and why. */
export interface RetainedObject {
  key: IdentityKey;
  reason: RetainedReason;
}

export type RetainedReason = 'prune-disabled' | 'prune-not-requested' | 'prune-blocked';

export interface Plan {
  /** Execution order: every change comes after all changes it waits for. */
  changes: ResourceChange[];
  /** key → keys of changes in this plan that must succeed first. */
  waitsFor: ReadonlyMap<IdentityKey, readonly IdentityKey[]>;
  summary: PlanSummary;
  /** Planning failed for these; apply must not run a plan with errors. */
  errors: PlanError[];
  retained: RetainedObject[];
  /**
   * Recorded, no longer desired, and nothing of ours left to delete: the record is dropped by
   * apply. Either the object is gone from the host, or another manifest now holds it (a
   * NodeDevice manifest renamed), or (--prune) the kind's delete has nothing to do (a released
   * NodeDevice already back on its host driver).
   */
  forgotten: IdentityKey[];
  /**
   * Set when the empty-tree guard stopped prune: why, in one line. The deletions it held back
   * are listed in `retained` (reason prune-blocked); apply changes nothing while it is set.
   */
  pruneBlocked?: string;
}

export interface StallNote {
  manifestDigest: string;
  message: string;
  since: string;
  retryAt: string;
}

export interface PlanInput {
  desired: DesiredState;
  live: ReadonlyMap<IdentityKey, LiveResource>;
  /** This owner's records. */
  inventory: Inventory;
  /** Keys other owners recorded on this host: manifests of this source may not change them. */
  foreign?: ReadonlyMap<IdentityKey, ForeignRecord>;
  /** Objects the daemon found stalled, with the digest of the manifest it found them with. */
  stalls?: ReadonlyMap<IdentityKey, StallNote>;
  /** The cloud-init seeds written on this host (state store), for the next seed's diff. */
  seeds?: PlanContext['seeds'];
  /** What was found about each desired Secret's value (resources/secret/assess.ts). */
  secretValues?: PlanContext['secretValues'];
  registry: KindRegistry;
  options: PlanOptions;
  /** What the host can do, for kinds whose plan depends on it. */
  host?: HostFacts;
}

/**
 * True when the host differs from the manifests: applying would change something, or an object
 * runs with config that takes effect only at its restart (never "no changes").
 */
export function hasChanges(plan: Plan): boolean {
  return plan.changes.some((c) => c.action !== 'no-op' || isRestartPending(c));
}

export function isRestartPending(change: ResourceChange): boolean {
  return (change.restartPending?.length ?? 0) > 0;
}

export function isPruneDisabled(manifest: AnyManifest): boolean {
  return manifest.metadata.annotations?.[ANNOTATION_PRUNE] === 'disabled';
}

/** Marks a change the daemon found stalled with this same manifest (an edited manifest is not stalled). */
function noteStall(change: ResourceChange, manifest: AnyManifest, stalls: PlanInput['stalls']): ResourceChange {
  const stall = stalls?.get(change.key);
  if (!stall || change.action === 'no-op' || stall.manifestDigest !== fingerprintDigest(manifestFingerprint(manifest))) return change;
  return { ...change, stalled: { message: stall.message, since: stall.since, retryAt: stall.retryAt } };
}

export function buildPlan(input: PlanInput): Plan {
  const { desired, live, inventory, registry, options } = input;
  const foreignByLiveKey = foreignIndex(input.foreign);
  // Decided once, here, where the records' origins are known: the volume kind only honours it.
  const supersededSeeds = new Set(
    Object.entries(inventory.objects)
      .filter(([key, entry]) => !desired.byKey.has(key) && isSupersededSeed(entry, desired))
      .map(([key]) => key),
  );
  const ctx: PlanContext = {
    desired,
    live,
    supersededSeeds,
    ...(input.host ? { host: input.host } : {}),
    ...(input.seeds ? { seeds: input.seeds } : {}),
    ...(input.secretValues ? { secretValues: input.secretValues } : {}),
  };
  const errors: PlanError[] = [];
  const retained: RetainedObject[] = [];
  const forgotten: IdentityKey[] = [];
  const byKey = new Map<IdentityKey, ResourceChange>();
  // Live objects some change already acts on: a record must not prune what a manifest holds.
  const claimed = new Set<IdentityKey>();

  const only = options.only;
  for (const loaded of desired.manifests) {
    if (only && !only.has(loaded.key)) continue;
    const kind = kindOf(registry, loaded.manifest.kind);
    const planned = safely(errors, loaded.key, () => kind.plan(loaded, live.get(loaded.key), ctx));
    if (planned) {
      const change = noteStall(refuseForeign(planned, loaded.manifest, foreignByLiveKey), loaded.manifest, input.stalls);
      byKey.set(loaded.key, change);
      claimed.add(change.liveKey ?? loaded.key);
    }
  }

  const pruned: Array<{ key: IdentityKey; change: ResourceChange }> = [];
  for (const [key, entry] of Object.entries(inventory.objects).sort(([a], [b]) => compareStrings(a, b))) {
    if (desired.byKey.has(key) || (only && !only.has(key))) continue;
    // Entries without a live key (kinds keyed alike, or written before it existed) use their own.
    const liveKey = entry.liveKey ?? key;
    const liveObject = live.get(liveKey);
    if (!liveObject || claimed.has(liveKey)) {
      forgotten.push(key);
      continue;
    }
    claimed.add(liveKey);
    if (entry.pruneDisabled) {
      retained.push({ key, reason: 'prune-disabled' });
      continue;
    }
    const superseded = supersededSeeds.has(key);
    if (!options.prune && !superseded) {
      retained.push({ key, reason: 'prune-not-requested' });
      continue;
    }
    const kind = kindOf(registry, liveObject.kind);
    const change = safely(errors, key, () => kind.plan(undefined, liveObject, ctx));
    if (!change) continue;
    if (change.action === 'no-op') {
      forgotten.push(key);
      continue;
    }
    // A superseded seed is replaced, not pruned: it is neither held back nor counted by the guard.
    if (superseded) byKey.set(key, asRecorded(change, key, entry.name, liveKey));
    else pruned.push({ key, change: asRecorded(change, key, entry.name, liveKey) });
  }

  const pruneBlocked = options.prune ? pruneGuard(pruned.length, desired, inventory, options) : undefined;
  for (const { key, change } of pruned) {
    if (pruneBlocked !== undefined) retained.push({ key, reason: 'prune-blocked' });
    else byKey.set(key, change);
  }
  retained.sort((a, b) => compareStrings(a.key, b.key));

  const { order, waitsFor } = orderChanges(byKey, live, definitionsOf(registry), errors);
  return {
    changes: order,
    waitsFor,
    summary: summarize(order),
    errors,
    retained,
    forgotten,
    ...(pruneBlocked !== undefined ? { pruneBlocked } : {}),
  };
}

/**
 * The empty-tree guard: a prune that would empty the source (its manifests are gone, e.g. a
 * git-sync swap to an empty tree) or delete more than --prune-max of what it recorded is most
 * likely a mistake upstream. Returns why it refuses, or undefined.
 */
export function pruneGuard(deletes: number, desired: DesiredState, inventory: Inventory, options: PlanOptions): string | undefined {
  if (deletes === 0) return undefined;
  const recorded = Object.keys(inventory.objects).length;
  const owner = inventory.owner !== undefined ? ` of ${inventory.owner}` : '';
  if (desired.manifests.length === 0 && !options.allowEmpty) {
    return `prune refused: the manifests are empty and prune would delete ${deletes} recorded object${deletes === 1 ? '' : 's'}${owner}; pass --allow-empty if the source is meant to be empty`;
  }
  // --allow-empty says "this source is meant to be empty": deleting all of it is the point.
  if (desired.manifests.length === 0) return undefined;
  const max = options.pruneMax ?? DEFAULT_PRUNE_MAX;
  if (recorded > 0 && deletes / recorded > max) {
    return `prune refused: it would delete ${deletes} of the ${recorded} objects recorded${owner} (${percent(deletes / recorded)}), more than --prune-max ${percent(max)}; pass --prune-max 100% if that is intended`;
  }
  return undefined;
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

function foreignIndex(foreign: ReadonlyMap<IdentityKey, ForeignRecord> | undefined): Map<IdentityKey, ForeignRecord> {
  const out = new Map<IdentityKey, ForeignRecord>();
  for (const [key, record] of foreign ?? []) {
    out.set(key, record);
    if (record.liveKey !== undefined) out.set(record.liveKey, record);
  }
  return out;
}

/**
 * A manifest describing an object another source recorded: refused (never changed, never
 * recorded), unless the manifest names that owner in virtkeeper.io/adopt-from to take it over.
 */
function refuseForeign(change: ResourceChange, manifest: AnyManifest, foreign: ReadonlyMap<IdentityKey, ForeignRecord>): ResourceChange {
  const record = foreign.get(change.key) ?? (change.liveKey !== undefined ? foreign.get(change.liveKey) : undefined);
  if (!record) return change;
  const adoptFrom = manifest.metadata.annotations?.[ANNOTATION_ADOPT_FROM];
  if (adoptFrom === record.owner) return change;
  const refused =
    adoptFrom === undefined
      ? `owned by ${record.owner}; annotate the manifest ${ANNOTATION_ADOPT_FROM}: "${record.owner}" to move it to this source`
      : `owned by ${record.owner}, but ${ANNOTATION_ADOPT_FROM} names ${JSON.stringify(adoptFrom)}; set it to "${record.owner}" to move it to this source`;
  return { ...change, refused, reason: refused };
}

/**
 * A delete planned from a live object the record knew by another key is filed under the
 * record's key: that is the name the user wrote, and the record apply forgets once it is done.
 */
function asRecorded(change: ResourceChange, key: IdentityKey, name: string, liveKey: IdentityKey): ResourceChange {
  if (liveKey === key) return change;
  return { ...change, key, name, liveKey };
}

function safely(errors: PlanError[], key: IdentityKey, fn: () => ResourceChange): ResourceChange | undefined {
  try {
    return fn();
  } catch (err) {
    errors.push({ key, message: `planning failed: ${err instanceof Error ? err.message : String(err)}` });
    return undefined;
  }
}

/** What the ordering needs of a change: real ResourceChanges have it, and so do a test kind's. */
export type OrderedChange = Pick<ResourceChange, 'key' | 'action' | 'dependsOn' | 'liveKey'> & { kind: string };

export function dependencyEdges(
  changes: ReadonlyMap<IdentityKey, OrderedChange>,
  live: ReadonlyMap<IdentityKey, LiveView>,
  definitions: KindDefinitions,
): Map<IdentityKey, IdentityKey[]> {
  const edges = new Map<IdentityKey, Set<IdentityKey>>();
  for (const key of changes.keys()) edges.set(key, new Set());
  // What a live object refers to is named as libvirt names it (a secret by its usage), while a
  // delete is filed under the recorded key: look it up by its live key too.
  const byLiveKey = new Map<IdentityKey, IdentityKey>();
  for (const [key, change] of changes) if (change.liveKey !== undefined) byLiveKey.set(change.liveKey, key);
  const keyOf = (k: IdentityKey): IdentityKey => (changes.has(k) ? k : (byLiveKey.get(k) ?? k));
  const add = (fromRef: IdentityKey, toRef: IdentityKey): void => {
    const from = keyOf(fromRef);
    const to = keyOf(toRef);
    if (from !== to && changes.has(from) && changes.has(to)) edges.get(to)!.add(from);
  };

  for (const [key, change] of changes) {
    if (change.action === 'delete') {
      // Deleting what this object refers to waits for this delete (reverse of creation).
      for (const dep of change.dependsOn) if (changes.get(keyOf(dep))?.action === 'delete') add(key, dep);
    } else {
      for (const dep of change.dependsOn) if (changes.get(keyOf(dep))?.action !== 'delete') add(dep, key);
    }
  }
  // A delete also waits for every change to an object that refers to it today.
  for (const [key, change] of changes) {
    const object = live.get(change.liveKey ?? key);
    const definition = object && definitionOf(definitions, object.kind);
    if (!object || !definition) continue;
    for (const dep of liveReferenceKeys(definition, object)) {
      if (changes.get(keyOf(dep))?.action === 'delete') add(key, dep);
    }
  }

  const result = new Map<IdentityKey, IdentityKey[]>();
  for (const [key, deps] of edges) result.set(key, [...deps].sort(compareStrings));
  return result;
}

function sortKey(change: OrderedChange, definitions: KindDefinitions): [number, number, string] {
  const isDelete = change.action === 'delete';
  const rank = kindRankIn(definitions, change.kind);
  return [isDelete ? 1 : 0, isDelete ? definitions.ordered.length - rank : rank, change.key];
}

/** Phase (non-deletes first), kind order (reversed for deletes), then key. */
export function compareChanges(a: OrderedChange, b: OrderedChange, definitions: KindDefinitions = KIND_DEFINITIONS): number {
  const [pa, ra, ka] = sortKey(a, definitions);
  const [pb, rb, kb] = sortKey(b, definitions);
  return pa - pb || ra - rb || compareStrings(ka, kb);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The order changes run in: edges from their references (dependencyEdges), then Kahn's algorithm
 * always taking the smallest ready change; a leftover is a cycle, reported once in `errors`.
 */
export function orderChanges<C extends OrderedChange>(
  changes: ReadonlyMap<IdentityKey, C>,
  live: ReadonlyMap<IdentityKey, LiveView>,
  definitions: KindDefinitions,
  errors: PlanError[],
): { order: C[]; waitsFor: Map<IdentityKey, IdentityKey[]> } {
  const waitsFor = dependencyEdges(changes, live, definitions);
  return { order: topologicalOrder(changes, waitsFor, definitions, errors), waitsFor };
}

function topologicalOrder<C extends OrderedChange>(
  changes: ReadonlyMap<IdentityKey, C>,
  waitsFor: ReadonlyMap<IdentityKey, readonly IdentityKey[]>,
  definitions: KindDefinitions,
  errors: PlanError[],
): C[] {
  const compare = (a: C, b: C): number => compareChanges(a, b, definitions);
  const pending = new Map<IdentityKey, number>();
  const dependents = new Map<IdentityKey, IdentityKey[]>();
  for (const [key, deps] of waitsFor) {
    pending.set(key, deps.length);
    for (const dep of deps) {
      const list = dependents.get(dep) ?? [];
      list.push(key);
      dependents.set(dep, list);
    }
  }
  // A heap, not a list sorted on every step: a host of thousands of independent objects has
  // thousands of changes ready at once.
  const ready = new MinHeap<C>(compare);
  for (const c of changes.values()) if (pending.get(c.key) === 0) ready.push(c);
  const order: C[] = [];
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    order.push(next);
    for (const dependent of dependents.get(next.key) ?? []) {
      const left = pending.get(dependent)! - 1;
      pending.set(dependent, left);
      if (left === 0) ready.push(changes.get(dependent)!);
    }
  }
  if (order.length < changes.size) {
    const placed = new Set(order);
    const stuck = [...changes.values()].filter((c) => !placed.has(c)).sort(compare);
    const cycle = findCycle(
      stuck.map((c) => c.key),
      waitsFor,
    );
    errors.push({ message: `dependency cycle: ${cycle.join(' → ')}` });
    // Still list them, so every object shows up in the output; apply refuses plans with errors.
    order.push(...stuck);
  }
  return order;
}

function findCycle(stuck: IdentityKey[], waitsFor: ReadonlyMap<IdentityKey, readonly IdentityKey[]>): IdentityKey[] {
  const inStuck = new Set(stuck);
  const state = new Map<IdentityKey, 'visiting' | 'done'>();
  const stack: IdentityKey[] = [];
  const visit = (key: IdentityKey): IdentityKey[] | undefined => {
    state.set(key, 'visiting');
    stack.push(key);
    for (const dep of waitsFor.get(key) ?? []) {
      if (!inStuck.has(dep)) continue;
      if (state.get(dep) === 'visiting') return [...stack.slice(stack.indexOf(dep)), dep];
      if (!state.has(dep)) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(key, 'done');
    return undefined;
  };
  for (const key of stuck) {
    if (state.has(key)) continue;
    const found = visit(key);
    if (found) return found;
  }
  return stuck;
}

function summarize(changes: readonly ResourceChange[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, replace: 0, delete: 0, noOp: 0, refused: 0, restartPending: 0 };
  const field: Record<ActionType, keyof PlanSummary> = {
    create: 'create',
    update: 'update',
    replace: 'replace',
    delete: 'delete',
    'no-op': 'noOp',
  };
  for (const change of changes) {
    summary[field[change.action]] += 1;
    if (change.refused) summary.refused += 1;
    if (isRestartPending(change)) summary.restartPending += 1;
  }
  return summary;
}
