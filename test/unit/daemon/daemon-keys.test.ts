import { describe, expect, it } from 'vitest';
import {
  diffDesired,
  keysToReconcileAfterReload,
  managedKeys,
  manifestFingerprint,
  sameDesired,
  stableStringify,
} from '../../../src/reconciler/daemon-keys.js';
import { desiredOf, domain, manifest, network } from './helpers.js';

describe('stableStringify / manifestFingerprint', () => {
  it('ignores key order and undefined fields', () => {
    expect(stableStringify({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(
      stableStringify({ a: { d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });
  it('tells different values apart, arrays keep their order', () => {
    expect(stableStringify([1, 2])).not.toBe(stableStringify([2, 1]));
    expect(manifestFingerprint(domain('a', { memory: '1GiB' }))).not.toBe(manifestFingerprint(domain('a', { memory: '2GiB' })));
  });
});

describe('diffDesired', () => {
  it('sorts keys into added, removed, changed and unchanged', () => {
    const prev = desiredOf(domain('a'), domain('b'), network('n'));
    const next = desiredOf(domain('a', { memory: '2GiB' }), network('n'), domain('c'));
    expect(diffDesired(prev, next)).toEqual({
      added: ['Domain/c'],
      removed: ['Domain/b'],
      changed: ['Domain/a'],
      unchanged: ['Network/n'],
    });
  });
  it('treats everything as added on the first load', () => {
    expect(diffDesired(null, desiredOf(domain('a'), network('n'))).added).toEqual(['Domain/a', 'Network/n']);
  });
  it('sameDesired ignores file order but not content', () => {
    expect(sameDesired(desiredOf(domain('a'), network('n')), desiredOf(network('n'), domain('a')))).toBe(true);
    expect(sameDesired(desiredOf(domain('a')), desiredOf(domain('a', { vcpus: 2 })))).toBe(false);
    expect(sameDesired(desiredOf(domain('a')), desiredOf(domain('a'), domain('b')))).toBe(false);
  });
});

describe('keysToReconcileAfterReload', () => {
  const deps = (map: Record<string, string[]>) => (key: string) => map[key] ?? [];

  it('enqueues added and changed keys and the keys that refer to them', () => {
    const prev = desiredOf(network('lan'), domain('web'), domain('db'));
    const next = desiredOf(network('lan', { bridge: 'br1' }), domain('web'), domain('db'), domain('new'));
    const keys = keysToReconcileAfterReload(diffDesired(prev, next), next, deps({ 'Domain/web': ['Network/lan'] }), false);
    expect(keys).toEqual(['Domain/new', 'Domain/web', 'Network/lan']);
  });

  it('includes removed keys only when pruning', () => {
    const prev = desiredOf(domain('a'), domain('gone'));
    const next = desiredOf(domain('a'));
    expect(keysToReconcileAfterReload(diffDesired(prev, next), next, deps({}), false)).toEqual([]);
    expect(keysToReconcileAfterReload(diffDesired(prev, next), next, deps({}), true)).toEqual(['Domain/gone']);
  });

  it('enqueues nothing when only the order of documents changed', () => {
    const prev = desiredOf(domain('a'), network('n'));
    const next = desiredOf(network('n'), domain('a'));
    expect(keysToReconcileAfterReload(diffDesired(prev, next), next, deps({}), true)).toEqual([]);
  });
});

describe('managedKeys', () => {
  const desired = desiredOf(domain('a'), manifest('StorageVolume', 'disk', { pool: 'images', capacity: '1GiB' }));
  it('is the desired keys without --prune', () => {
    expect(managedKeys(desired, ['Domain/old', 'Domain/a'], false)).toEqual(['Domain/a', 'StorageVolume/images/disk']);
  });
  it('adds owned keys with --prune', () => {
    expect(managedKeys(desired, ['Domain/old', 'Domain/a'], true)).toEqual(['Domain/a', 'Domain/old', 'StorageVolume/images/disk']);
  });
  it('is the owned keys only (under prune) before any valid load', () => {
    expect(managedKeys(null, ['Domain/old'], false)).toEqual([]);
  });
});
