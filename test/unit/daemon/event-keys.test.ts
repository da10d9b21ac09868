import { describe, expect, it } from 'vitest';
import { echoKey, keysForEvent } from '../../../src/reconciler/event-keys.js';
import { nodeDeviceKeys, parsePciDeviceName } from '../../../src/resources/node-device/contract.js';
import { desiredOf, domain, manifest, network } from './helpers.js';

const desired = desiredOf(
  domain('web'),
  network('lan'),
  manifest('StoragePool', 'images', { type: 'dir', path: '/var/lib/images' }),
  manifest('StorageVolume', 'root', { pool: 'images', capacity: '1GiB' }),
  manifest('StorageVolume', 'data', { pool: 'other', capacity: '1GiB' }),
  manifest('NodeDevice', 'gpu', { pci: { bus: 0x06, slot: 0x12, function: 5 } }),
  manifest('NodeDevice', 'usb_1_2', { usb: { bus: 1, device: 2 } }),
);
const managed = new Set(desired.byKey.keys());

describe('keysForEvent', () => {
  it('maps a domain event to its Domain key', () => {
    expect(keysForEvent({ kind: 'domain', name: 'web' }, desired, managed)).toEqual(['Domain/web']);
  });
  it('ignores objects nobody manages', () => {
    expect(keysForEvent({ kind: 'domain', name: 'stranger' }, desired, managed)).toEqual([]);
    expect(keysForEvent({ kind: 'network', name: 'default' }, desired, managed)).toEqual([]);
  });
  it('maps a network event to its Network key', () => {
    expect(keysForEvent({ kind: 'network', name: 'lan' }, desired, managed)).toEqual(['Network/lan']);
  });
  it('maps a pool event to the pool and its volumes', () => {
    expect(keysForEvent({ kind: 'storagePool', name: 'images' }, desired, managed)).toEqual([
      'StoragePool/images',
      'StorageVolume/images/root',
    ]);
  });
  it('maps a node device event by PCI address or by name', () => {
    expect(keysForEvent({ kind: 'nodeDevice', name: 'pci_0000_06_12_5' }, desired, managed)).toEqual(['NodeDevice/gpu']);
    expect(keysForEvent({ kind: 'nodeDevice', name: 'usb_1_2' }, desired, managed)).toEqual(['NodeDevice/usb_1_2']);
    expect(keysForEvent({ kind: 'nodeDevice', name: 'pci_0000_00_02_0' }, desired, managed)).toEqual([]);
  });
  it('maps events of owned objects (under --prune) even without a manifest', () => {
    expect(keysForEvent({ kind: 'domain', name: 'old' }, null, new Set(['Domain/old']))).toEqual(['Domain/old']);
  });
});

describe('node device names', () => {
  it('parses libvirt PCI device names', () => {
    expect(parsePciDeviceName('pci_0000_06_12_5')).toEqual({ domain: 0, bus: 6, slot: 0x12, function: 5 });
    expect(parsePciDeviceName('pci_000a_ff_1f_7')).toEqual({ domain: 10, bus: 255, slot: 31, function: 7 });
    expect(parsePciDeviceName('usb_1_2')).toBeNull();
    expect(parsePciDeviceName('pci_0000_06_12_8')).toBeNull();
  });
  it('nodeDeviceKeys includes the same-named key', () => {
    expect(nodeDeviceKeys('pci_0000_06_12_5', desired)).toEqual(['NodeDevice/pci_0000_06_12_5', 'NodeDevice/gpu']);
  });
});

describe('echo keys (what the controller held as ECHO_SUBJECT)', () => {
  it("domains, networks and pools echo the daemon's own changes; node device events never count as echoes", () => {
    expect(echoKey({ kind: 'domain', name: 'web' })).toBe('Domain/web');
    expect(echoKey({ kind: 'network', name: 'lan' })).toBe('Network/lan');
    expect(echoKey({ kind: 'storagePool', name: 'images' })).toBe('StoragePool/images');
    expect(echoKey({ kind: 'nodeDevice', name: 'pci_0000_06_12_5' })).toBeUndefined();
  });
});
