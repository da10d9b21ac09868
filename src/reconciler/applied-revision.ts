// Which manifests revision the daemon has applied: the push hook's `wait-applied` says
// "deployed" only once /status reports it. A revision is applied when every key its reload
// enqueued has been reconciled once (succeeded or failed: /status says which), or when a full
// sync over its desired state has completed. Pure: the controller reports loads, attempts and
// full syncs.
import type { IdentityKey } from '../manifests/types.js';

interface Load {
  generation: number;
  revision: string | null;
}

export class AppliedRevision {
  #generation = 0;
  #pending: (Load & { keys: Set<IdentityKey> }) | null = null;
  #applied: Load | null = null;

  /** The revision applied last; null before any, or for a tree without a revision. */
  get revision(): string | null {
    return this.#applied?.revision ?? null;
  }

  /**
   * A valid tree was loaded; `keys` are what the reload enqueued (none when a full sync covers
   * it). Returns the load's generation, for the full sync that runs over it.
   */
  loaded(revision: string | null, keys: readonly IdentityKey[], byFullSync: boolean): number {
    const load = { generation: ++this.#generation, revision };
    if (!byFullSync && keys.length === 0) {
      this.#pending = null;
      this.#applied = load;
    } else {
      this.#pending = { ...load, keys: new Set(byFullSync ? [] : keys) };
    }
    return load.generation;
  }

  /** A per-key reconcile of `key` ran to an outcome. */
  attempted(key: IdentityKey): void {
    const pending = this.#pending;
    if (!pending?.keys.delete(key) || pending.keys.size > 0) return;
    this.#done(pending);
  }

  /** A full sync over the desired state of load `generation` completed: it covered every key. */
  fullSyncDone(generation: number): void {
    if (this.#pending && this.#pending.generation === generation) this.#done(this.#pending);
  }

  #done(load: Load): void {
    this.#pending = null;
    this.#applied = { generation: load.generation, revision: load.revision };
  }
}
