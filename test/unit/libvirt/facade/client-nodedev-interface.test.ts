// The façade's node device and host interface methods over the generated procedures, at the bytes.
import { describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../../src/libvirt/client.js';
import { NODE_DEVICE_CAP_FLAGS } from '../../../../src/libvirt/enum-names.js';
import { cat, i32, str, u32 } from './helpers.js';
import { WireCaller } from './wire-caller.js';

function client(reply?: (name: string) => Buffer): { c: LibvirtClient; wire: WireCaller } {
  const wire = new WireCaller(reply);
  return { c: new LibvirtClient(wire), wire };
}

describe('node device methods on the wire', () => {
  it('detachNodeDevice: name, optional driver name, flags', async () => {
    const { c, wire } = client();
    await c.detachNodeDevice('pci_0000_06_12_5');
    await c.detachNodeDevice({ name: 'pci_0000_06_12_5' }, { driver: 'vfio' });
    expect(wire.sent.map((s) => [s.name, s.number])).toEqual([
      ['NODE_DEVICE_DETACH_FLAGS', 301],
      ['NODE_DEVICE_DETACH_FLAGS', 301],
    ]);
    expect(wire.sent[0]!.body).toEqual(cat(str('pci_0000_06_12_5'), u32(0), u32(0)));
    expect(wire.sent[1]!.body).toEqual(cat(str('pci_0000_06_12_5'), u32(1), str('vfio'), u32(0)));
  });

  it('listNodeDeviceNames: optional cap, maxnames from NODE_NUM_OF_DEVICES, flags; returns names', async () => {
    const { c, wire } = client((name) => (name === 'NODE_NUM_OF_DEVICES' ? i32(10) : cat(u32(2), str('computer'), str('scsi_host1'))));
    expect(await c.listNodeDeviceNames('pci')).toEqual(['computer', 'scsi_host1']);
    expect(wire.sent.map((s) => s.body)).toEqual([cat(u32(1), str('pci'), u32(0)), cat(u32(1), str('pci'), i32(10), u32(0))]);
  });

  it('getNodeDeviceParent: null for the root', async () => {
    const { c, wire } = client(() => u32(0));
    expect(await c.getNodeDeviceParent('computer')).toBeNull();
    expect(wire.only.body).toEqual(str('computer'));
  });

  it('listNodeDevices: capability bits, then handles and count', async () => {
    const { c, wire } = client(() => cat(u32(1), str('pci_1'), u32(1)));
    expect(await c.listNodeDevices({ capabilities: ['pci', 'net'] })).toEqual([{ name: 'pci_1' }]);
    expect(wire.only).toMatchObject({ name: 'CONNECT_LIST_ALL_NODE_DEVICES', number: 285, body: cat(i32(1), u32(2 | 16)) });
  });

  it('capability filter bits never include ACTIVE/INACTIVE, which the test driver rejects', () => {
    const all = Object.values(NODE_DEVICE_CAP_FLAGS).reduce((a, b) => a | b, 0);
    expect(all & 0xc0000000).toBe(0);
    expect(NODE_DEVICE_CAP_FLAGS.pci).toBe(2);
  });
});

describe('interface methods on the wire', () => {
  it('remote_nonnull_interface is name then mac', async () => {
    const { c, wire } = client(() => str('<interface/>'));
    expect(await c.getInterfaceXml({ name: 'eth1', mac: 'aa:bb:cc:dd:ee:ff' }, { inactive: true })).toBe('<interface/>');
    expect(wire.only).toMatchObject({ name: 'INTERFACE_GET_XML_DESC', number: 130 });
    expect(wire.only.body).toEqual(cat(str('eth1'), str('aa:bb:cc:dd:ee:ff'), u32(1)));
  });

  it('listInterfaces decodes handles and count; isInterfaceActive the int flag', async () => {
    const eth = { name: 'eth0', mac: '52:54:00:00:00:01' };
    const { c, wire } = client((name) => (name === 'INTERFACE_IS_ACTIVE' ? i32(1) : cat(u32(1), str(eth.name), str(eth.mac), u32(1))));
    expect(await c.listInterfaces({ active: true })).toEqual([eth]);
    expect(await c.isInterfaceActive(eth)).toBe(true);
    expect(wire.sent[0]!.body).toEqual(cat(i32(1), u32(2)));
  });
});
