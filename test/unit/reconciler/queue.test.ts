import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  WorkQueue,
  backoffDelay,
  parseQueueKey,
  queueKey,
  type ProcessedEvent,
  type RequeueEvent,
  type RetryEvent,
} from '../../../src/reconciler/queue.js';
import { done, requeueAfter, retry, stalled, type ReconcileResult } from '../../../src/reconciler/reconcile-result.js';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets queued microtasks (p-queue hand-offs, handler continuations) run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** A handler whose runs are recorded and finished by the test, one deferred per run. */
function controlledHandler() {
  const runs: string[] = [];
  const pending: Deferred[] = [];
  let active = 0;
  let maxActive = 0;
  const activeByKey = new Map<string, number>();
  let overlapSeen = false;
  const handler = async (key: string): Promise<ReconcileResult> => {
    runs.push(key);
    active++;
    maxActive = Math.max(maxActive, active);
    const n = (activeByKey.get(key) ?? 0) + 1;
    activeByKey.set(key, n);
    if (n > 1) overlapSeen = true;
    const d = deferred();
    pending.push(d);
    try {
      await d.promise;
    } finally {
      active--;
      activeByKey.set(key, (activeByKey.get(key) ?? 1) - 1);
    }
    return done;
  };
  return {
    handler,
    runs,
    pending,
    get maxActive() {
      return maxActive;
    },
    get overlapSeen() {
      return overlapSeen;
    },
    /** Finishes the oldest unfinished run. */
    finishNext(err?: Error) {
      const d = pending.shift();
      if (!d) throw new Error('no run in flight');
      if (err) d.reject(err);
      else d.resolve();
    },
  };
}

describe('keys', () => {
  it('builds and splits kind/name keys, keeping slashes in the name', () => {
    expect(queueKey('Domain', 'web-1')).toBe('Domain/web-1');
    expect(parseQueueKey('StorageVolume/images/web-1-root')).toEqual({ kind: 'StorageVolume', name: 'images/web-1-root' });
    expect(() => parseQueueKey('Domain')).toThrow(/kind\/name/);
    expect(() => parseQueueKey('/x')).toThrow();
  });
});

describe('backoffDelay', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, 100, 1000))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(10_000, 100, 1000)).toBe(1000);
  });
});

describe('WorkQueue', () => {
  it('runs a key added many times before it starts exactly once', async () => {
    const h = controlledHandler();
    // concurrency 1 and a blocker ahead, so the repeated adds all happen while "web" waits.
    const q = new WorkQueue({ handler: h.handler, concurrency: 1 });
    q.add('Domain/blocker');
    for (let i = 0; i < 5; i++) q.add('Domain/web');
    expect(q.depth()).toBe(1);
    await flush();
    h.finishNext();
    await flush();
    h.finishNext();
    await q.onIdle();
    expect(h.runs).toEqual(['Domain/blocker', 'Domain/web']);
  });

  it('never runs one key twice at once and runs it exactly once more when re-added while running', async () => {
    const h = controlledHandler();
    const q = new WorkQueue({ handler: h.handler, concurrency: 4 });
    q.add('Network/lan');
    await flush();
    expect(h.runs).toEqual(['Network/lan']);
    // Three re-adds during the run collapse into one follow-up run, not a parallel one.
    q.add('Network/lan');
    q.add('Network/lan');
    q.add('Network/lan');
    await flush();
    expect(h.runs).toHaveLength(1);
    h.finishNext();
    await flush();
    expect(h.runs).toEqual(['Network/lan', 'Network/lan']);
    h.finishNext();
    await q.onIdle();
    expect(h.runs).toHaveLength(2);
    expect(h.overlapSeen).toBe(false);
  });

  it('bounds concurrency', async () => {
    const h = controlledHandler();
    const q = new WorkQueue({ handler: h.handler, concurrency: 2 });
    for (const k of ['a/1', 'a/2', 'a/3', 'a/4', 'a/5']) q.add(k);
    await flush();
    expect(h.runs).toHaveLength(2);
    expect(q.stats()).toEqual({ waiting: 3, delayed: 0, running: 2 });
    expect(q.depth()).toBe(3);
    while (h.pending.length > 0) {
      h.finishNext();
      await flush();
    }
    await q.onIdle();
    expect(h.runs).toEqual(['a/1', 'a/2', 'a/3', 'a/4', 'a/5']);
    expect(h.maxActive).toBe(2);
  });

  it('rejects a non-positive concurrency', () => {
    expect(() => new WorkQueue({ handler: async () => done, concurrency: 0 })).toThrow(RangeError);
  });

  it('reports processed results with durations from the injected clock', async () => {
    let clock = 1000;
    const events: ProcessedEvent[] = [];
    const boom = new Error('boom');
    const q = new WorkQueue({
      handler: async (key) => {
        clock += key === 'k/slow' ? 250 : 5;
        if (key === 'k/bad') throw boom;
        return done;
      },
      now: () => clock,
      concurrency: 1, // runs in sequence, so each duration is its own clock advance
      backoff: { baseMs: 60_000 },
    });
    q.on('processed', (e) => events.push(e));
    q.add('k/slow');
    q.add('k/bad');
    await q.onIdle();
    expect(events).toEqual([
      { key: 'k/slow', result: { type: 'done' }, durationMs: 250 },
      { key: 'k/bad', result: { type: 'retry', error: boom }, durationMs: 5 },
    ]);
    await q.shutdown();
  });

  describe('backoff', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('retries failures with exponential per-key delays up to the cap, and success resets it', async () => {
      let failuresLeft = 4;
      const runsAt: number[] = [];
      const retries: RetryEvent[] = [];
      const q = new WorkQueue({
        handler: async () => {
          runsAt.push(Date.now());
          if (failuresLeft-- > 0) throw new Error('libvirt unavailable');
          return done;
        },
        backoff: { baseMs: 100, maxMs: 300 },
      });
      q.on('retry', (e) => retries.push(e));
      const t0 = Date.now();
      q.add('Domain/web');
      await vi.advanceTimersByTimeAsync(10_000);
      expect(retries).toEqual([
        { key: 'Domain/web', attempt: 1, delayMs: 100 },
        { key: 'Domain/web', attempt: 2, delayMs: 200 },
        { key: 'Domain/web', attempt: 3, delayMs: 300 },
        { key: 'Domain/web', attempt: 4, delayMs: 300 },
      ]);
      expect(runsAt.map((t) => t - t0)).toEqual([0, 100, 300, 600, 900]);
      expect(q.attempts('Domain/web')).toBe(0);

      // After the success, a new failure starts again from the base delay.
      failuresLeft = 1;
      q.add('Domain/web');
      await vi.advanceTimersByTimeAsync(0);
      expect(retries.at(-1)).toEqual({ key: 'Domain/web', attempt: 1, delayMs: 100 });
      await q.shutdown();
    });

    it('keeps backoff per key: one failing key does not delay another', async () => {
      const runs: string[] = [];
      const q = new WorkQueue({
        handler: async (key) => {
          runs.push(key);
          if (key === 'k/bad') throw new Error('nope');
          return done;
        },
        backoff: { baseMs: 1000 },
      });
      q.add('k/bad');
      await vi.advanceTimersByTimeAsync(0);
      q.add('k/good');
      await vi.advanceTimersByTimeAsync(0);
      expect(runs).toEqual(['k/bad', 'k/good']);
      expect(q.attempts('k/bad')).toBe(1);
      expect(q.attempts('k/good')).toBe(0);
      await q.shutdown();
    });

    it('applies jitter as a reduction of at most the configured share', async () => {
      const retries: RetryEvent[] = [];
      const q = new WorkQueue({
        handler: async () => {
          throw new Error('x');
        },
        backoff: { baseMs: 1000, jitter: 0.5 },
        random: () => 0.5,
      });
      q.on('retry', (e) => retries.push(e));
      q.add('k/a');
      await vi.advanceTimersByTimeAsync(0);
      expect(retries).toEqual([{ key: 'k/a', attempt: 1, delayMs: 750 }]);
      await q.shutdown();
    });

    it('keeps the backoff timer when a delayed key is added again, unless immediate', async () => {
      const runsAt: number[] = [];
      const q = new WorkQueue({
        handler: async () => {
          runsAt.push(Date.now());
          throw new Error('still broken');
        },
        backoff: { baseMs: 1000, maxMs: 1000 },
      });
      const t0 = Date.now();
      q.add('k/a');
      await vi.advanceTimersByTimeAsync(0);
      expect(q.stats()).toEqual({ waiting: 0, delayed: 1, running: 0 });
      expect(q.depth()).toBe(1);

      await vi.advanceTimersByTimeAsync(200);
      q.add('k/a'); // e.g. a libvirt event: must not bypass backoff
      await vi.advanceTimersByTimeAsync(0);
      expect(runsAt.map((t) => t - t0)).toEqual([0]);
      await vi.advanceTimersByTimeAsync(800);
      expect(runsAt.map((t) => t - t0)).toEqual([0, 1000]);

      await vi.advanceTimersByTimeAsync(300);
      q.add('k/a', { immediate: true }); // e.g. a new git revision: run now
      await vi.advanceTimersByTimeAsync(0);
      expect(runsAt.map((t) => t - t0)).toEqual([0, 1000, 1300]);
      // The immediate run kept the attempt count: still failing means attempt 3.
      expect(q.attempts('k/a')).toBe(3);
      await q.shutdown();
    });

    it('onIdle does not wait for keys in backoff', async () => {
      const q = new WorkQueue({
        handler: async () => {
          throw new Error('x');
        },
        backoff: { baseMs: 60_000 },
      });
      q.add('k/a');
      let idle = false;
      void q.onIdle().then(() => {
        idle = true;
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(idle).toBe(true);
      expect(q.depth()).toBe(1);
      await q.shutdown();
    });

    it('shutdown cancels backoff timers, stops accepting and waits for in-flight handlers', async () => {
      const h = controlledHandler();
      let badRuns = 0;
      const q = new WorkQueue({
        handler: async (key) => {
          if (key === 'k/bad') {
            badRuns++;
            throw new Error('x');
          }
          return h.handler(key);
        },
        concurrency: 1,
        backoff: { baseMs: 100 },
      });
      const depths: number[] = [];
      q.on('depth', (d) => depths.push(d));
      q.add('k/bad');
      await vi.advanceTimersByTimeAsync(0);
      q.add('k/slow');
      q.add('k/never'); // waiting behind k/slow: dropped by shutdown
      await vi.advanceTimersByTimeAsync(0);
      expect(q.stats()).toEqual({ waiting: 1, delayed: 1, running: 1 });

      let done = false;
      const stopped = q.shutdown().then(() => {
        done = true;
      });
      expect(q.add('k/late')).toBe(false);
      await vi.advanceTimersByTimeAsync(0);
      expect(done).toBe(false); // k/slow still in flight
      expect(q.depth()).toBe(0);
      expect(depths.at(-1)).toBe(0);
      h.finishNext();
      await stopped;
      await vi.advanceTimersByTimeAsync(10_000);
      expect(badRuns).toBe(1);
      expect(h.runs).toEqual(['k/slow']);
    });
  });

  describe('results', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    /** A queue whose handler returns the next of `results` for every run (then done), recording run times. */
    function scripted(results: ReconcileResult[], baseMs = 100) {
      const runsAt: number[] = [];
      const retries: RetryEvent[] = [];
      const requeues: RequeueEvent[] = [];
      const t0 = Date.now();
      const q = new WorkQueue({
        handler: async () => {
          runsAt.push(Date.now() - t0);
          return results.shift() ?? done;
        },
        backoff: { baseMs, maxMs: 10_000 },
      });
      q.on('retry', (e) => retries.push(e));
      q.on('requeue', (e) => requeues.push(e));
      return { q, runsAt, retries, requeues };
    }

    it('done resets the failure count and schedules nothing', async () => {
      const { q, runsAt } = scripted([retry(new Error('x')), retry(new Error('y')), done]);
      q.add('k/a');
      await vi.advanceTimersByTimeAsync(0);
      expect(q.attempts('k/a')).toBe(1);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(runsAt).toEqual([0, 100, 300]);
      expect(q.attempts('k/a')).toBe(0);
      expect(q.depth()).toBe(0);
      await q.shutdown();
    });

    it('requeueAfter runs the key again after its delay without counting a failure', async () => {
      const { q, runsAt, retries, requeues } = scripted([
        requeueAfter(250, 'waiting for Network/lan'),
        requeueAfter(250, 'waiting for Network/lan'),
        done,
      ]);
      q.add('k/a');
      await vi.advanceTimersByTimeAsync(0);
      expect(q.stats()).toEqual({ waiting: 0, delayed: 1, running: 0 });
      await vi.advanceTimersByTimeAsync(10_000);
      // A constant delay, not a doubling backoff: waiting is not failing.
      expect(runsAt).toEqual([0, 250, 500]);
      expect(retries).toEqual([]);
      expect(requeues).toEqual([
        { key: 'k/a', delayMs: 250, reason: 'waiting for Network/lan' },
        { key: 'k/a', delayMs: 250, reason: 'waiting for Network/lan' },
      ]);
      expect(q.attempts('k/a')).toBe(0);
      await q.shutdown();
    });

    it('requeueAfter neither raises nor resets the count of a key that was failing', async () => {
      const { q } = scripted([retry(new Error('x')), requeueAfter(50, 'waiting'), retry(new Error('x'))]);
      q.add('k/a');
      await vi.advanceTimersByTimeAsync(0);
      expect(q.attempts('k/a')).toBe(1);
      await vi.advanceTimersByTimeAsync(100); // the retry runs and asks to wait
      expect(q.attempts('k/a')).toBe(1);
      await vi.advanceTimersByTimeAsync(50); // fails again: the second failure in a row
      expect(q.attempts('k/a')).toBe(2);
      await q.shutdown();
    });

    it('an immediate add cuts a requeueAfter short', async () => {
      const { q, runsAt } = scripted([requeueAfter(5000, 'waiting')]);
      q.add('k/a');
      await vi.advanceTimersByTimeAsync(100);
      q.add('k/a'); // an event: keeps the timer
      await vi.advanceTimersByTimeAsync(0);
      expect(runsAt).toEqual([0]);
      q.add('k/a', { immediate: true }); // the dependency converged: look now
      await vi.advanceTimersByTimeAsync(0);
      expect(runsAt).toEqual([0, 100]);
      await q.shutdown();
    });

    it('retry counts a failure and backs off', async () => {
      const { q, runsAt, retries } = scripted([retry(new Error('x')), retry(new Error('x'))]);
      q.add('k/a');
      await vi.advanceTimersByTimeAsync(10_000);
      expect(runsAt).toEqual([0, 100, 300]);
      expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([
        [1, 100],
        [2, 200],
      ]);
      await q.shutdown();
    });

    it('stalled is not retried until the key is added again, which starts from a clean count', async () => {
      const { q, runsAt, retries, requeues } = scripted([retry(new Error('x')), stalled('needs allow-replace'), done]);
      q.add('k/a');
      await vi.advanceTimersByTimeAsync(100);
      expect(runsAt).toEqual([0, 100]);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(runsAt).toEqual([0, 100]);
      expect(q.depth()).toBe(0);
      expect(q.attempts('k/a')).toBe(0);
      expect(retries).toHaveLength(1);
      expect(requeues).toEqual([]);
      q.add('k/a'); // a new manifest, an event or the resync
      await vi.advanceTimersByTimeAsync(0);
      expect(runsAt).toEqual([0, 100, 60_100]);
      await q.shutdown();
    });

    it('acts on a result reported from outside (a full sync) as on one a run returned', async () => {
      const { q, runsAt, retries } = scripted([retry(new Error('still'))]);
      q.report('k/a', retry(new Error('failed in the full sync')));
      // Counted and backed off, not run at once.
      expect(q.attempts('k/a')).toBe(1);
      expect(retries).toEqual([{ key: 'k/a', attempt: 1, delayMs: 100 }]);
      await vi.advanceTimersByTimeAsync(100);
      expect(runsAt).toEqual([100]);
      expect(q.attempts('k/a')).toBe(2);
      // The next full sync finds it converged: the pending retry is dropped and the count reset.
      q.report('k/a', done);
      expect(q.attempts('k/a')).toBe(0);
      expect(q.depth()).toBe(0);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(runsAt).toEqual([100]);
      // A failure reported for a key in backoff keeps its timer.
      q.report('k/b', retry(new Error('x')));
      q.report('k/b', retry(new Error('x')));
      expect(q.attempts('k/b')).toBe(1);
      await q.shutdown();
    });

    it('a key re-added while running runs once more after done, stalled or requeueAfter', async () => {
      for (const result of [done, stalled('x'), requeueAfter(60_000, 'waiting')]) {
        let runs = 0;
        let release!: () => void;
        const q = new WorkQueue({
          handler: async () => {
            runs++;
            if (runs === 1) await new Promise<void>((r) => (release = r));
            return runs === 1 ? result : done;
          },
        });
        q.add('k/a');
        await vi.advanceTimersByTimeAsync(0);
        q.add('k/a');
        release();
        await vi.advanceTimersByTimeAsync(0);
        expect([result.type, runs]).toEqual([result.type, 2]);
        await q.shutdown();
      }
    });
  });
});
