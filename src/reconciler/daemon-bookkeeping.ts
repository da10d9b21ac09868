// Status bookkeeping of the daemon in one place, whichever path reconciled the object (a full
// sync or a per-key reconcile): /status entries, reconcile and drift metrics, the convergence
// guard and its verdicts in the state store, outcomes for `virtkeeper status`, and keys waiting
// for a dependency. Each executed change is turned here into the ReconcileResult the queue
// acts on.
import type { DesiredState, IdentityKey } from '../manifests/types.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { ResourceChange } from '../resources/types.js';
import { ConvergenceGuard } from './convergence.js';
import type { OwnershipStore } from './daemon-engine.js';
import { fingerprintDigest } from './daemon-keys.js';
import type { DaemonMetrics } from './daemon-metrics.js';
import type { ChangeResult } from './executor.js';
import { parseQueueKey } from './queue.js';
import { DriftTracker, reportExecution } from './reconcile-decision.js';
import type { ReconcileResult } from './reconcile-result.js';
import { formatChangeError } from './render/apply.js';
import { StatusStore } from './status.js';

export interface BookkeepingDeps {
  metrics: Metrics;
  daemonMetrics: DaemonMetrics;
  /** key → fingerprint of the manifest in force. */
  fingerprint(key: IdentityKey): string | undefined;
  /** The state store of the current host, when connected. */
  inventory(): OwnershipStore | null;
  /** Enqueues a key now, ahead of any backoff (a dependant whose dependency converged). */
  wake(key: IdentityKey): void;
  /** Enqueues a key (a dependency a dependant waits for). */
  enqueue(key: IdentityKey): void;
}

export class ObjectBookkeeping {
  readonly status = new StatusStore();
  readonly #drift = new DriftTracker();
  readonly #convergence = new ConvergenceGuard();
  /** key → retry time of the stall verdict last written to the state store. */
  readonly #persistedStalls = new Map<IdentityKey, number>();
  /** dependency key → keys waiting for its change to succeed. */
  readonly #blocked = new Map<IdentityKey, Set<IdentityKey>>();
  readonly #deps: BookkeepingDeps;

  constructor(deps: BookkeepingDeps) {
    this.#deps = deps;
  }

  /** Someone else changed the object (an event that is not our echo). */
  touched(key: IdentityKey): void {
    this.#convergence.touched(key);
  }

  /** Why the convergence guard holds the change back (the object is stalled, see convergence.ts), or null. */
  heldBack(change: ResourceChange, log: Logger): string | null {
    const verdict = this.#convergence.check(change, this.#deps.fingerprint(change.key));
    if (!verdict.stalled) return null;
    const { kind, name } = parseQueueKey(change.key);
    const previous = this.status.get(kind, name);
    this.status.record(kind, name, { state: 'stalled', error: { code: 'stalled', message: verdict.message } });
    this.#deps.daemonMetrics.setStalledObjects(this.#convergence.stalledCount);
    this.#persistStall(change.key, verdict.message, verdict.retryAt);
    if (previous?.state !== 'stalled')
      log.warn(
        { key: change.key, reason: verdict.message, retryAt: new Date(verdict.retryAt).toISOString() },
        'stalled: not applying the change again',
      );
    return verdict.message;
  }

  /** `key` waits for `dependencies`: it is woken when one of them converges; they are enqueued. */
  waitFor(key: IdentityKey, dependencies: readonly IdentityKey[]): void {
    for (const dep of dependencies) {
      let waiting = this.#blocked.get(dep);
      if (!waiting) this.#blocked.set(dep, (waiting = new Set()));
      waiting.add(key);
      this.#deps.enqueue(dep);
    }
    const { kind, name } = parseQueueKey(key);
    if (this.status.get(kind, name)?.state !== 'failed') this.status.record(kind, name, { state: 'out-of-sync' });
  }

  /** Counts drift: the host moved away from a manifest it matched (see DriftTracker). */
  noteDrift(change: ResourceChange, log: Logger): void {
    if (change.action === 'no-op' || !this.#drift.differencesFound(change.key, this.#deps.fingerprint(change.key))) return;
    this.#deps.metrics.driftDetected(change.kind);
    log.info({ key: change.key, action: change.action, reason: change.reason }, 'drift detected');
  }

  /** Reading or planning `key` failed before any change ran. */
  failed(key: IdentityKey, seconds: number, msg: string, log: Logger): void {
    const { kind, name } = parseQueueKey(key);
    this.#deps.metrics.observeReconcile(kind, 'error', seconds);
    this.status.record(kind, name, { state: 'failed', error: { message: msg } });
    log.warn({ err: msg }, 'reconcile failed');
  }

  /** Status, metrics, logs and dependants of one executed change, and what the queue does with its key next. */
  executed(change: ResourceChange, result: ChangeResult, started: number, log: Logger): ReconcileResult {
    // Status and metrics name objects by their queue key: a volume's change.name lacks its pool.
    const key = change.key;
    const { kind, name } = parseQueueKey(key);
    const fingerprint = this.#deps.fingerprint(key);
    const reported = reportExecution(change, result.outcome, result.error);
    // For `virtkeeper status`; the store writes only what differs from what it holds.
    this.#deps.inventory()?.recordOutcome?.(key, result.outcome, result.error ? formatChangeError(result.error) : undefined);
    this.#deps.metrics.observeReconcile(kind, reported.result, (performance.now() - started) / 1000);

    const previous = this.status.get(kind, name);
    if (reported.status === null) {
      this.status.remove(kind, name);
      this.#drift.forget(key);
    } else {
      this.status.record(kind, name, reported.status);
      if (reported.status.state === 'synced') this.#drift.synced(key, fingerprint);
    }

    if (result.outcome === 'succeeded') {
      log.info(
        { action: change.action, steps: change.steps.map((s) => s.description), restartRequired: change.restartRequired },
        'reconciled',
      );
    } else if (result.outcome === 'unchanged') {
      log.debug('in sync');
    } else {
      // The same failure again (a retry, a dependant re-checking it) is not news.
      const repeated =
        (previous?.state === 'failed' || previous?.state === 'refused') && previous.lastError?.message === result.error?.message;
      log[repeated ? 'debug' : 'warn']({ outcome: result.outcome, error: result.error }, 'reconcile did not converge');
    }

    if (result.outcome === 'succeeded') this.#convergence.changed(change, fingerprint);
    else if (result.outcome === 'unchanged' && change.action === 'no-op') {
      this.#convergence.converged(key);
      this.#dropPersistedStall(key);
    }
    this.#deps.daemonMetrics.setStalledObjects(this.#convergence.stalledCount);
    if (result.outcome === 'succeeded' || result.outcome === 'unchanged') this.#wakeDependants(key);
    return reported.next;
  }

  /** The key is neither desired nor left to prune: drop its status. */
  leaveManagement(key: IdentityKey, desired: DesiredState): void {
    if (desired.byKey.has(key)) return;
    const { kind, name } = parseQueueKey(key);
    this.status.remove(kind, name);
    this.#drift.forget(key);
    this.#convergence.forget(key);
    this.#dropPersistedStall(key);
  }

  #wakeDependants(key: IdentityKey): void {
    const waiting = this.#blocked.get(key);
    if (!waiting) return;
    this.#blocked.delete(key);
    for (const dependant of waiting) this.#deps.wake(dependant);
  }

  /** Leaves the verdict in the state store for plan and apply; written again only when it changes. */
  #persistStall(key: IdentityKey, message: string, retryAt: number): void {
    const fingerprint = this.#deps.fingerprint(key);
    if (this.#persistedStalls.get(key) === retryAt || fingerprint === undefined) return;
    this.#persistedStalls.set(key, retryAt);
    this.#deps.inventory()?.stalls?.mark(key, { manifestDigest: fingerprintDigest(fingerprint), message, retryAt: new Date(retryAt) });
  }

  #dropPersistedStall(key: IdentityKey): void {
    if (!this.#persistedStalls.delete(key)) return;
    this.#deps.inventory()?.stalls?.clear(key);
  }
}
