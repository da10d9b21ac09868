// Per-key rate limiting of retries, apart from the queue so the queue's bookkeeping (which key
// waits, runs, is dirty) does not depend on how long failures wait; client-go's workqueue keeps
// the same split. The queue asks `when` after each failure and calls `forget` after a success.

/** How long a failing key waits before its next try. */
export interface RateLimiter {
  /** Counts one more failure of `key` and returns the delay before its retry, in ms. */
  when(key: string): number;
  /** Consecutive failures counted for `key` (0 after `forget`). */
  attempts(key: string): number;
  /** The key succeeded, or gave up for good: its next failure starts from the first delay. */
  forget(key: string): void;
}

export interface BackoffOptions {
  /** Delay after the first failure, in ms. Default 1000. */
  baseMs?: number;
  /** Upper bound for any delay, in ms. Default 5 minutes. */
  maxMs?: number;
  /**
   * Fraction in [0, 1]: the delay is reduced by up to this share at random, so keys that
   * failed together (e.g. libvirtd restarted) do not retry in lockstep. Default 0.
   */
  jitter?: number;
}

const DEFAULT_BASE_MS = 1000;
const DEFAULT_MAX_MS = 5 * 60 * 1000;

/** Delay before retry number `attempt` (1-based), before jitter. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  // Exponent clamped so huge attempt counts cannot overflow to Infinity/NaN.
  const exp = Math.min(Math.max(attempt - 1, 0), 52);
  return Math.min(maxMs, baseMs * 2 ** exp);
}

/** base × 2^(n−1) capped at max, shortened by up to `jitter` at random; per key. */
export class ExponentialBackoff implements RateLimiter {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #jitter: number;
  readonly #random: () => number;
  readonly #failures = new Map<string, number>();

  /** `random`: uniform [0, 1) source for jitter, injectable for tests. */
  constructor(opts: BackoffOptions = {}, random: () => number = Math.random) {
    const jitter = opts.jitter ?? 0;
    if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`backoff.jitter must be within [0, 1], got ${jitter}`);
    this.#baseMs = opts.baseMs ?? DEFAULT_BASE_MS;
    this.#maxMs = opts.maxMs ?? DEFAULT_MAX_MS;
    this.#jitter = jitter;
    this.#random = random;
  }

  when(key: string): number {
    const attempt = this.attempts(key) + 1;
    this.#failures.set(key, attempt);
    const full = backoffDelay(attempt, this.#baseMs, this.#maxMs);
    return Math.round(full * (1 - this.#jitter * this.#random()));
  }

  attempts(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }
}
