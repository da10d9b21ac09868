// Host interface and node device procedures against the test driver of a private libvirtd.
import { describe, expect, it } from 'vitest';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { VIR_ERR_NO_INTERFACE, VIR_ERR_NO_NODE_DEVICE, VIR_ERR_NO_SUPPORT, VIR_ERR_OPERATION_DENIED } from '../../../src/libvirt/errors.js';
import { expectLibvirtError, useKeeperClient } from './helpers.js';

const ifaceXml = (name: string, mac: string): string =>
  `<interface type='ethernet' name='${name}'><start mode='onboot'/><mac address='${mac}'/></interface>`;

describe('host interfaces', () => {
  const fixture = usePrivateLibvirtd();
  const keeper = useKeeperClient(fixture);

  it('lists and reads the predefined eth1', async () => {
    const c = keeper.client;
    expect(await c.listInterfaces()).toEqual([{ name: 'eth1', mac: 'aa:bb:cc:dd:ee:ff' }]);
    const eth1 = await c.getInterface('eth1');
    expect(await c.lookupInterfaceByMac('aa:bb:cc:dd:ee:ff')).toEqual(eth1);
    expect(await c.isInterfaceActive(eth1)).toBe(true);
    expect(await c.getInterfaceXml(eth1, { inactive: true })).toContain("<interface type='ethernet' name='eth1'>");
  });

  it('define → start → destroy → undefine', async () => {
    const c = keeper.client;
    const eth9 = await c.defineInterface(ifaceXml('eth9', 'aa:bb:cc:dd:ee:09'));
    expect(eth9).toEqual({ name: 'eth9', mac: 'aa:bb:cc:dd:ee:09' });
    expect(await c.lookupInterface('eth9')).toEqual(eth9);
    expect((await c.listInterfaces({ active: false })).map((i) => i.name)).toEqual(['eth9']);
    await c.startInterface(eth9);
    expect(await c.isInterfaceActive(eth9)).toBe(true);
    await c.destroyInterface(eth9);
    expect(await c.isInterfaceActive(eth9)).toBe(false);
    await c.undefineInterface(eth9);
    expect(await c.lookupInterface('eth9')).toBeNull();
    await expectLibvirtError(c.getInterface('eth9'), VIR_ERR_NO_INTERFACE);
  });

  it('a read-only connection is refused interface mutations', async () => {
    const ro = await LibvirtClient.connect(fixture.daemon.testUri, { readOnly: true });
    try {
      await expectLibvirtError(ro.defineInterface(ifaceXml('eth8', 'aa:bb:cc:dd:ee:08')), VIR_ERR_OPERATION_DENIED);
      await expectLibvirtError(ro.destroyInterface(await ro.getInterface('eth1')), VIR_ERR_OPERATION_DENIED);
    } finally {
      await ro.close();
    }
  });
});

describe('node devices', () => {
  const fixture = usePrivateLibvirtd();
  const keeper = useKeeperClient(fixture);

  it('lists all devices, and by capability, with flags the test driver accepts', async () => {
    const c = keeper.client;
    const all = (await c.listNodeDevices()).map((d) => d.name).sort();
    expect(all).toEqual(['computer', 'scsi_host1', 'scsi_host11', 'scsi_host2']);
    const scsi = (await c.listNodeDevices({ capabilities: ['scsi_host'] })).map((d) => d.name).sort();
    expect(scsi).toEqual(['scsi_host1', 'scsi_host11', 'scsi_host2']);
    expect(await c.listNodeDevices({ capabilities: ['pci'] })).toEqual([]);
    expect((await c.listNodeDeviceNames('scsi_host')).sort()).toEqual(scsi);
  });

  it('reads a device: lookup, XML, parent, capabilities', async () => {
    const c = keeper.client;
    expect(await c.lookupNodeDevice('scsi_host1')).toEqual({ name: 'scsi_host1' });
    expect(await c.lookupNodeDevice('pci_0000_00_00_0')).toBeNull();
    await expectLibvirtError(c.getNodeDevice('pci_0000_00_00_0'), VIR_ERR_NO_NODE_DEVICE);
    const xml = await c.getNodeDeviceXml('scsi_host1');
    expect(xml).toContain('<name>scsi_host1</name>');
    expect(xml).toContain("<capability type='scsi_host'>");
    expect(await c.getNodeDeviceParent('scsi_host1')).toBe('computer');
    expect(await c.getNodeDeviceParent({ name: 'computer' })).toBeNull();
    expect(await c.listNodeDeviceCapabilities('scsi_host1')).toEqual(['scsi_host']);
  });

  it('detach / reattach / reset are not implemented by the test driver: VIR_ERR_NO_SUPPORT', async () => {
    const c = keeper.client;
    await expectLibvirtError(c.detachNodeDevice('scsi_host1', { driver: 'vfio' }), VIR_ERR_NO_SUPPORT);
    await expectLibvirtError(c.detachNodeDevice('scsi_host1'), VIR_ERR_NO_SUPPORT);
    await expectLibvirtError(c.reattachNodeDevice('scsi_host1'), VIR_ERR_NO_SUPPORT);
    await expectLibvirtError(c.resetNodeDevice('scsi_host1'), VIR_ERR_NO_SUPPORT);
  });
});
