import { describe, expect, it } from 'vitest';
import { emptyInventory, recordObject, type Inventory } from '../../../src/reconciler/inventory.js';
import { buildPlan, hasChanges, type PlanOptions } from '../../../src/reconciler/planner.js';
import type { DesiredState, IdentityKey } from '../../../src/manifests/types.js';
import type { LiveResource } from '../../../src/resources/types.js';
import { desiredOf, fakeRegistry, liveOf, manifest } from './planner-fakes.js';

const host = { key: 'h_test_default', hostname: 'h', uri: 'test:///default' };

function plan(
  desired: DesiredState,
  live: Map<IdentityKey, LiveResource>,
  inventory: Inventory = emptyInventory(host),
  options: PlanOptions = { prune: false },
) {
  // These tests are about what prune deletes; the empty-tree guard has its own (planner-guard.test.ts).
  return buildPlan({ desired, live, inventory, registry: fakeRegistry(), options: { allowEmpty: true, pruneMax: 1, ...options } });
}

function recorded(...entries: Array<[IdentityKey, boolean?]>): Inventory {
  let inv = emptyInventory(host);
  for (const [key, pruneDisabled] of entries) {
    const [kind, ...rest] = key.split('/');
    inv = recordObject(inv, key, { kind: kind as never, name: rest.at(-1)!, origin: 'created', pruneDisabled: pruneDisabled ?? false });
  }
  return inv;
}

const vol = (name: string, refs: string[] = []) => manifest('StorageVolume', name, { pool: 'images', refs });

describe('buildPlan ordering', () => {
  it('orders creates by kind order, then key, independent of manifest order', () => {
    const desired = desiredOf(
      manifest('Domain', 'web', { refs: ['StorageVolume/images/root', 'Network/lan'] }),
      vol('root', ['StoragePool/images']),
      manifest('StoragePool', 'images'),
      manifest('Network', 'lan'),
      manifest('Network', 'admin'),
      manifest('NodeDevice', 'gpu'),
      manifest('Interface', 'br0'),
    );
    const p = plan(desired, new Map());
    expect(p.changes.map((c) => c.key)).toEqual([
      'Network/admin',
      'Network/lan',
      'NodeDevice/gpu',
      'Interface/br0',
      'StoragePool/images',
      'StorageVolume/images/root',
      'Domain/web',
    ]);
    expect(p.waitsFor.get('Domain/web')).toEqual(['Network/lan', 'StorageVolume/images/root']);
    expect(p.waitsFor.get('StorageVolume/images/root')).toEqual(['StoragePool/images']);
    expect(p.summary).toMatchObject({ create: 7, update: 0, delete: 0, noOp: 0 });
    expect(p.errors).toEqual([]);
  });

  it('honours a dependency against kind order', () => {
    // A network that (oddly) depends on a domain must still come after it.
    const desired = desiredOf(manifest('Network', 'n', { refs: ['Domain/d'] }), manifest('Domain', 'd'));
    expect(plan(desired, new Map()).changes.map((c) => c.key)).toEqual(['Domain/d', 'Network/n']);
  });

  it('is deterministic', () => {
    const a = desiredOf(manifest('Domain', 'b'), manifest('Domain', 'a'), manifest('Network', 'z'));
    const b = desiredOf(manifest('Network', 'z'), manifest('Domain', 'a'), manifest('Domain', 'b'));
    expect(plan(a, new Map()).changes.map((c) => c.key)).toEqual(plan(b, new Map()).changes.map((c) => c.key));
  });

  it('reports a dependency cycle as an error naming the cycle', () => {
    const desired = desiredOf(
      manifest('Domain', 'a', { refs: ['Domain/b'] }),
      manifest('Domain', 'b', { refs: ['Domain/a'] }),
      manifest('Network', 'ok'),
    );
    const p = plan(desired, new Map());
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0].message).toMatch(/^dependency cycle: Domain\/(a|b) → Domain\/(a|b) → Domain\/(a|b)$/);
    expect(p.changes.map((c) => c.key)).toEqual(['Network/ok', 'Domain/a', 'Domain/b']);
  });

  it('ignores dependencies on objects with no change in the plan', () => {
    const desired = desiredOf(manifest('Domain', 'web', { refs: ['Network/external'] }));
    const p = plan(desired, new Map());
    expect(p.waitsFor.get('Domain/web')).toEqual([]);
  });

  it('a kind that throws becomes a plan error, not a crash', () => {
    const registry = fakeRegistry();
    const broken = {
      ...registry,
      Network: {
        ...registry.Network,
        plan: () => {
          throw new Error('boom');
        },
      },
    };
    const p = buildPlan({
      desired: desiredOf(manifest('Network', 'n')),
      live: new Map(),
      inventory: emptyInventory(host),
      registry: broken,
      options: { prune: false },
    });
    expect(p.errors).toEqual([{ key: 'Network/n', message: 'planning failed: boom' }]);
  });
});

describe('buildPlan no-op and updates', () => {
  it('plans no-ops when live matches, and hasChanges is false', () => {
    const m = manifest('Network', 'lan', { value: 1 });
    const p = plan(desiredOf(m), liveOf(m));
    expect(p.changes.map((c) => c.action)).toEqual(['no-op']);
    expect(hasChanges(p)).toBe(false);
  });

  it('plans an update carrying the field diff', () => {
    const p = plan(desiredOf(manifest('Network', 'lan', { value: 2 })), liveOf(manifest('Network', 'lan', { value: 1 })));
    expect(p.changes[0]).toMatchObject({ action: 'update', changes: [{ path: 'spec.value', before: 1, after: 2 }] });
    expect(hasChanges(p)).toBe(true);
  });
});

describe('prune rules', () => {
  const live = liveOf(manifest('Domain', 'old'), manifest('Domain', 'foreign'), manifest('Domain', 'keep'));

  it('deletes nothing without --prune, but says what would go', () => {
    const p = plan(desiredOf(), live, recorded(['Domain/old']));
    expect(p.changes).toEqual([]);
    expect(p.retained).toEqual([{ key: 'Domain/old', reason: 'prune-not-requested' }]);
  });

  it('with --prune deletes only recorded objects that left the manifests', () => {
    const p = plan(desiredOf(), live, recorded(['Domain/old']), { prune: true });
    expect(p.changes.map((c) => [c.key, c.action])).toEqual([['Domain/old', 'delete']]);
    expect(p.summary.delete).toBe(1);
  });

  it('never deletes an unrecorded object, even with --prune', () => {
    const p = plan(desiredOf(), live, emptyInventory(host), { prune: true });
    expect(p.changes).toEqual([]);
  });

  it('never deletes an object recorded with prune disabled', () => {
    const p = plan(desiredOf(), live, recorded(['Domain/keep', true], ['Domain/old']), { prune: true });
    expect(p.changes.map((c) => c.key)).toEqual(['Domain/old']);
    expect(p.retained).toEqual([{ key: 'Domain/keep', reason: 'prune-disabled' }]);
  });

  it('does not delete a recorded object still in the manifests', () => {
    const m = manifest('Domain', 'old');
    const p = plan(desiredOf(m), live, recorded(['Domain/old']), { prune: true });
    expect(p.changes.map((c) => c.action)).toEqual(['no-op']);
  });

  it('lists recorded objects gone from the host as forgotten', () => {
    const p = plan(desiredOf(), new Map(), recorded(['Network/vanished']), { prune: true });
    expect(p.changes).toEqual([]);
    expect(p.forgotten).toEqual(['Network/vanished']);
  });

  it('deletes in reverse order: domain, then volume, then pool', () => {
    const liveObjects = liveOf(
      manifest('StoragePool', 'images'),
      vol('root', ['StoragePool/images']),
      manifest('Domain', 'web', { refs: ['StorageVolume/images/root'] }),
    );
    const inv = recorded(['StoragePool/images'], ['StorageVolume/images/root'], ['Domain/web']);
    const p = plan(desiredOf(), liveObjects, inv, { prune: true });
    expect(p.changes.map((c) => c.key)).toEqual(['Domain/web', 'StorageVolume/images/root', 'StoragePool/images']);
    expect(p.waitsFor.get('StoragePool/images')).toEqual(['StorageVolume/images/root']);
    expect(p.waitsFor.get('StorageVolume/images/root')).toEqual(['Domain/web']);
  });

  it('a delete waits for the update of an object that still refers to it', () => {
    // web drops its disk (update) before the volume it used is pruned.
    const liveObjects = liveOf(vol('root'), manifest('Domain', 'web', { refs: ['StorageVolume/images/root'], value: 1 }));
    const desired = desiredOf(manifest('Domain', 'web', { value: 2 }));
    const p = plan(desired, liveObjects, recorded(['StorageVolume/images/root'], ['Domain/web']), { prune: true });
    expect(p.changes.map((c) => [c.key, c.action])).toEqual([
      ['Domain/web', 'update'],
      ['StorageVolume/images/root', 'delete'],
    ]);
    expect(p.waitsFor.get('StorageVolume/images/root')).toEqual(['Domain/web']);
  });
});
