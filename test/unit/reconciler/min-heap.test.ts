import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../../src/reconciler/min-heap.js';

describe('MinHeap', () => {
  it('pops in ascending order whatever the push order, then undefined', () => {
    const values = Array.from({ length: 500 }, (_, i) => (i * 7919) % 503);
    const heap = new MinHeap<number>((a, b) => a - b);
    for (const v of values) heap.push(v);
    expect(heap.size).toBe(500);
    const out: number[] = [];
    for (let v = heap.pop(); v !== undefined; v = heap.pop()) out.push(v);
    expect(out).toEqual([...values].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
  });

  it('interleaves pushes and pops', () => {
    const heap = new MinHeap<string>((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    heap.push('m');
    heap.push('c');
    expect(heap.pop()).toBe('c');
    heap.push('a');
    heap.push('z');
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop()]).toEqual(['a', 'm', 'z', undefined]);
  });
});
