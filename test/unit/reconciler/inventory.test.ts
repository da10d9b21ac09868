import { describe, expect, it } from 'vitest';
import {
  emptyInventory,
  forgetObject,
  hostIdentity,
  parseInventory,
  recordObject,
  serializeInventory,
} from '../../../src/reconciler/inventory.js';

describe('hostIdentity', () => {
  it('keys by hostname, driver and driver path, not transport', () => {
    expect(hostIdentity('kvm01', 'qemu:///system').key).toBe('kvm01_qemu_system');
    expect(hostIdentity('kvm01', 'qemu+ssh://root@kvm01/system').key).toBe('kvm01_qemu_system');
    expect(hostIdentity('kvm01', 'qemu:///session').key).toBe('kvm01_qemu_session');
    expect(hostIdentity('KVM02.example', 'test+unix:///default?socket=/tmp/x/sock').key).toBe('kvm02.example_test_default');
  });

  it('keeps keys file-system safe', () => {
    expect(hostIdentity('we ird/host', 'qemu:///system').key).toBe('we_ird_host_qemu_system');
  });
});

describe('inventory updates', () => {
  const host = hostIdentity('h', 'test:///default');
  it('keeps the first origin and date, refreshes the prune flag', () => {
    let inv = recordObject(
      emptyInventory(host),
      'Domain/a',
      { kind: 'Domain', name: 'a', origin: 'created', pruneDisabled: false },
      new Date('2026-01-01T00:00:00Z'),
    );
    inv = recordObject(
      inv,
      'Domain/a',
      { kind: 'Domain', name: 'a', origin: 'adopted', pruneDisabled: true },
      new Date('2026-02-01T00:00:00Z'),
    );
    expect(inv.objects['Domain/a']).toEqual({
      kind: 'Domain',
      name: 'a',
      origin: 'created',
      pruneDisabled: true,
      recordedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(forgetObject(inv, 'Domain/a').objects).toEqual({});
  });
});

describe('inventory live keys', () => {
  const host = hostIdentity('h', 'test:///default');
  const nvme0 = { kind: 'NodeDevice', name: 'nvme0', origin: 'adopted', pruneDisabled: false } as const;

  it('records the live key and refreshes it, but an entry without one keeps the old', () => {
    let inv = recordObject(emptyInventory(host), 'NodeDevice/nvme0', { ...nvme0, liveKey: 'NodeDevice/pci_0000_06_00_0' });
    expect(inv.objects['NodeDevice/nvme0'].liveKey).toBe('NodeDevice/pci_0000_06_00_0');
    inv = recordObject(inv, 'NodeDevice/nvme0', { ...nvme0, liveKey: 'NodeDevice/pci_0000_07_00_0' });
    expect(inv.objects['NodeDevice/nvme0'].liveKey).toBe('NodeDevice/pci_0000_07_00_0');
    inv = recordObject(inv, 'NodeDevice/nvme0', nvme0);
    expect(inv.objects['NodeDevice/nvme0'].liveKey).toBe('NodeDevice/pci_0000_07_00_0');
  });

  it('writes liveKey only for entries that have one', () => {
    let inv = recordObject(
      emptyInventory(host),
      'NodeDevice/nvme0',
      { ...nvme0, liveKey: 'NodeDevice/pci_0000_06_00_0' },
      new Date('2026-01-01T00:00:00Z'),
    );
    inv = recordObject(
      inv,
      'Network/lan',
      { kind: 'Network', name: 'lan', origin: 'created', pruneDisabled: false },
      new Date('2026-01-01T00:00:00Z'),
    );
    const objects = (JSON.parse(serializeInventory(inv)) as { objects: Record<string, Record<string, unknown>> }).objects;
    expect(objects['NodeDevice/nvme0']).toEqual({
      ...nvme0,
      liveKey: 'NodeDevice/pci_0000_06_00_0',
      recordedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(Object.keys(objects['Network/lan'])).toEqual(['kind', 'name', 'origin', 'pruneDisabled', 'recordedAt']);
    expect(parseInventory(serializeInventory(inv), 'inventory.json')).toEqual(inv);
  });

  it('reads an entry written before live keys existed, without one', () => {
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
    const entry = parseInventory(old, 'inventory.json').objects['NodeDevice/nvme0'];
    expect(entry).toEqual({
      kind: 'NodeDevice',
      name: 'nvme0',
      origin: 'adopted',
      pruneDisabled: false,
      recordedAt: '2026-01-01T00:00:00.000Z',
    });
    expect('liveKey' in entry).toBe(false);
  });

  it('rejects a live key that is not a string', () => {
    const bad = JSON.stringify({ version: 1, host, objects: { 'NodeDevice/nvme0': { ...nvme0, liveKey: 7, recordedAt: '' } } });
    expect(() => parseInventory(bad, 'inventory.json')).toThrow(/malformed entry "NodeDevice\/nvme0"/);
  });
});
