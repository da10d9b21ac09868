// Runs a plan against a host: changes in dependency order, independent ones concurrently (a
// bounded number at a time), the steps of one change strictly in sequence. A change that fails
// takes its dependents down with it ("skipped"); everything else still runs, so one bad object
// does not hold the host hostage. No-op changes are never skipped: they have nothing to order.
import PQueue from 'p-queue';
import type { LibvirtClient } from '../libvirt/client.js';
import { LibvirtError } from '../libvirt/errors.js';
import type { DesiredState, IdentityKey, ManifestKind } from '../manifests/types.js';
import { kindOf, type KindRegistry } from '../resources/registry.js';

import type { ActionType, ResourceChange } from '../resources/types.js';
import type { OwnershipIntent } from '../state/intents.js';
import type { InventoryEntry } from './inventory.js';
import { isPruneDisabled, type Plan } from './planner.js';
import type { SeedRecord } from '../state/seeds.js';

/** libvirtd works on 5 calls per client at once (max_client_requests); 16 keeps that pipe full without flooding it. */
export const DEFAULT_CONCURRENCY = 16;

export type ChangeOutcome = 'succeeded' | 'unchanged' | 'failed' | 'refused' | 'skipped';

export interface ChangeError {
  /** libvirt's virErrorNumber, for failures libvirt reported. */
  code?: number;
  /** Symbolic name of `code` (VIR_ERR_...). */
  codeName?: string;
  message: string;
  /** The step that failed ("define domain web-1"). */
  step?: string;
}

export interface ChangeResult {
  key: IdentityKey;
  kind: ManifestKind;
  name: string;
  action: ActionType;
  outcome: ChangeOutcome;
  /** For failed (what went wrong), refused (why) and skipped ("dependency X failed"). */
  error?: ChangeError;
  /** Steps completed before the outcome (all of them on success). */
  stepsDone: number;
  durationMs: number;
}

export interface ApplyReport {
  /** In plan order. */
  results: ChangeResult[];
  counts: Record<ChangeOutcome, number>;
  /** Nothing failed, was refused or skipped. */
  ok: boolean;
}

/**
 * Where the executor records ownership; the state store's HostState implements it. With
 * `intend`, every change that calls libvirt first writes an intent and waits until it is
 * durable; record/forget after the last step confirm it. A run killed in between leaves the
 * intent, which the next plan settles against the host (src/state/intents.ts).
 */
export interface OwnershipRecorder {
  record(key: IdentityKey, entry: Omit<InventoryEntry, 'recordedAt'>): void;
  forget(key: IdentityKey): void;
  /** Whether the key is already recorded (keeps "created" vs "adopted" honest). */
  has(key: IdentityKey): boolean;
  /** Durably notes the change about to run; resolves with the intent's id once committed. */
  intend?(key: IdentityKey, intent: OwnershipIntent): Promise<number>;
  /** The change of this intent failed: leave the intent to be settled against the host later. */
  abandon?(id: number): void;
  /** A cloud-init seed volume was written: what it holds (see state/seeds.ts). */
  recordSeed?(key: IdentityKey, seed: SeedRecord): void;
  /** A Secret's value was set: its salted digest (see state/secret-digests.ts). */
  recordSecretDigest?(key: IdentityKey, digest: { salt: string; digest: string }): void;
}

export type ExecutorEvent =
  | { type: 'start'; change: ResourceChange }
  | { type: 'step'; change: ResourceChange; step: string }
  /** A step that waits says how it goes (a guest given time to shut down, then forced off). */
  | { type: 'progress'; change: ResourceChange; step: string; message: string }
  | { type: 'done'; result: ChangeResult };

export interface ExecuteOptions {
  registry: KindRegistry;
  client: LibvirtClient;
  /** Used for the prune annotation of what gets recorded. */
  desired: DesiredState;
  ownership?: OwnershipRecorder;
  /** Changes running at once; default DEFAULT_CONCURRENCY. */
  concurrency?: number;
  onEvent?: (event: ExecutorEvent) => void;
}

export function describeError(err: unknown, step?: string): ChangeError {
  const base: ChangeError =
    err instanceof LibvirtError
      ? { code: err.code, codeName: err.codeName, message: err.libvirtMessage }
      : { message: err instanceof Error ? err.message : String(err) };
  return step === undefined ? base : { ...base, step };
}

export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<ApplyReport> {
  if (plan.errors.length > 0) {
    throw new Error(`refusing to apply a plan with errors: ${plan.errors.map((e) => e.message).join('; ')}`);
  }
  const queue = new PQueue({ concurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY) });
  const results = new Map<IdentityKey, ChangeResult>();
  const byKey = new Map(plan.changes.map((c) => [c.key, c] as const));
  const dependents = new Map<IdentityKey, IdentityKey[]>();
  const remaining = new Map<IdentityKey, number>();
  for (const change of plan.changes) {
    const deps = (plan.waitsFor.get(change.key) ?? []).filter((d) => byKey.has(d));
    remaining.set(change.key, deps.length);
    for (const dep of deps) dependents.set(dep, [...(dependents.get(dep) ?? []), change.key]);
  }

  let settle!: () => void;
  const allDone = new Promise<void>((resolve) => (settle = resolve));

  const finish = (result: ChangeResult): void => {
    results.set(result.key, result);
    options.onEvent?.({ type: 'done', result });
    // A refused no-op (an object another source owns, already as described) is in place all the same.
    const passed =
      result.outcome === 'succeeded' ||
      result.outcome === 'unchanged' ||
      (result.outcome === 'refused' && byKey.get(result.key)?.action === 'no-op');
    for (const dependentKey of dependents.get(result.key) ?? []) {
      if (results.has(dependentKey)) continue;
      const dependent = byKey.get(dependentKey)!;
      // A no-op has no steps to put in order, so a failed dependency cannot harm it.
      if (!passed && dependent.action !== 'no-op') {
        finish(skipped(dependent, result));
        continue;
      }
      const left = remaining.get(dependentKey)! - 1;
      remaining.set(dependentKey, left);
      if (left === 0) schedule(byKey.get(dependentKey)!);
    }
    if (results.size === plan.changes.length) settle();
  };

  const schedule = (change: ResourceChange): void => {
    // The intent is written when the change becomes ready, not when a queue slot frees up:
    // everything that becomes ready in one tick (all of a wave) commits in one transaction.
    const intent = startIntent(change, options);
    void queue.add(async () => finish(await runChange(change, options, intent)));
  };

  if (plan.changes.length === 0) settle();
  for (const change of plan.changes) if (remaining.get(change.key) === 0) schedule(change);
  await allDone;
  await queue.onIdle();

  const ordered = plan.changes.map((c) => results.get(c.key)!);
  const counts: Record<ChangeOutcome, number> = { succeeded: 0, unchanged: 0, failed: 0, refused: 0, skipped: 0 };
  for (const r of ordered) counts[r.outcome] += 1;
  for (const key of plan.forgotten) options.ownership?.forget(key);
  return { results: ordered, counts, ok: counts.failed + counts.refused + counts.skipped === 0 };
}

function skipped(change: ResourceChange, cause: ChangeResult): ChangeResult {
  const verb = cause.outcome === 'skipped' ? 'was skipped' : cause.outcome === 'refused' ? 'was refused' : 'failed';
  return {
    key: change.key,
    kind: change.kind,
    name: change.name,
    action: change.action,
    outcome: 'skipped',
    error: { message: `dependency ${cause.key} ${verb}` },
    stepsDone: 0,
    durationMs: 0,
  };
}

/** Writes the change's intent (when it will call libvirt); the promise resolves once it is committed. */
function startIntent(change: ResourceChange, options: ExecuteOptions): Promise<number> | undefined {
  const ownership = options.ownership;
  if (change.refused || change.steps.length === 0 || !ownership?.intend) return undefined;
  const pending = ownership.intend(change.key, intentOf(change, options, ownership));
  pending.catch(() => undefined); // awaited (and reported) by runChange
  return pending;
}

async function runChange(change: ResourceChange, options: ExecuteOptions, intent: Promise<number> | undefined): Promise<ChangeResult> {
  const started = Date.now();
  const base = { key: change.key, kind: change.kind, name: change.name, action: change.action };
  if (change.refused) {
    return { ...base, outcome: 'refused', error: { message: change.refused }, stepsDone: 0, durationMs: 0 };
  }
  options.onEvent?.({ type: 'start', change });
  const kind = kindOf(options.registry, change.kind);
  const ownership = options.ownership;
  let intentId: number | undefined;
  if (intent) {
    try {
      intentId = await intent;
    } catch (err) {
      // Without a durable intent a crash could forget what this change creates: do not start it.
      return {
        ...base,
        outcome: 'failed',
        error: describeError(err, 'record the intent in the state store'),
        stepsDone: 0,
        durationMs: Date.now() - started,
      };
    }
  }
  let stepsDone = 0;
  for (const step of change.steps) {
    options.onEvent?.({ type: 'step', change, step: step.description });
    try {
      await kind.execute(
        step,
        change,
        options.client,
        (message) => options.onEvent?.({ type: 'progress', change, step: step.description, message }),
        {
          secretDigest: (key, digest) => ownership?.recordSecretDigest?.(key, digest),
          seed: (key, seed) => ownership?.recordSeed?.(key, seed),
        },
      );
    } catch (err) {
      if (intentId !== undefined) ownership?.abandon?.(intentId);
      return { ...base, outcome: 'failed', error: describeError(err, step.description), stepsDone, durationMs: Date.now() - started };
    }
    stepsDone += 1;
  }
  recordOwnership(change, options);
  const outcome: ChangeOutcome = change.action === 'no-op' ? 'unchanged' : 'succeeded';
  return { ...base, outcome, stepsDone, durationMs: Date.now() - started };
}

function intentOf(change: ResourceChange, options: ExecuteOptions, ownership: OwnershipRecorder): OwnershipIntent {
  const loaded = options.desired.byKey.get(change.key);
  return {
    kind: change.kind,
    name: change.name,
    action: change.action,
    origin: change.action === 'create' && !ownership.has(change.key) ? 'created' : 'adopted',
    pruneDisabled: loaded ? isPruneDisabled(loaded.manifest) : false,
    ...(change.liveKey !== undefined && change.liveKey !== change.key ? { liveKey: change.liveKey } : {}),
  };
}

function recordOwnership(change: ResourceChange, options: ExecuteOptions): void {
  const ownership = options.ownership;
  if (!ownership) return;
  if (change.action === 'delete') {
    ownership.forget(change.key);
    return;
  }
  const loaded = options.desired.byKey.get(change.key);
  if (!loaded) return;
  // A no-op on an object we never recorded is an adoption: the manifest now owns it.
  const origin = change.action === 'create' && !ownership.has(change.key) ? 'created' : 'adopted';
  ownership.record(change.key, {
    kind: change.kind,
    name: change.name,
    origin,
    pruneDisabled: isPruneDisabled(loaded.manifest),
    // The live object's own key, for prune to find it once the manifest is gone.
    ...(change.liveKey !== undefined && change.liveKey !== change.key ? { liveKey: change.liveKey } : {}),
  });
}
