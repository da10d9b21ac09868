import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultInventoryPath,
  emptyInventory,
  forgetObject,
  hostIdentity,
  InventoryError,
  loadInventory,
  PersistentInventory,
  parseInventory,
  recordObject,
  saveInventory,
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

  it('puts the default inventory under XDG state home', () => {
    const host = hostIdentity('kvm01', 'qemu:///system');
    expect(defaultInventoryPath(host, '/var/lib/vk')).toBe('/var/lib/vk/kvm01_qemu_system/inventory.json');
    const saved = process.env.XDG_STATE_HOME;
    process.env.XDG_STATE_HOME = '/state';
    try {
      expect(defaultInventoryPath(host)).toBe('/state/virtkeeper/kvm01_qemu_system/inventory.json');
    } finally {
      if (saved === undefined) delete process.env.XDG_STATE_HOME;
      else process.env.XDG_STATE_HOME = saved;
    }
  });
});

describe('inventory updates', () => {
  const host = hostIdentity('h', 'test:///default');
  it('keeps the first origin and date, refreshes the prune flag', () => {
    let inv = recordObject(emptyInventory(host), 'Domain/a', { kind: 'Domain', name: 'a', origin: 'created', pruneDisabled: false }, new Date('2026-01-01T00:00:00Z'));
    inv = recordObject(inv, 'Domain/a', { kind: 'Domain', name: 'a', origin: 'adopted', pruneDisabled: true }, new Date('2026-02-01T00:00:00Z'));
    expect(inv.objects['Domain/a']).toEqual({ kind: 'Domain', name: 'a', origin: 'created', pruneDisabled: true, recordedAt: '2026-01-01T00:00:00.000Z' });
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
    let inv = recordObject(emptyInventory(host), 'NodeDevice/nvme0', { ...nvme0, liveKey: 'NodeDevice/pci_0000_06_00_0' }, new Date('2026-01-01T00:00:00Z'));
    inv = recordObject(inv, 'Network/lan', { kind: 'Network', name: 'lan', origin: 'created', pruneDisabled: false }, new Date('2026-01-01T00:00:00Z'));
    const objects = (JSON.parse(serializeInventory(inv)) as { objects: Record<string, Record<string, unknown>> }).objects;
    expect(objects['NodeDevice/nvme0']).toEqual({ ...nvme0, liveKey: 'NodeDevice/pci_0000_06_00_0', recordedAt: '2026-01-01T00:00:00.000Z' });
    expect(Object.keys(objects['Network/lan'])).toEqual(['kind', 'name', 'origin', 'pruneDisabled', 'recordedAt']);
    expect(parseInventory(serializeInventory(inv), 'inventory.json')).toEqual(inv);
  });

  it('reads an entry written before live keys existed, without one', () => {
    const old = JSON.stringify({
      version: 1,
      host,
      objects: { 'NodeDevice/nvme0': { kind: 'NodeDevice', name: 'nvme0', origin: 'adopted', pruneDisabled: false, recordedAt: '2026-01-01T00:00:00.000Z' } },
    });
    const entry = parseInventory(old, 'inventory.json').objects['NodeDevice/nvme0'];
    expect(entry).toEqual({ kind: 'NodeDevice', name: 'nvme0', origin: 'adopted', pruneDisabled: false, recordedAt: '2026-01-01T00:00:00.000Z' });
    expect('liveKey' in entry).toBe(false);
  });

  it('rejects a live key that is not a string', () => {
    const bad = JSON.stringify({ version: 1, host, objects: { 'NodeDevice/nvme0': { ...nvme0, liveKey: 7, recordedAt: '' } } });
    expect(() => parseInventory(bad, 'inventory.json')).toThrow(/malformed entry "NodeDevice\/nvme0"/);
  });
});

describe('inventory files', () => {
  let dir: string;
  const host = hostIdentity('h', 'test:///default');
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vk-inv-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a missing file is an empty inventory', async () => {
    expect(await loadInventory(path.join(dir, 'none.json'), host)).toEqual(emptyInventory(host));
  });

  it('round-trips through an atomic write, leaving no temp files', async () => {
    const file = path.join(dir, 'sub', 'inventory.json');
    const inv = recordObject(emptyInventory(host), 'Network/lan', { kind: 'Network', name: 'lan', origin: 'adopted', pruneDisabled: true });
    await saveInventory(file, inv);
    expect(await loadInventory(file, host)).toEqual(inv);
    expect(await readdir(path.dirname(file))).toEqual(['inventory.json']);
  });

  it('refuses an inventory recorded for another host', async () => {
    const file = path.join(dir, 'inventory.json');
    await saveInventory(file, emptyInventory(hostIdentity('other', 'qemu:///system')));
    await expect(loadInventory(file, host)).rejects.toThrow(InventoryError);
  });

  it('rejects malformed files with the file name', async () => {
    const file = path.join(dir, 'inventory.json');
    await writeFile(file, '{"version": 1, "host": {}, "objects": {}}');
    await expect(loadInventory(file, host)).rejects.toThrow(/inventory.json: missing host identity/);
    await writeFile(file, 'not json');
    await expect(loadInventory(file, host)).rejects.toThrow(/not valid JSON/);
  });

  it('PersistentInventory writes every change through', async () => {
    const file = path.join(dir, 'inventory.json');
    const store = new PersistentInventory(file, emptyInventory(host));
    store.record('Domain/a', { kind: 'Domain', name: 'a', origin: 'created', pruneDisabled: false });
    store.record('Domain/b', { kind: 'Domain', name: 'b', origin: 'created', pruneDisabled: false });
    store.forget('Domain/a');
    await store.flush();
    expect(store.has('Domain/b')).toBe(true);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { objects: Record<string, unknown> };
    expect(Object.keys(saved.objects)).toEqual(['Domain/b']);
  });
});
