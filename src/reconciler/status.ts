/**
 * In-memory status of every managed object, as shown by `/status` and counted by the
 * `managed_objects` gauge. No I/O: the controller feeds it reconcile outcomes.
 */
import { kindKey } from '../manifests/keys.js';
import { redactSecretsIn } from '../manifests/redact.js';

/**
 * `restart-pending`: defined as the manifest says, but running with old config until restarted (restartPolicy manual).
 * `stalled`: changed as the manifest says, yet read back different on the same fields (libvirt
 * drops what was asked); retried only with backoff or when the manifest changes.
 * `refused`: the plan will not make the change (a shrink, a replace without its annotation);
 * not retried, only a manifest edit can move it. Unlike `failed`, trying again cannot help.
 */
export type SyncState = 'synced' | 'out-of-sync' | 'restart-pending' | 'stalled' | 'refused' | 'failed' | 'pending';

export const SYNC_STATES: readonly SyncState[] = ['synced', 'out-of-sync', 'restart-pending', 'stalled', 'refused', 'failed', 'pending'];

export interface StatusError {
  code?: string;
  message: string;
}

export interface ObjectStatus {
  kind: string;
  name: string;
  state: SyncState;
  /** Error of the last failed reconcile; cleared by the next success. */
  lastError?: StatusError;
  /** When the state changed, or virtkeeper last applied actions to the object (ISO 8601). */
  lastChange?: string;
  /** When a reconcile last found the object matching its manifest (ISO 8601). */
  lastSync?: string;
}

/**
 * What one reconcile of one object concluded.
 * - `synced`: live matches desired; `changed` says actions were applied to get there.
 * - `out-of-sync`: drift found and left in place (plan-only mode, or a change that waits for a
 *   restart); `changed` is true when part of it was applied.
 * - `stalled`, `refused`: terminal until something changes (see SyncState).
 * - `failed`: the reconcile threw.
 */
export type ReconcileOutcome =
  | { state: 'synced'; changed?: boolean }
  | { state: 'out-of-sync'; changed?: boolean }
  | { state: 'restart-pending'; changed?: boolean }
  | { state: 'stalled'; error: StatusError }
  | { state: 'refused'; error: StatusError }
  | { state: 'failed'; error: StatusError };

export interface StatusSnapshot {
  /** Git revision of the manifests last loaded, null when unknown. */
  revision: string | null;
  /** When the controller last marked a full sync pass complete (ISO 8601), null before the first. */
  lastSync: string | null;
  counts: Record<SyncState, number>;
  /** Sorted by kind, then name, so the output is stable between calls. */
  objects: ObjectStatus[];
}

export interface StatusStoreOptions {
  now?: () => Date;
}

/** Status entries are keyed by identity key, built by the one key builder. */
function statusKey(kind: string, name: string): string {
  return kindKey(kind, name);
}

export class StatusStore {
  readonly #now: () => Date;
  readonly #objects = new Map<string, ObjectStatus>();
  #revision: string | null = null;
  #lastSync: string | null = null;

  constructor(opts: StatusStoreOptions = {}) {
    this.#now = opts.now ?? (() => new Date());
  }

  /** Registers an object from the manifests as `pending`; a known object is left as it is. */
  track(kind: string, name: string): void {
    const key = statusKey(kind, name);
    if (!this.#objects.has(key)) this.#objects.set(key, { kind, name, state: 'pending' });
  }

  /**
   * Makes the store hold exactly the given objects: unknown ones start `pending`, objects that
   * left the manifests are dropped. Called after each manifest load.
   */
  replaceDesired(objects: Iterable<{ kind: string; name: string }>): void {
    const keep = new Set<string>();
    for (const { kind, name } of objects) {
      keep.add(statusKey(kind, name));
      this.track(kind, name);
    }
    for (const key of [...this.#objects.keys()]) if (!keep.has(key)) this.#objects.delete(key);
  }

  remove(kind: string, name: string): void {
    this.#objects.delete(statusKey(kind, name));
  }

  /** Records a reconcile outcome; an object not yet tracked is added. Returns a copy of the entry. */
  record(kind: string, name: string, outcome: ReconcileOutcome): ObjectStatus {
    const key = statusKey(kind, name);
    const prev = this.#objects.get(key) ?? { kind, name, state: 'pending' as const };
    const at = this.#now().toISOString();
    const next: ObjectStatus = { kind, name, state: outcome.state };

    if ('error' in outcome) {
      // /status is served to anyone who can reach the port: no URL userinfo, no password in it.
      next.lastError = { ...outcome.error, message: redactSecretsIn(outcome.error.message) };
    }
    const changed = 'changed' in outcome && outcome.changed === true;
    const lastChange = prev.state !== outcome.state || changed ? at : prev.lastChange;
    if (lastChange !== undefined) next.lastChange = lastChange;
    const lastSync = outcome.state === 'synced' ? at : prev.lastSync;
    if (lastSync !== undefined) next.lastSync = lastSync;

    this.#objects.set(key, next);
    return copy(next);
  }

  get(kind: string, name: string): ObjectStatus | undefined {
    const entry = this.#objects.get(statusKey(kind, name));
    return entry && copy(entry);
  }

  setRevision(revision: string | null): void {
    this.#revision = revision;
  }

  /** Marks the end of a full sync pass; the time is returned for the matching metric. */
  markSynced(at: Date = this.#now()): string {
    this.#lastSync = at.toISOString();
    return this.#lastSync;
  }

  counts(): Record<SyncState, number> {
    const counts: Record<SyncState, number> = {
      synced: 0,
      'out-of-sync': 0,
      'restart-pending': 0,
      stalled: 0,
      refused: 0,
      failed: 0,
      pending: 0,
    };
    for (const o of this.#objects.values()) counts[o.state]++;
    return counts;
  }

  /** The entries as they are, unsorted and uncopied: for counting, not for handing out. */
  objects(): Iterable<Readonly<ObjectStatus>> {
    return this.#objects.values();
  }

  snapshot(): StatusSnapshot {
    const objects = [...this.#objects.values()].sort((a, b) => cmp(a.kind, b.kind) || cmp(a.name, b.name)).map(copy);
    return { revision: this.#revision, lastSync: this.#lastSync, counts: this.counts(), objects };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function copy(o: ObjectStatus): ObjectStatus {
  return o.lastError ? { ...o, lastError: { ...o.lastError } } : { ...o };
}
