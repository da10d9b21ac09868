// Field updates as diff lines: leaves of mappings, list items by name or position, whole values
// where neither fits.
import { describe, expect, it } from 'vitest';
import { displayedChanges } from '../../../src/reconciler/render/expand.js';

const lines = (before: unknown, after: unknown) =>
  displayedChanges({ path: 'spec.x', before, after, class: 'redefine' }).map((c) => [c.path, c.before, c.after]);

describe('displayedChanges', () => {
  it('splits a mapping into its changed leaves and leaves equal ones out', () => {
    expect(lines({ a: 1, b: { c: 2, d: 3 } }, { a: 1, b: { c: 4, d: 3 }, e: 5 })).toEqual([
      ['spec.x.b.c', 2, 4],
      ['spec.x.e', undefined, 5],
    ]);
  });

  it('matches list items by name (or target, mac) and else by position', () => {
    expect(lines([{ target: 'vda', bus: 'virtio' }, { target: 'vdb' }], [{ target: 'vdb' }, { target: 'vda', bus: 'sata' }])).toEqual([
      ['spec.x[vda].bus', 'virtio', 'sata'],
    ]);
    expect(lines([{ mode: 'a' }, { mode: 'b' }], [{ mode: 'a' }, { mode: 'c' }])).toEqual([['spec.x[1].mode', 'b', 'c']]);
  });

  it('keeps a list whose items neither have names nor line up as one line, and leaves additions whole', () => {
    expect(lines(['hd'], ['hd', 'cdrom'])).toEqual([['spec.x', ['hd'], ['hd', 'cdrom']]]);
    expect(displayedChanges({ path: 'spec.y', after: { a: 1 }, class: 'redefine' })).toEqual([
      { path: 'spec.y', after: { a: 1 }, class: 'redefine' },
    ]);
  });
});
