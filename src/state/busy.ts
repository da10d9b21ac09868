// Retrying what SQLite refused with SQLITE_BUSY without waiting. Processes opening a new
// state.db at the same moment (two applies started together) contend for the lock that switching
// it to WAL takes; where waiting could deadlock, SQLite answers BUSY at once instead of calling its
// busy handler (seen once in 160 opens of 8 processes at once).

/** How long to keep retrying. */
export const BUSY_RETRY_MS = 10_000;

/** Runs `fn` again while it throws SQLITE_BUSY, pausing 5 ms doubling to 100 ms, for up to `retryMs`. */
export function whileBusy<T>(fn: () => T, retryMs = BUSY_RETRY_MS, now: () => number = Date.now): T {
  const deadline = now() + retryMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || now() > deadline) throw err;
      // A synchronous pause: opening the store is synchronous, and the other process needs milliseconds.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(5 * 2 ** attempt, 100));
    }
  }
}
