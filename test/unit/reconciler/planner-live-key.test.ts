// Prune of objects whose live view is keyed differently from their manifest (NodeDevice: the
// manifest says nvme0, libvirt says pci_0000_06_00_0): the inventory entry's liveKey leads the
// planner from the record to the live object.
import { describe, expect, it } from 'vitest';
import { emptyInventory, recordObject, type Inventory, type InventoryEntry } from '../../../src/reconciler/inventory.js';
import { buildPlan, type PlanOptions } from '../../../src/reconciler/planner.js';
import type { DesiredState, IdentityKey } from '../../../src/manifests/types.js';
import type { LiveResource } from '../../../src/resources/types.js';
import { desiredOf, fakeRegistry, liveOf, manifest } from './planner-fakes.js';

const host = { key: 'h_test_default', hostname: 'h', uri: 'test:///default' };
const DEVICE = 'NodeDevice/pci_0000_06_00_0';

function plan(desired: DesiredState, live: Map<IdentityKey, LiveResource>, inventory: Inventory, options: PlanOptions = { prune: false }) {
  // These tests are about what prune deletes; the empty-tree guard has its own (planner-guard.test.ts).
  return buildPlan({ desired, live, inventory, registry: fakeRegistry(), options: { allowEmpty: true, pruneMax: 1, ...options } });
}

function recorded(key: IdentityKey, entry: Partial<InventoryEntry> = {}): Inventory {
  const name = key.split('/').at(-1)!;
  return recordObject(emptyInventory(host), key, { kind: 'NodeDevice', name, origin: 'adopted', pruneDisabled: false, ...entry });
}

const device = (spec: { value?: number; released?: boolean } = {}) => liveOf(manifest('NodeDevice', 'pci_0000_06_00_0', spec));
const nvme0 = (annotations?: Record<string, string>) => manifest('NodeDevice', 'nvme0', { liveKey: DEVICE }, annotations);

describe('prune through the recorded live key', () => {
  it('a desired change names the live object it acts on', () => {
    const p = plan(desiredOf(nvme0()), device(), emptyInventory(host));
    expect(p.changes).toEqual([expect.objectContaining({ key: 'NodeDevice/nvme0', action: 'no-op', liveKey: DEVICE })]);
  });

  it('with --prune, a removed manifest deletes the live object its record points to, under the record key', () => {
    const p = plan(desiredOf(), device(), recorded('NodeDevice/nvme0', { liveKey: DEVICE }), { prune: true });
    expect(p.changes.map((c) => [c.key, c.name, c.action, c.liveKey])).toEqual([['NodeDevice/nvme0', 'nvme0', 'delete', DEVICE]]);
    expect(p.changes[0].steps.map((s) => s.description)).toEqual([`delete ${DEVICE}`]);
    expect(p.waitsFor.get('NodeDevice/nvme0')).toEqual([]);
    expect(p.forgotten).toEqual([]);
    expect(p.summary.delete).toBe(1);
  });

  it('without --prune the object is retained', () => {
    const p = plan(desiredOf(), device(), recorded('NodeDevice/nvme0', { liveKey: DEVICE }));
    expect(p.changes).toEqual([]);
    expect(p.retained).toEqual([{ key: 'NodeDevice/nvme0', reason: 'prune-not-requested' }]);
    expect(p.forgotten).toEqual([]);
  });

  it('prune: disabled retains it even with --prune', () => {
    const p = plan(desiredOf(), device(), recorded('NodeDevice/nvme0', { liveKey: DEVICE, pruneDisabled: true }), { prune: true });
    expect(p.changes).toEqual([]);
    expect(p.retained).toEqual([{ key: 'NodeDevice/nvme0', reason: 'prune-disabled' }]);
  });

  it('an entry without a live key (older inventories) is looked up by its own key, as before', () => {
    const p = plan(desiredOf(), device(), recorded('NodeDevice/nvme0'), { prune: true });
    expect(p.changes).toEqual([]);
    expect(p.forgotten).toEqual(['NodeDevice/nvme0']);
  });

  it('a live key whose object is gone from the host is forgotten', () => {
    const p = plan(desiredOf(), new Map(), recorded('NodeDevice/nvme0', { liveKey: DEVICE }), { prune: true });
    expect(p.forgotten).toEqual(['NodeDevice/nvme0']);
  });

  it('nothing left to delete (the kind plans a no-op): the record is forgotten, nothing runs', () => {
    const p = plan(desiredOf(), device({ released: true }), recorded('NodeDevice/nvme0', { liveKey: DEVICE }), { prune: true });
    expect(p.changes).toEqual([]);
    expect(p.forgotten).toEqual(['NodeDevice/nvme0']);
  });

  it('a renamed manifest holding the same object: the old record is forgotten, not pruned', () => {
    const renamed = manifest('NodeDevice', 'fastdisk', { liveKey: DEVICE });
    const p = plan(desiredOf(renamed), device(), recorded('NodeDevice/nvme0', { liveKey: DEVICE }), { prune: true });
    expect(p.changes.map((c) => [c.key, c.action])).toEqual([['NodeDevice/fastdisk', 'no-op']]);
    expect(p.forgotten).toEqual(['NodeDevice/nvme0']);
  });

  it('two records of one object: only the first (by key) is pruned', () => {
    let inv = recorded('NodeDevice/a', { liveKey: DEVICE });
    inv = recordObject(inv, 'NodeDevice/b', { kind: 'NodeDevice', name: 'b', origin: 'adopted', pruneDisabled: false, liveKey: DEVICE });
    const p = plan(desiredOf(), device(), inv, { prune: true });
    expect(p.changes.map((c) => [c.key, c.action])).toEqual([['NodeDevice/a', 'delete']]);
    expect(p.forgotten).toEqual(['NodeDevice/b']);
  });

  it('what the live object refers to today is found through its live key', () => {
    // nvme0's device still refers to pool p, which is pruned: the pool waits for nvme0's update.
    const live = new Map([
      ...liveOf(manifest('NodeDevice', 'pci_0000_06_00_0', { refs: ['StoragePool/p'], value: 1 })),
      ...liveOf(manifest('StoragePool', 'p')),
    ]);
    const desired = desiredOf(manifest('NodeDevice', 'nvme0', { liveKey: DEVICE, value: 2 }));
    const inv = recordObject(emptyInventory(host), 'StoragePool/p', {
      kind: 'StoragePool',
      name: 'p',
      origin: 'created',
      pruneDisabled: false,
    });
    const p = plan(desired, live, inv, { prune: true });
    expect(p.changes.map((c) => [c.key, c.action])).toEqual([
      ['NodeDevice/nvme0', 'update'],
      ['StoragePool/p', 'delete'],
    ]);
    expect(p.waitsFor.get('StoragePool/p')).toEqual(['NodeDevice/nvme0']);
  });
});
