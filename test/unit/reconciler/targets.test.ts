// --target: the named objects and everything their manifests refer to, transitively; a target
// without a manifest is refused with a hint.
import { describe, expect, it } from 'vitest';
import { selectTargets } from '../../../src/reconciler/targets.js';
import { desiredOf, fakeRegistry, manifest } from './planner-fakes.js';

const desired = desiredOf(
  manifest('StoragePool', 'images'),
  manifest('StorageVolume', 'disk', { pool: 'images', refs: ['StoragePool/images'] }),
  manifest('Network', 'lan'),
  manifest('Domain', 'web', { refs: ['StorageVolume/images/disk', 'Network/lan'] }),
  manifest('Domain', 'db', { refs: ['Network/lan'] }),
);

describe('selectTargets', () => {
  it('adds what the targets refer to, transitively, and nothing else', () => {
    const selected = selectTargets(['Domain/web'], desired, fakeRegistry());
    expect(selected.ok && [...selected.keys].sort()).toEqual([
      'Domain/web',
      'Network/lan',
      'StoragePool/images',
      'StorageVolume/images/disk',
    ]);
    const two = selectTargets(['Domain/db', 'Network/lan'], desired, fakeRegistry());
    expect(two.ok && [...two.keys].sort()).toEqual(['Domain/db', 'Network/lan']);
  });

  it('refuses a key no manifest has, with the closest one', () => {
    expect(selectTargets(['Domain/wbe'], desired, fakeRegistry())).toEqual({
      ok: false,
      error: '--target Domain/wbe: no manifest has that key (did you mean Domain/web?); deletions are for apply --prune without --target',
    });
    expect(selectTargets(['web'], desired, fakeRegistry())).toMatchObject({
      ok: false,
      error: expect.stringContaining('keys look like Domain/web-1'),
    });
  });
});
