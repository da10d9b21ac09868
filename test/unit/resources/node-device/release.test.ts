// Releasing a NodeDevice: record on apply → manifest removed → `apply --prune` gives the device
// back to its host driver. Runs the real NodeDevice kind, planner, executor and inventory
// against a fake client: libvirt's test driver has no PCI devices and cannot detach/reattach.
import { describe, expect, it } from 'vitest';
import type { LibvirtClient, NodeDeviceRef } from '../../../../src/libvirt/client.js';
import { createDesiredState } from '../../../../src/manifests/desired-state.js';
import type { AnyManifest, IdentityKey } from '../../../../src/manifests/types.js';
import { executePlan, type OwnershipRecorder } from '../../../../src/reconciler/executor.js';
import {
  emptyInventory,
  forgetObject,
  parseInventory,
  recordObject,
  serializeInventory,
  type Inventory,
  type InventoryEntry,
} from '../../../../src/reconciler/inventory.js';
import { buildPlan, type Plan } from '../../../../src/reconciler/planner.js';
import { defaultRegistry } from '../../../../src/resources/registry.js';
import { nodeDeviceKind } from '../../../../src/resources/node-device/index.js';
import type { LiveResource } from '../../../../src/resources/types.js';
import { manifest } from '../common/live.js';

const host = { key: 'h_test_default', hostname: 'h', uri: 'test:///default' };
const DEVICE = 'pci_0000_06_00_0';

const deviceXml = (driver: string) => `<device>
  <name>${DEVICE}</name>
  <driver><name>${driver}</name></driver>
  <capability type='pci'><domain>0</domain><bus>6</bus><slot>0</slot><function>0</function></capability>
</device>`;

type DeviceCalls = Pick<LibvirtClient, 'listNodeDevices' | 'getNodeDeviceXml' | 'detachNodeDevice' | 'reattachNodeDevice'>;

/** One NVMe drive whose bound driver follows detach/reattach, as on a real host. */
class FakeHost implements DeviceCalls {
  calls: string[] = [];
  constructor(public driver: string) {}
  async listNodeDevices(): Promise<NodeDeviceRef[]> {
    return [{ name: DEVICE }];
  }
  async getNodeDeviceXml(): Promise<string> {
    return deviceXml(this.driver);
  }
  async detachNodeDevice(ref: NodeDeviceRef | string, opts: { driver?: string } = {}): Promise<void> {
    this.calls.push(`detach ${String(ref)} ${opts.driver ?? ''}`);
    this.driver = `${opts.driver ?? 'vfio'}-pci`;
  }
  async reattachNodeDevice(ref: NodeDeviceRef | string): Promise<void> {
    this.calls.push(`reattach ${String(ref)}`);
    this.driver = 'nvme';
  }
  get client(): LibvirtClient {
    return this as unknown as LibvirtClient;
  }
}

class MemoryOwnership implements OwnershipRecorder {
  constructor(public inv: Inventory = emptyInventory(host)) {}
  has(key: IdentityKey): boolean {
    return key in this.inv.objects;
  }
  record(key: IdentityKey, entry: Omit<InventoryEntry, 'recordedAt'>): void {
    this.inv = recordObject(this.inv, key, entry);
  }
  forget(key: IdentityKey): void {
    this.inv = forgetObject(this.inv, key);
  }
}

const nvme0 = (annotations?: Record<string, string>) =>
  manifest('NodeDevice', 'nvme0', { pci: { domain: 0, bus: 6, slot: 0, function: 0 } }, annotations) as AnyManifest;

/** One `apply [--prune]`: read the host, plan, execute, as the CLI does. */
async function apply(device: FakeHost, ownership: MemoryOwnership, manifests: AnyManifest[], prune: boolean): Promise<Plan> {
  const desired = createDesiredState(
    '/manifests',
    manifests.map((m) => ({ manifest: m, source: { file: 'm.yaml', line: 1, column: 1 } })),
  );
  const live = new Map<IdentityKey, LiveResource>((await nodeDeviceKind.readLive(device.client)).map((l) => [l.key, l as LiveResource]));
  const plan = buildPlan({
    desired,
    live,
    inventory: ownership.inv,
    registry: defaultRegistry,
    options: { prune, allowEmpty: true, pruneMax: 1 },
  }); // the empty-tree guard is tested elsewhere
  const report = await executePlan(plan, { registry: defaultRegistry, client: device.client, desired, ownership });
  expect(report.ok).toBe(true);
  return plan;
}

describe('releasing a NodeDevice', () => {
  it('detach records the libvirt device; after the manifest is removed, --prune reattaches it', async () => {
    const device = new FakeHost('nvme');
    const ownership = new MemoryOwnership();

    await apply(device, ownership, [nvme0()], false);
    expect(device.calls).toEqual([`detach ${DEVICE} vfio`]);
    expect(ownership.inv.objects['NodeDevice/nvme0']).toMatchObject({ kind: 'NodeDevice', name: 'nvme0', liveKey: `NodeDevice/${DEVICE}` });

    const kept = await apply(device, ownership, [], false);
    expect(kept.retained).toEqual([{ key: 'NodeDevice/nvme0', reason: 'prune-not-requested' }]);
    expect(device.calls).toHaveLength(1);
    expect(device.driver).toBe('vfio-pci');

    const pruned = await apply(device, ownership, [], true);
    expect(pruned.changes.map((c) => [c.key, c.action, c.steps.map((s) => s.payload)])).toEqual([
      ['NodeDevice/nvme0', 'delete', [{ name: DEVICE }]],
    ]);
    expect(pruned.forgotten).toEqual([]);
    expect(device.calls).toEqual([`detach ${DEVICE} vfio`, `reattach ${DEVICE}`]);
    expect(device.driver).toBe('nvme');
    expect(ownership.inv.objects).toEqual({});

    const after = await apply(device, ownership, [], true);
    expect(after.changes).toEqual([]);
    expect(device.calls).toHaveLength(2);
  });

  it('prune: disabled keeps the device detached, even with --prune', async () => {
    const device = new FakeHost('nvme');
    const ownership = new MemoryOwnership();
    await apply(device, ownership, [nvme0({ 'virtkeeper.io/prune': 'disabled' })], false);
    const plan = await apply(device, ownership, [], true);
    expect(plan.changes).toEqual([]);
    expect(plan.retained).toEqual([{ key: 'NodeDevice/nvme0', reason: 'prune-disabled' }]);
    expect(device.calls).toEqual([`detach ${DEVICE} vfio`]);
    expect(device.driver).toBe('vfio-pci');
  });

  it('a device already back on its host driver: nothing runs, the record is dropped', async () => {
    const device = new FakeHost('vfio-pci');
    const ownership = new MemoryOwnership();
    await apply(device, ownership, [nvme0()], false);
    await device.reattachNodeDevice(DEVICE); // an admin gives it back by hand
    const plan = await apply(device, ownership, [], true);
    expect(plan.changes).toEqual([]);
    expect(plan.forgotten).toEqual(['NodeDevice/nvme0']);
    expect(device.calls).toEqual([`reattach ${DEVICE}`]);
    expect(ownership.inv.objects).toEqual({});
  });

  it('an entry from an older inventory (no live key) learns it on the next apply with the manifest', async () => {
    const device = new FakeHost('vfio-pci');
    const old = JSON.stringify({
      version: 1,
      host,
      objects: {
        'NodeDevice/nvme0': {
          kind: 'NodeDevice',
          name: 'nvme0',
          origin: 'adopted',
          pruneDisabled: false,
          recordedAt: '2026-01-01T00:00:00.000Z',
        },
      },
    });
    const ownership = new MemoryOwnership(parseInventory(old, 'inventory.json'));

    await apply(device, ownership, [nvme0()], false);
    expect(ownership.inv.objects['NodeDevice/nvme0']).toEqual({
      kind: 'NodeDevice',
      name: 'nvme0',
      liveKey: `NodeDevice/${DEVICE}`,
      origin: 'adopted',
      pruneDisabled: false,
      recordedAt: '2026-01-01T00:00:00.000Z',
    });
    // Survives the file round trip, so the next run can still find the device.
    const reread = parseInventory(serializeInventory(ownership.inv), 'inventory.json');
    const plan = await apply(device, new MemoryOwnership(reread), [], true);
    expect(plan.changes.map((c) => [c.key, c.action])).toEqual([['NodeDevice/nvme0', 'delete']]);
    expect(device.calls).toEqual([`reattach ${DEVICE}`]);
  });

  it('an entry from an older inventory whose manifest is already gone is only forgotten, as before', async () => {
    const device = new FakeHost('vfio-pci');
    const ownership = new MemoryOwnership(
      recordObject(emptyInventory(host), 'NodeDevice/nvme0', {
        kind: 'NodeDevice',
        name: 'nvme0',
        origin: 'adopted',
        pruneDisabled: false,
      }),
    );
    const plan = await apply(device, ownership, [], true);
    expect(plan.forgotten).toEqual(['NodeDevice/nvme0']);
    expect(device.calls).toEqual([]);
  });
});
