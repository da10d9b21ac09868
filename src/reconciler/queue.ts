/**
 * Keyed work queue for the daemon: one entry per object (`kind/name`), never two runs of the
 * same key at once. The handler returns a ReconcileResult (a full sync reports those of the
 * changes it ran, see `report`) and the queue acts on it in one place (#settle): `done` resets the key's backoff; `requeueAfter` looks again later without counting
 * a failure; `retry` (or a handler that throws) counts a failure and waits as the rate limiter
 * says; `stalled` drops the key until something adds it again.
 *
 * p-queue gives bounded concurrency and FIFO order but knows nothing about keys, so the
 * de-duplication, the "run once more" flag and the delay timers live here, around it; how long
 * a failing key waits is the rate limiter's business (rate-limiter.ts).
 *
 * Semantics of `add(key)` by the key's current situation:
 * - idle            → enqueued.
 * - waiting         → no-op (dedupe: many triggers, one run).
 * - running         → marked dirty; runs exactly once more after the current run finishes.
 * - delayed (backoff after a failure, or a requeueAfter) → no-op: the timer is kept, so a
 *   flapping event source cannot turn backoff into a hot loop. `{immediate: true}` cancels the
 *   timer and enqueues now (for a user-visible trigger such as a new git revision). The attempt
 *   count is kept either way; only `done` or `stalled` resets it.
 * A key that fails while marked dirty goes to backoff; the retry covers the dirty mark,
 * unless that re-add asked for `{immediate: true}`, in which case it is enqueued at once. A key
 * that ends any other way while marked dirty is enqueued at once.
 */
import { kindKey, splitKey } from '../manifests/keys.js';
import { EventEmitter } from 'node:events';
import PQueue from 'p-queue';
import { ExponentialBackoff, type BackoffOptions, type RateLimiter } from './rate-limiter.js';
import { retry, type ReconcileResult } from './reconcile-result.js';

export { backoffDelay, type BackoffOptions } from './rate-limiter.js';

export type QueueKey = string;
/** Reconciles one key. A throw counts as `retry(error)`. */
export type QueueHandler = (key: QueueKey) => Promise<ReconcileResult>;

export interface ProcessedEvent {
  key: QueueKey;
  result: ReconcileResult;
  durationMs: number;
}

export interface RetryEvent {
  key: QueueKey;
  /** Consecutive failures of this key so far (1 after the first failure). */
  attempt: number;
  delayMs: number;
}

export interface RequeueEvent {
  key: QueueKey;
  delayMs: number;
  reason: string;
}

export interface WorkQueueEvents {
  processed: [ProcessedEvent];
  retry: [RetryEvent];
  /** A `requeueAfter`: the key is looked at again later, no failure counted. */
  requeue: [RequeueEvent];
  /** Emitted whenever `depth()` may have changed, so a gauge can follow it without polling. */
  depth: [number];
}

export interface WorkQueueOptions {
  handler: QueueHandler;
  /** Keys processed in parallel. Default 4. */
  concurrency?: number;
  /** Delays of failing keys; ignored when `rateLimiter` is given. */
  backoff?: BackoffOptions;
  /** How long failing keys wait. Default: ExponentialBackoff with `backoff`. */
  rateLimiter?: RateLimiter;
  /** Monotonic clock in ms, for durations. Injectable for tests. */
  now?: () => number;
  /** Uniform [0, 1) source for the default rate limiter's jitter. Injectable for tests. */
  random?: () => number;
}

export interface AddOptions {
  /** Skip a pending delay (backoff or requeueAfter) for this key. */
  immediate?: boolean;
}

export interface QueueStats {
  waiting: number;
  delayed: number;
  running: number;
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
  readonly #limiter: RateLimiter;
  readonly #now: () => number;

  readonly #waiting = new Set<QueueKey>();
  readonly #running = new Set<QueueKey>();
  /** Re-added while running; value says whether that add asked for `immediate`. */
  readonly #dirty = new Map<QueueKey, boolean>();
  readonly #delayed = new Map<QueueKey, NodeJS.Timeout>();
  #closed = false;

  constructor(opts: WorkQueueOptions) {
    super();
    const concurrency = opts.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    this.#handler = opts.handler;
    this.#pq = new PQueue({ concurrency });
    this.#limiter = opts.rateLimiter ?? new ExponentialBackoff(opts.backoff, opts.random);
    this.#now = opts.now ?? (() => performance.now());
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

  /**
   * A result for `key` reached outside the queue (a full sync ran its change), acted on as if a
   * run of the key had returned it, so both paths end in #settle. A key waiting or running is
   * left to that run. A key waiting out a delay keeps it, unless the result is done or stalled:
   * then there is nothing left to retry.
   */
  report(key: QueueKey, result: ReconcileResult): void {
    if (this.#closed || this.#running.has(key) || this.#waiting.has(key)) return;
    const timer = this.#delayed.get(key);
    if (timer !== undefined) {
      if (result.type !== 'done' && result.type !== 'stalled') return;
      clearTimeout(timer);
      this.#delayed.delete(key);
      this.#emitDepth();
    }
    this.#settle(key, result, undefined);
  }

  /** Keys waiting for a worker plus keys waiting out a backoff delay. Running keys are not counted. */
  depth(): number {
    return this.#waiting.size + this.#delayed.size;
  }

  stats(): QueueStats {
    return { waiting: this.#waiting.size, delayed: this.#delayed.size, running: this.#running.size };
  }

  /** Consecutive failures of a key (0 when its last run ended done or stalled, or it never ran). */
  attempts(key: QueueKey): number {
    return this.#limiter.attempts(key);
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
    let result: ReconcileResult;
    try {
      result = await this.#handler(key);
    } catch (err) {
      result = retry(err);
    }
    const durationMs = this.#now() - started;
    this.#running.delete(key);
    const dirty = this.#dirty.get(key);
    this.#dirty.delete(key);

    // Follow-up work is scheduled before listeners run, so a throwing listener cannot lose it.
    if (!this.#closed) this.#settle(key, result, dirty);
    this.emit('processed', { key, result, durationMs });
  }

  /** The one place a key's result turns into what happens to it next. `dirty`: re-added during the run (true: immediately). */
  #settle(key: QueueKey, result: ReconcileResult, dirty: boolean | undefined): void {
    switch (result.type) {
      case 'done':
      case 'stalled':
        // Converged, or trying again cannot help: the next trigger starts from the first delay.
        this.#limiter.forget(key);
        if (dirty !== undefined) this.#enqueue(key);
        return;
      case 'requeueAfter':
        // Waiting is no failure: the count stays as it is, neither raised nor reset.
        if (dirty !== undefined) this.#enqueue(key);
        else {
          this.#delay(key, result.ms);
          this.emit('requeue', { key, delayMs: result.ms, reason: result.reason });
        }
        return;
      case 'retry': {
        const delayMs = this.#limiter.when(key);
        if (dirty === true) {
          this.#enqueue(key);
          return;
        }
        this.#delay(key, delayMs);
        this.emit('retry', { key, attempt: this.attempts(key), delayMs });
        return;
      }
    }
  }

  #delay(key: QueueKey, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      if (!this.#closed) this.#enqueue(key);
    }, delayMs);
    // A pending retry alone must not keep a CLI process alive.
    timer.unref();
    this.#delayed.set(key, timer);
    this.#emitDepth();
  }

  #emitDepth(): void {
    this.emit('depth', this.depth());
  }
}
