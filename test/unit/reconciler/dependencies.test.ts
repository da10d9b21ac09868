// The dependency fixes of the kind contract: every consumer (plan order, prune order, --target,
// the daemon's waits) now takes a kind's references from its one references() function, so
// Interface edges, optional references and passed-through devices reach all of them.
import { describe, expect, it } from 'vitest';
import { emptyInventory, recordObject, type Inventory } from '../../../src/reconciler/inventory.js';
import { buildPlan } from '../../../src/reconciler/planner.js';
import { selectTargets } from '../../../src/reconciler/targets.js';
import { createDesiredState } from '../../../src/manifests/desired-state.js';
import type { AnyManifest, DesiredState, IdentityKey, ManifestKind } from '../../../src/manifests/types.js';
import { dependencyKeys } from '../../../src/resources/contract.js';
import { defaultRegistry } from '../../../src/resources/registry.js';
import type { LiveResource } from '../../../src/resources/types.js';

const host = { key: 'h_test_default', hostname: 'h', uri: 'test:///default' };

function desiredOf(...manifests: AnyManifest[]): DesiredState {
  return createDesiredState(
    '/m',
    manifests.map((manifest, i) => ({ manifest, source: { file: `m${i}.yaml`, line: 1, column: 1 } })),
  );
}

const doc = (kind: ManifestKind, name: string, spec: object): AnyManifest =>
  ({ apiVersion: 'virtkeeper.io/v1', kind, metadata: { name }, spec }) as AnyManifest;

function live(kind: ManifestKind, name: string, spec: object, key: IdentityKey = `${kind}/${name}`): LiveResource {
  return { key, kind, name, spec, active: false, persistent: true, markedOwned: false } as LiveResource;
}

function records(...entries: Array<{ key: IdentityKey; kind: ManifestKind; name: string; liveKey?: IdentityKey }>): Inventory {
  let inv = emptyInventory(host);
  for (const { key, ...e } of entries) inv = recordObject(inv, key, { ...e, origin: 'created', pruneDisabled: false });
  return inv;
}

function prunePlan(objects: LiveResource[], inventory: Inventory) {
  return buildPlan({
    desired: desiredOf(),
    live: new Map(objects.map((o) => [o.key, o])),
    inventory,
    registry: defaultRegistry,
    options: { prune: true, allowEmpty: true, pruneMax: 1 },
  });
}

describe('Interface edges', () => {
  // A bridge (or bond) is defined with its members inside it, and a VLAN on its parent: a member
  // that is itself an Interface manifest comes first and goes last.
  const eth0 = doc('Interface', 'eth0', { type: 'ethernet', startMode: 'onboot' });
  const vbr0 = doc('Interface', 'vbr0', { type: 'bridge', startMode: 'onboot', members: ['eth0', 'eth9'] });
  const vlan = doc('Interface', 'eth0.42', { type: 'vlan', vlan: { tag: 42, parent: 'eth0' } });

  it('--target of a bridge brings the member it declares, not a plain host NIC', () => {
    const selected = selectTargets(['Interface/vbr0'], desiredOf(eth0, vbr0), defaultRegistry);
    expect(selected.ok && [...selected.keys].sort()).toEqual(['Interface/eth0', 'Interface/vbr0']);
  });

  it("the daemon waits for a VLAN's parent when a manifest declares it", () => {
    const desired = desiredOf(eth0, vlan);
    expect(dependencyKeys(defaultRegistry.Interface.definition, vlan, desired)).toEqual(['Interface/eth0']);
    expect(dependencyKeys(defaultRegistry.Interface.definition, vlan, desiredOf(vlan))).toEqual([]);
  });

  it('prune deletes the bridge before its member', () => {
    const plan = prunePlan(
      [live('Interface', 'eth0', { type: 'ethernet' }), live('Interface', 'vbr0', { type: 'bridge', members: ['eth0'] })],
      records({ key: 'Interface/eth0', kind: 'Interface', name: 'eth0' }, { key: 'Interface/vbr0', kind: 'Interface', name: 'vbr0' }),
    );
    expect(plan.errors).toEqual([]);
    expect(plan.changes.map((c) => [c.key, c.action])).toEqual([
      ['Interface/vbr0', 'delete'],
      ['Interface/eth0', 'delete'],
    ]);
    expect(plan.waitsFor.get('Interface/eth0')).toEqual(['Interface/vbr0']);
  });
});

describe('a domain passing a device through', () => {
  it('is deleted before the NodeDevice is given back (the delete waits for it)', () => {
    const device = 'NodeDevice/pci_0000_06_00_0';
    const pci = { domain: 0, bus: 6, slot: 0, function: 0 };
    const plan = prunePlan(
      [
        live('Domain', 'vm', { memory: '1GiB', hostdevs: [{ managed: true, pci }], state: 'shutoff' }),
        { ...live('NodeDevice', 'pci_0000_06_00_0', { pci, detached: true }, device), active: true },
      ],
      records(
        { key: 'Domain/vm', kind: 'Domain', name: 'vm' },
        { key: 'NodeDevice/nvme0', kind: 'NodeDevice', name: 'nvme0', liveKey: device },
      ),
    );
    expect(plan.errors).toEqual([]);
    expect(plan.changes.map((c) => [c.key, c.action])).toEqual([
      ['Domain/vm', 'delete'],
      ['NodeDevice/nvme0', 'delete'],
    ]);
    expect(plan.waitsFor.get('NodeDevice/nvme0')).toEqual(['Domain/vm']);
  });
});

describe('optional references are part of references()', () => {
  const br0 = doc('Interface', 'br0', { type: 'bridge', members: ['eth0'] });
  const gpu = doc('NodeDevice', 'gpu', { pci: { bus: 6, slot: 0, function: 0 } });
  const vm = doc('Domain', 'vm', {
    memory: '1GiB',
    interfaces: [{ bridge: 'br0' }],
    hostdevs: [{ pci: { domain: 0, bus: 6, slot: 0, function: 0 } }],
  });

  it('--target of a domain brings the bridge and the device that Interface and NodeDevice manifests make', () => {
    const selected = selectTargets(['Domain/vm'], desiredOf(br0, gpu, vm), defaultRegistry);
    expect(selected.ok && [...selected.keys].sort()).toEqual(['Domain/vm', 'Interface/br0', 'NodeDevice/gpu']);
  });

  it("without those manifests they are the host's own: no edge, and validation reports nothing missing", () => {
    expect(dependencyKeys(defaultRegistry.Domain.definition, vm, desiredOf(vm))).toEqual([]);
    const refs = defaultRegistry.Domain.definition.references(vm);
    expect(refs.map((r) => [r.key, r.need])).toEqual([['Interface/br0', 'if-declared']]);
  });
});
