// One key's reconcile, for the work queue: re-read that object and what its manifest refers to,
// plan only those, run this key's change, and say what the queue does next (a ReconcileResult).
// Deletions are left to full syncs, where the empty-tree guard sees them all.
import type { DesiredState, IdentityKey } from '../manifests/types.js';
import type { Logger } from '../observability/logger.js';
import type { ApplyReport } from './executor.js';
import type { LiveResource, ResourceChange } from '../resources/types.js';
import { message } from './daemon-async.js';
import type { HostSession, LiveUpdate, OwnershipStore } from './daemon-engine.js';
import type { Plan } from './planner.js';
import { decideForKey } from './reconcile-decision.js';
import { done, requeueAfter, retry, stalled, type ReconcileResult } from './reconcile-result.js';
import type { ReconcileParts } from './daemon-parts.js';

/**
 * How long a key waiting for a dependency waits before it looks again by itself. Only a safety
 * net: the dependency's success wakes its waiters at once (ObjectBookkeeping.waitFor).
 */
export const DEPENDENCY_RECHECK_MS = 30_000;

export interface KeyReconcilerOptions extends ReconcileParts {
  /** Delay of a key that found libvirt not connected: the reconnect's full sync covers it anyway. */
  reconnectWaitMs: number;
  /** Delay of a key waiting for a dependency (the dependency's success wakes it sooner). */
  dependencyWaitMs: number;
  /** Asks for a full sync (a manifest gone under --prune: deletions are weighed all at once). */
  fullSync(reason: string): void;
}

export class KeyReconciler {
  readonly #opts: KeyReconcilerOptions;

  constructor(opts: KeyReconcilerOptions) {
    this.#opts = opts;
  }

  /** The queue's handler: never runs during a full sync (SyncGate), never throws. */
  reconcile(key: IdentityKey): Promise<ReconcileResult> {
    return this.#opts.gate.shared(async () => {
      // Before the first full sync's read the key is left to that sync, which covers it.
      const counts = this.#opts.connection.live !== null;
      let result: ReconcileResult;
      try {
        result = await this.#reconcile(key);
      } catch (err) {
        result = retry(err);
      }
      // Waiting for a dependency or for libvirt is no outcome yet; a failure is one.
      if (counts && result.type !== 'requeueAfter') this.#opts.applied.attempted(key);
      return result;
    });
  }

  async #reconcile(key: IdentityKey): Promise<ReconcileResult> {
    const { engine, book, connection } = this.#opts;
    const desired = this.#opts.source.desired;
    const session = connection.session;
    const inventory = connection.inventory;
    const live = connection.live;
    if (!desired) return done;
    if (!session || !inventory) return requeueAfter(this.#opts.reconnectWaitMs, 'not connected to libvirt');
    // Not read yet: the full sync under way (or the next one) covers this key.
    if (!live) return done;

    const log = this.#opts.logger.child({ key });
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;

    const loaded = desired.byKey.get(key);
    if (!loaded) {
      if (this.#opts.prune && key in inventory.snapshot.objects) this.#opts.fullSync(`prune ${key}`);
      else book.leaveManagement(key, desired);
      return done;
    }

    let plan: Plan;
    const scope = [key, ...engine.dependencies(loaded.manifest)];
    try {
      for (const k of scope) applyLiveUpdate(live, await engine.readFor(session, k));
      const only = new Set(scope);
      const secretValues = await engine.assessSecrets?.(desired, only);
      plan = engine.plan({
        desired,
        live,
        inventory: inventory.snapshot,
        prune: false,
        only,
        settleIntents: false,
        ...(secretValues ? { secretValues } : {}),
      });
    } catch (err) {
      // The connection went away under us: not the object's fault, and the reconnect resyncs it.
      if (connection.lost(session)) return requeueAfter(this.#opts.reconnectWaitMs, message(err));
      book.failed(key, seconds(), message(err), log);
      return retry(err);
    }

    const decision = decideForKey(plan, key);
    switch (decision.type) {
      case 'absent':
        return done;
      case 'error':
        book.failed(key, seconds(), decision.message, log);
        return retry(new Error(decision.message));
      case 'blocked':
        book.waitFor(key, decision.waitingFor);
        log.debug({ waitingFor: decision.waitingFor }, 'waiting for dependencies');
        return requeueAfter(this.#opts.dependencyWaitMs, `waiting for ${decision.waitingFor.join(', ')}`);
      case 'apply': {
        const held = book.heldBack(decision.change, log);
        if (held !== null) return stalled(held);
        return this.#apply(decision.change, plan, desired, session, inventory, started, log);
      }
    }
  }

  async #apply(
    change: ResourceChange,
    plan: Plan,
    desired: DesiredState,
    session: HostSession,
    inventory: OwnershipStore,
    started: number,
    log: Logger,
  ): Promise<ReconcileResult> {
    const { book, echoes } = this.#opts;
    book.noteDrift(change, log);
    const single: Plan = {
      changes: [change],
      waitsFor: new Map([[change.key, []]]),
      summary: plan.summary,
      errors: [],
      retained: [],
      forgotten: [],
    };
    echoes.expect([change]);
    let report: ApplyReport;
    try {
      report = await this.#opts.engine.execute(single, session, desired, inventory);
    } finally {
      echoes.settled([change], Date.now());
    }
    const result = report.results[0];
    if (!result) return retry(new Error(`executor returned no result for ${change.key}`));
    if (result.outcome === 'failed' && this.#opts.connection.lost(session)) {
      log.info({ error: result.error }, 'connection lost during reconcile; the reconnect resyncs this object');
      return requeueAfter(this.#opts.reconnectWaitMs, 'connection lost during reconcile');
    }
    return book.executed(change, result, started, log);
  }
}

/** Folds a fresh read of one key (or one kind) into the cached view of the host. */
export function applyLiveUpdate(live: Map<IdentityKey, LiveResource>, update: LiveUpdate): void {
  if (update.scope === 'object') {
    if (update.object) live.set(update.key, update.object);
    else live.delete(update.key);
    return;
  }
  for (const [k, object] of live) if (object.kind === update.kind) live.delete(k);
  for (const object of update.objects) live.set(object.key, object);
}
