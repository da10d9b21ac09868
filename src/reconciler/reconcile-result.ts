// What one reconcile of one key concluded, for the work queue: the handler returns it and the
// queue acts on it in one place (queue.ts #settle). Like a Flux reconcile's Result, it tells a
// transient failure (retry, counted and backed off) from waiting (requeueAfter, no failure: a
// dependency not in place yet, libvirt not connected) and from a terminal verdict (stalled:
// nothing to gain by trying again until something new happens).
export type ReconcileResult =
  /** Converged or nothing to do: the key's failure count is reset. */
  | { type: 'done' }
  /** Look again after `ms` without counting a failure (the key is waiting, not failing). */
  | { type: 'requeueAfter'; ms: number; reason: string }
  /** Failed; tried again with the rate limiter's backoff, which counts the failure. */
  | { type: 'retry'; error: unknown }
  /**
   * Trying again cannot help (the plan refused the change, or libvirt does not keep it): not
   * requeued. A new manifest, an event or the resync's full sync adds the key again.
   */
  | { type: 'stalled'; reason: string };

export const done: ReconcileResult = Object.freeze({ type: 'done' });

export function requeueAfter(ms: number, reason: string): ReconcileResult {
  return { type: 'requeueAfter', ms, reason };
}

export function retry(error: unknown): ReconcileResult {
  return { type: 'retry', error };
}

export function stalled(reason: string): ReconcileResult {
  return { type: 'stalled', reason };
}
