// The daemon's full sync: one read of the host, one plan, run like apply with bounded
// concurrency. It runs on (re)connect, on the resync timer, and whenever something may have to
// be pruned; the first completed pass makes the daemon ready. Passes never overlap: a request
// during a pass runs one more pass after it. Changes that fail go to the work queue, which
// retries them one key at a time with backoff.
import type { IdentityKey } from '../manifests/types.js';
import type { Logger } from '../observability/logger.js';
import type { ApplyReport } from './executor.js';
import type { Metrics } from '../observability/metrics.js';
import { message } from './daemon-async.js';
import type { HostSession } from './daemon-engine.js';
import type { DaemonMetrics } from './daemon-metrics.js';
import type { Plan } from './planner.js';
import type { ReconcileResult } from './reconcile-result.js';
import type { ReconcileParts } from './daemon-parts.js';

export interface FullSyncOptions extends ReconcileParts {
  metrics: Pick<Metrics, 'setLastSuccessfulSync'>;
  daemonMetrics: Pick<DaemonMetrics, 'setPruneBlocked'>;
  /** Load generation of the desired state in force (AppliedRevision.loaded). */
  desiredGeneration(): number;
  concurrency: number;
  /** A pass that failed as a whole is tried again after this long. */
  retryMs: number;
  stop: AbortSignal;
  /** Hands the result of a key's change to the work queue, which acts on it (a retry: with backoff). */
  report(key: IdentityKey, result: ReconcileResult): void;
  /** A pass completed on the current connection. */
  onCompleted(): void;
}

export class FullSync {
  readonly #opts: FullSyncOptions;
  #syncing: Promise<void> | null = null;
  #again = false;
  #pruneBlocked: string | null = null;

  constructor(opts: FullSyncOptions) {
    this.#opts = opts;
  }

  /** Why the empty-tree guard holds prune back (one line), or null. */
  get pruneBlocked(): string | null {
    return this.#pruneBlocked;
  }

  /** Runs a pass; a second request during a pass runs one more pass after it. */
  run(reason: string): Promise<void> {
    if (this.#syncing) {
      this.#again = true;
      return this.#syncing;
    }
    this.#syncing = (async () => {
      try {
        do {
          this.#again = false;
          await this.#pass(reason);
        } while (this.#again && !this.#opts.stop.aborted);
      } finally {
        this.#syncing = null;
      }
    })();
    return this.#syncing;
  }

  async #pass(reason: string): Promise<void> {
    const { connection, book, stop } = this.#opts;
    const session = connection.session;
    if (!this.#opts.source.desired || !session || !connection.inventory) return;
    let generation = 0;
    const completed = await this.#opts.gate.exclusive(() => {
      generation = this.#opts.desiredGeneration(); // #once takes the desired state in this same tick
      return this.#once(reason, session);
    });
    // A pass cut short by a lost connection or shutdown proves nothing about the host.
    if (!completed || connection.session !== session || stop.aborted) return;
    this.#opts.applied.fullSyncDone(generation);
    const counts = book.status.counts();
    if (counts.failed === 0) this.#opts.metrics.setLastSuccessfulSync(new Date(book.status.markSynced()));
    this.#opts.logger.info({ reason, ...counts }, 'full sync done');
    this.#opts.onCompleted();
  }

  /** One read of the host, one plan, run like apply. False when the pass could not complete. */
  async #once(reason: string, session: HostSession): Promise<boolean> {
    const { engine, connection, book, echoes } = this.#opts;
    const desired = this.#opts.source.desired;
    const inventory = connection.inventory;
    if (!desired || !inventory || connection.session !== session) return false;
    const log = this.#opts.logger.child({ sync: reason });
    const started = performance.now();
    log.info({ reason, objects: desired.manifests.length }, 'full sync');

    let plan: Plan;
    try {
      const live = await engine.readLive(session);
      connection.live = new Map(live);
      const secretValues = await engine.assessSecrets?.(desired);
      plan = engine.plan({
        desired,
        live,
        inventory: inventory.snapshot,
        prune: this.#opts.prune,
        settleIntents: true,
        ...(secretValues ? { secretValues } : {}),
      });
    } catch (err) {
      if (connection.lost(session)) return false;
      log.warn({ err: message(err) }, 'full sync could not read or plan the host; retrying');
      this.#retryLater();
      return false;
    }
    this.#setPruneBlocked(plan.pruneBlocked ?? null, log);

    // Recorded objects neither desired nor on the host any more: nothing left to report.
    for (const key of plan.forgotten) book.leaveManagement(key, desired);
    const planned = new Set(plan.changes.map((c) => c.key));
    for (const { key } of plan.retained) if (!planned.has(key) && !desired.byKey.has(key)) book.leaveManagement(key, desired);

    const errorsByKey = new Map<IdentityKey, string>();
    const planWide = plan.errors.filter((e) => e.key === undefined).map((e) => e.message);
    for (const e of plan.errors)
      if (e.key !== undefined) errorsByKey.set(e.key, [errorsByKey.get(e.key), e.message].filter(Boolean).join('; '));
    for (const [key, msg] of errorsByKey) book.failed(key, 0, msg, log);
    if (planWide.length > 0) {
      // A dependency cycle: no change can be ordered, so none runs; every key is failed with it.
      for (const change of plan.changes) book.failed(change.key, 0, planWide.join('; '), log);
      return true;
    }

    const held = new Set(plan.changes.filter((c) => !errorsByKey.has(c.key) && book.heldBack(c, log) !== null).map((c) => c.key));
    const runnable: Plan = { ...plan, changes: plan.changes.filter((c) => !errorsByKey.has(c.key) && !held.has(c.key)), errors: [] };
    const byKey = new Map(runnable.changes.map((c) => [c.key, c] as const));
    for (const change of runnable.changes) book.noteDrift(change, log);
    echoes.expect(runnable.changes);
    let report: ApplyReport;
    try {
      report = await engine.execute(runnable, session, desired, inventory, this.#opts.concurrency);
    } catch (err) {
      if (connection.lost(session)) return false;
      log.warn({ err: message(err) }, 'full sync could not run its plan; retrying');
      this.#retryLater();
      return false;
    }
    echoes.settled(runnable.changes, Date.now());
    if (connection.lost(session)) return false;
    for (const result of report.results) {
      const change = byKey.get(result.key);
      if (!change) continue;
      this.#opts.report(result.key, book.executed(change, result, started, log.child({ key: result.key })));
    }
    return true;
  }

  /** A full sync that failed as a whole is tried again after the first backoff step. */
  #retryLater(): void {
    const timer = setTimeout(() => {
      if (this.#opts.connection.session && !this.#opts.stop.aborted) void this.run('retry');
    }, this.#opts.retryMs);
    timer.unref();
  }

  #setPruneBlocked(reason: string | null, log: Logger): void {
    if (reason === this.#pruneBlocked) return;
    this.#pruneBlocked = reason;
    this.#opts.daemonMetrics.setPruneBlocked(reason !== null);
    if (reason !== null) {
      log.warn({ reason }, 'prune blocked by the empty-tree guard; nothing is deleted');
      return;
    }
    // The full sync that lifted the guard runs the deletions it held back in the same plan.
    log.info('prune no longer blocked');
  }
}
