import { describe, expect, it } from 'vitest';
import { ExponentialBackoff } from '../../../src/reconciler/rate-limiter.js';

describe('ExponentialBackoff', () => {
  it('doubles per key from the base up to the cap, and forget starts over', () => {
    const limiter = new ExponentialBackoff({ baseMs: 100, maxMs: 350 });
    expect([limiter.when('a'), limiter.when('a'), limiter.when('a'), limiter.when('a')]).toEqual([100, 200, 350, 350]);
    expect(limiter.attempts('a')).toBe(4);
    expect(limiter.when('b')).toBe(100);
    limiter.forget('a');
    expect(limiter.attempts('a')).toBe(0);
    expect(limiter.when('a')).toBe(100);
  });

  it('shortens a delay by at most the jitter share', () => {
    expect(new ExponentialBackoff({ baseMs: 1000, jitter: 0.2 }, () => 0.999).when('a')).toBe(800);
    expect(new ExponentialBackoff({ baseMs: 1000, jitter: 0.2 }, () => 0).when('a')).toBe(1000);
  });

  it('rejects a jitter outside [0, 1]', () => {
    expect(() => new ExponentialBackoff({ jitter: 1.5 })).toThrow(RangeError);
  });
});
