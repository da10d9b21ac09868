// The convergence guard. A change libvirt accepts but does not keep (an xml.merge element it
// drops, such as <memoryBacking/>) reads back different on the very fields just changed, and
// every resync would redefine the object again. An object changed successfully twice in a row on
// the same fields, with the same manifest and no event from anyone else in between, and found
// different on them once more, is stalled: left alone, retried with backoff, or at once when its
// manifest changes. (Once is not enough: a change nobody announces, or a host that came back
// empty, also makes the next plan repeat the last change, and deserves that one repeat.) Pure: the controller feeds it what happened and asks it before each change.
import type { IdentityKey } from '../manifests/types.js';
import type { ResourceChange } from '../resources/types.js';

export const STALL_BACKOFF_MS = 5 * 60_000;
export const STALL_BACKOFF_MAX_MS = 60 * 60_000;
/** Lifecycle fields are what operators and guests change all the time: their differences are drift, never a stall. */
const LIFECYCLE_FIELDS = new Set(['spec.state']);

interface LastChange {
  fingerprint: string | undefined;
  fields: Set<string>;
  /** Changes in a row before this one with the same manifest on the same fields. */
  repeats: number;
}

function overlap(a: ReadonlySet<string>, b: readonly string[]): string[] | undefined {
  const common = b.filter((f) => a.has(f));
  // Kinds that report no fields (a replace) repeat "the change" as a whole.
  if (common.length > 0 || (a.size === 0 && b.length === 0)) return common;
  return undefined;
}

interface Stall {
  fingerprint: string | undefined;
  fields: string[];
  attempts: number;
  retryAt: number;
}

export type StallVerdict = { stalled: false } | { stalled: true; message: string; retryAt: number };

export class ConvergenceGuard {
  readonly #lastChange = new Map<IdentityKey, LastChange>();
  readonly #stalls = new Map<IdentityKey, Stall>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Objects currently stalled (the virtkeeper_stalled_objects gauge). */
  get stalledCount(): number {
    return this.#stalls.size;
  }

  /**
   * Asked before running `change` for a manifest with `fingerprint`: stalled when the same
   * fields differ again right after our last change to them, or while a stall's backoff runs.
   */
  check(change: Pick<ResourceChange, 'key' | 'action' | 'changes'>, fingerprint: string | undefined): StallVerdict {
    if (change.action === 'no-op' || change.action === 'delete') return { stalled: false };
    const key = change.key;
    const now = this.now();
    const fields = change.changes.map((c) => c.path).filter((p) => !LIFECYCLE_FIELDS.has(p));
    // Only lifecycle fields differ (a guest stopped, again): drift to correct, never a stall.
    if (change.changes.length > 0 && fields.length === 0) return { stalled: false };
    const stall = this.#stalls.get(key);
    if (stall) {
      if (stall.fingerprint !== fingerprint) {
        this.#stalls.delete(key);
        return { stalled: false };
      }
      if (now < stall.retryAt) return { stalled: true, message: stallMessage(stall.fields), retryAt: stall.retryAt };
      // Backoff over: one more try; if it does not stick either, the next stall waits longer.
      return { stalled: false };
    }
    const last = this.#lastChange.get(key);
    if (!last || last.fingerprint !== fingerprint || last.repeats < 1) return { stalled: false };
    const again = overlap(last.fields, fields);
    if (!again) return { stalled: false };
    const attempts = 1;
    const retryAt = now + STALL_BACKOFF_MS;
    this.#stalls.set(key, { fingerprint, fields: again, attempts, retryAt });
    return { stalled: true, message: stallMessage(again), retryAt };
  }

  /** `change` ran successfully: remember what it changed, for the next check. */
  changed(change: Pick<ResourceChange, 'key' | 'action' | 'changes'>, fingerprint: string | undefined): void {
    if (change.action === 'no-op') return;
    const fields = change.changes.map((c) => c.path).filter((p) => !LIFECYCLE_FIELDS.has(p));
    const last = this.#lastChange.get(change.key);
    const repeats = last && last.fingerprint === fingerprint && overlap(last.fields, fields) ? last.repeats + 1 : 0;
    this.#lastChange.set(change.key, { fingerprint, fields: new Set(fields), repeats });
    const stall = this.#stalls.get(change.key);
    if (stall) {
      // The retry after a backoff: if it still does not stick, wait twice as long next time.
      stall.attempts += 1;
      stall.retryAt = this.now() + Math.min(STALL_BACKOFF_MS * 2 ** (stall.attempts - 1), STALL_BACKOFF_MAX_MS);
    }
  }

  /** Someone else changed the object (an event that is not our echo): a difference now is theirs, not a stall. */
  touched(key: IdentityKey): void {
    this.#lastChange.delete(key);
  }

  /** The object read back as the manifest says: whatever was pending is settled. */
  converged(key: IdentityKey): void {
    this.#lastChange.delete(key);
    this.#stalls.delete(key);
  }

  forget(key: IdentityKey): void {
    this.converged(key);
  }
}

function stallMessage(fields: readonly string[]): string {
  const what = fields.length > 0 ? fields.join(', ') : 'the change';
  return `libvirt does not keep ${what}: applied, then read back different; retried with backoff or when the manifest changes`;
}
