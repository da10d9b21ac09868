// What one reconcile of one key does with a whole-host plan, and how its result is reported.
// Pure: the controller does the I/O (read live state, plan, execute) around these functions.
import type { IdentityKey } from '../manifests/types.js';
import type { ReconcileMetricResult } from '../observability/metrics.js';
import type { ResourceChange } from '../resources/types.js';
import type { Plan } from './planner.js';
import { done, retry, stalled, type ReconcileResult } from './reconcile-result.js';
import type { ReconcileOutcome } from './status.js';

export type KeyDecision =
  /** The plan has nothing for this key: not desired, and not an owned object to prune. */
  | { type: 'absent' }
  /** Planning failed for this key, or for the whole plan (a dependency cycle). */
  | { type: 'error'; message: string }
  /** Objects this change needs are not in place yet: retry after they are. */
  | { type: 'blocked'; waitingFor: IdentityKey[] }
  /** Run this change (a no-op too: executing it records adoption in the inventory). */
  | { type: 'apply'; change: ResourceChange };

export function decideForKey(plan: Pick<Plan, 'changes' | 'waitsFor' | 'errors'>, key: IdentityKey): KeyDecision {
  const own = plan.errors.filter((e) => e.key === key || e.key === undefined);
  if (own.length > 0) return { type: 'error', message: own.map((e) => e.message).join('; ') };
  const change = plan.changes.find((c) => c.key === key);
  if (!change) return { type: 'absent' };
  const byKey = new Map(plan.changes.map((c) => [c.key, c] as const));
  // A dependency whose own change is a no-op is in place; anything else still has to happen.
  const waitingFor = (plan.waitsFor.get(key) ?? []).filter((dep) => {
    const depChange = byKey.get(dep);
    return depChange !== undefined && (depChange.action !== 'no-op' || depChange.refused !== undefined);
  });
  if (waitingFor.length > 0 && change.action !== 'no-op') return { type: 'blocked', waitingFor: [...waitingFor].sort() };
  return { type: 'apply', change };
}

/** How an executed change ended, in the executor's terms. */
export type ExecutionOutcome = 'succeeded' | 'unchanged' | 'failed' | 'refused' | 'skipped';

export interface ReportedResult {
  /** Label of reconcile_total / reconcile_duration_seconds. */
  result: ReconcileMetricResult;
  /** What the status store records; null: the object left management (pruned), drop its entry. */
  status: ReconcileOutcome | null;
  /** What the work queue does with the key next. */
  next: ReconcileResult;
}

function pendingRestart(change: Pick<ResourceChange, 'restartPending'>): boolean {
  return (change.restartPending?.length ?? 0) > 0;
}

export function reportExecution(
  change: Pick<ResourceChange, 'action' | 'restartRequired' | 'refused' | 'restartPending'>,
  outcome: ExecutionOutcome,
  error?: { message: string; codeName?: string },
): ReportedResult {
  switch (outcome) {
    case 'unchanged':
      // Nothing to do now, but the guest still runs old config: never "synced".
      return pendingRestart(change)
        ? { result: 'unchanged', status: { state: 'restart-pending', changed: false }, next: done }
        : { result: 'unchanged', status: { state: 'synced', changed: false }, next: done };
    case 'succeeded':
      if (change.action === 'delete') return { result: 'changed', status: null, next: done };
      return change.restartRequired || pendingRestart(change)
        ? { result: 'changed', status: { state: 'restart-pending', changed: true }, next: done }
        : { result: 'changed', status: { state: 'synced', changed: true }, next: done };
    case 'refused': {
      // Retrying cannot help: only a manifest edit (which enqueues the key again) can.
      const message = change.refused ?? error?.message ?? 'refused';
      return { result: 'error', status: { state: 'refused', error: { code: 'refused', message } }, next: stalled(message) };
    }
    case 'failed':
    case 'skipped': {
      const message = error?.message ?? `change ${outcome}`;
      return {
        result: 'error',
        status: { state: 'failed', error: { ...(error?.codeName ? { code: error.codeName } : {}), message } },
        next: retry(new Error(message)),
      };
    }
  }
}

/**
 * Tells drift (the host moved away from a manifest it matched) from rollout (the manifest
 * changed). A difference counts as drift only when the key was last seen in sync with the very
 * same manifest content; after counting, the key must sync again before it can count again, so
 * retries of one drift are one drift.
 */
export class DriftTracker {
  readonly #syncedWith = new Map<IdentityKey, string>();

  /** Call when a reconcile found differences; true when they are drift. */
  differencesFound(key: IdentityKey, fingerprint: string | undefined): boolean {
    const synced = this.#syncedWith.get(key);
    this.#syncedWith.delete(key);
    return fingerprint !== undefined && synced === fingerprint;
  }

  /** Call when a reconcile left the key matching its manifest. */
  synced(key: IdentityKey, fingerprint: string | undefined): void {
    if (fingerprint === undefined) this.#syncedWith.delete(key);
    else this.#syncedWith.set(key, fingerprint);
  }

  forget(key: IdentityKey): void {
    this.#syncedWith.delete(key);
  }
}
