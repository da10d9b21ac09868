/**
 * Keyed work queue for the daemon: one entry per object (`kind/name`), never two runs of the
 * same key at once, failures retried with per-key exponential backoff.
 *
 * p-queue gives bounded concurrency and FIFO order but knows nothing about keys, so the
 * de-duplication, the "run once more" flag and the backoff timers live here, around it.
 *
 * Semantics of `add(key)` by the key's current situation:
 * - idle            → enqueued.
 * - waiting         → no-op (dedupe: many triggers, one run).
 * - running         → marked dirty; runs exactly once more after the current run finishes.
 * - delayed (backoff after a failure) → no-op: the backoff timer is kept, so a flapping event
 *   source cannot turn backoff into a hot loop. `{immediate: true}` cancels the timer and
 *   enqueues now (for a user-visible trigger such as a new git revision). The attempt count
 *   is kept either way; only a success resets it.
 * A key that fails while marked dirty goes to backoff; the retry covers the dirty mark,
 * unless that re-add asked for `{immediate: true}`, in which case it is enqueued at once.
 */
import { kindKey, splitKey } from '../manifests/identity.js';
import { EventEmitter } from 'node:events';
import PQueue from 'p-queue';

export type QueueKey = string;
export type QueueHandler = (key: QueueKey) => Promise<void>;

export interface ProcessedEvent {
  key: QueueKey;
  ok: boolean;
  durationMs: number;
  /** Present when the handler threw or rejected. */
  error?: unknown;
}

export interface RetryEvent {
  key: QueueKey;
  /** Consecutive failures of this key so far (1 after the first failure). */
  attempt: number;
  delayMs: number;
}

export interface WorkQueueEvents {
  processed: [ProcessedEvent];
  retry: [RetryEvent];
  /** Emitted whenever `depth()` may have changed, so a gauge can follow it without polling. */
  depth: [number];
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

export interface WorkQueueOptions {
  handler: QueueHandler;
  /** Keys processed in parallel. Default 4. */
  concurrency?: number;
  backoff?: BackoffOptions;
  /** Monotonic clock in ms, for durations. Injectable for tests. */
  now?: () => number;
  /** Uniform [0, 1) source for jitter. Injectable for tests. */
  random?: () => number;
}

export interface AddOptions {
  /** Skip a pending backoff delay for this key. */
  immediate?: boolean;
}

export interface QueueStats {
  waiting: number;
  delayed: number;
  running: number;
}

const DEFAULT_BASE_MS = 1000;
const DEFAULT_MAX_MS = 5 * 60 * 1000;

/** Delay before retry number `attempt` (1-based), before jitter. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  // Exponent clamped so huge attempt counts cannot overflow to Infinity/NaN.
  const exp = Math.min(Math.max(attempt - 1, 0), 52);
  return Math.min(maxMs, baseMs * 2 ** exp);
}

/** Queue keys are identity keys, built by the one key builder. */
export function queueKey(kind: string, name: string): QueueKey {
  return kindKey(kind, name);
}

/** Splits at the first `/` only: volume names are `pool/name`, so keys may hold two slashes. */
export function parseQueueKey(key: QueueKey): { kind: string; name: string } {
  const parts = splitKey(key);
  if (!parts) throw new Error(`invalid queue key ${JSON.stringify(key)}: expected kind/name`);
  return { kind: parts.kind, name: parts.keyName };
}

export class WorkQueue extends EventEmitter<WorkQueueEvents> {
  readonly #handler: QueueHandler;
  readonly #pq: PQueue;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #jitter: number;
  readonly #now: () => number;
  readonly #random: () => number;

  readonly #waiting = new Set<QueueKey>();
  readonly #running = new Set<QueueKey>();
  /** Re-added while running; value says whether that add asked for `immediate`. */
  readonly #dirty = new Map<QueueKey, boolean>();
  readonly #delayed = new Map<QueueKey, NodeJS.Timeout>();
  readonly #failures = new Map<QueueKey, number>();
  #closed = false;

  constructor(opts: WorkQueueOptions) {
    super();
    const concurrency = opts.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    const jitter = opts.backoff?.jitter ?? 0;
    if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`backoff.jitter must be within [0, 1], got ${jitter}`);
    this.#handler = opts.handler;
    this.#pq = new PQueue({ concurrency });
    this.#baseMs = opts.backoff?.baseMs ?? DEFAULT_BASE_MS;
    this.#maxMs = opts.backoff?.maxMs ?? DEFAULT_MAX_MS;
    this.#jitter = jitter;
    this.#now = opts.now ?? (() => performance.now());
    this.#random = opts.random ?? Math.random;
  }

  /** Returns false once shut down (the key is dropped), true otherwise. */
  add(key: QueueKey, opts: AddOptions = {}): boolean {
    if (this.#closed) return false;
    if (this.#running.has(key)) {
      this.#dirty.set(key, (this.#dirty.get(key) ?? false) || opts.immediate === true);
      return true;
    }
    if (this.#waiting.has(key)) return true;
    const timer = this.#delayed.get(key);
    if (timer !== undefined) {
      if (!opts.immediate) return true;
      clearTimeout(timer);
      this.#delayed.delete(key);
    }
    this.#enqueue(key);
    return true;
  }

  /** Keys waiting for a worker plus keys waiting out a backoff delay. Running keys are not counted. */
  depth(): number {
    return this.#waiting.size + this.#delayed.size;
  }

  stats(): QueueStats {
    return { waiting: this.#waiting.size, delayed: this.#delayed.size, running: this.#running.size };
  }

  /** Consecutive failures of a key (0 when its last run succeeded or it never ran). */
  attempts(key: QueueKey): number {
    return this.#failures.get(key) ?? 0;
  }

  /**
   * Resolves when no key is waiting or running. Keys in backoff do not count: one object that
   * keeps failing must not hold off readiness or a one-shot apply forever.
   */
  async onIdle(): Promise<void> {
    await this.#pq.onIdle();
  }

  /**
   * Stops accepting keys, drops waiting keys, cancels backoff timers and waits for in-flight
   * handlers. Dirty marks of running keys are dropped too: nothing new starts after shutdown.
   */
  async shutdown(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#delayed.values()) clearTimeout(timer);
    this.#delayed.clear();
    this.#pq.clear();
    this.#waiting.clear();
    this.#dirty.clear();
    this.#emitDepth();
    await this.#pq.onIdle();
  }

  #enqueue(key: QueueKey): void {
    this.#waiting.add(key);
    this.#emitDepth();
    // #run never rejects; the catch only keeps a bug there from becoming an unhandled rejection.
    this.#pq.add(() => this.#run(key)).catch(() => undefined);
  }

  async #run(key: QueueKey): Promise<void> {
    this.#waiting.delete(key);
    this.#running.add(key);
    this.#emitDepth();
    const started = this.#now();
    let error: unknown;
    let ok = true;
    try {
      await this.#handler(key);
    } catch (err) {
      ok = false;
      error = err;
    }
    const durationMs = this.#now() - started;
    this.#running.delete(key);
    const dirty = this.#dirty.get(key);
    this.#dirty.delete(key);

    // Follow-up work is scheduled before listeners run, so a throwing listener cannot lose it.
    if (!this.#closed) {
      if (ok) {
        this.#failures.delete(key);
        if (dirty !== undefined) this.#enqueue(key);
      } else if (dirty === true) {
        this.#failures.set(key, this.attempts(key) + 1);
        this.#enqueue(key);
      } else {
        this.#scheduleRetry(key);
      }
    }
    this.emit('processed', ok ? { key, ok, durationMs } : { key, ok, durationMs, error });
  }

  #scheduleRetry(key: QueueKey): void {
    const attempt = this.attempts(key) + 1;
    this.#failures.set(key, attempt);
    const full = backoffDelay(attempt, this.#baseMs, this.#maxMs);
    const delayMs = Math.round(full * (1 - this.#jitter * this.#random()));
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      if (!this.#closed) this.#enqueue(key);
    }, delayMs);
    // A pending retry alone must not keep a CLI process alive.
    timer.unref();
    this.#delayed.set(key, timer);
    this.#emitDepth();
    this.emit('retry', { key, attempt, delayMs });
  }

  #emitDepth(): void {
    this.emit('depth', this.depth());
  }
}
