import { describe, expect, it } from 'vitest';
import * as nd from '../../../../src/libvirt/procedures/nodedev.js';
import * as ifc from '../../../../src/libvirt/procedures/interface.js';
import { argsOf, cat, i32, retOf, str, u32 } from './helpers.js';

describe('node device procedures', () => {
  it('have the numbers of remote_protocol.x', () => {
    expect([
      nd.NODE_NUM_OF_DEVICES.number,
      nd.NODE_LIST_DEVICES.number,
      nd.NODE_DEVICE_LOOKUP_BY_NAME.number,
      nd.NODE_DEVICE_GET_XML_DESC.number,
      nd.NODE_DEVICE_RE_ATTACH.number,
      nd.NODE_DEVICE_RESET.number,
      nd.CONNECT_LIST_ALL_NODE_DEVICES.number,
      nd.NODE_DEVICE_DETACH_FLAGS.number,
    ]).toEqual([111, 112, 113, 114, 119, 120, 285, 301]);
  });

  it('NODE_DEVICE_DETACH_FLAGS: name, optional driver name, flags', () => {
    expect(argsOf(nd.NODE_DEVICE_DETACH_FLAGS, { name: 'pci_0000_06_12_5', driverName: null, flags: 0 })).toEqual(
      cat(str('pci_0000_06_12_5'), u32(0), u32(0)),
    );
    expect(argsOf(nd.NODE_DEVICE_DETACH_FLAGS, { name: 'pci_0000_06_12_5', driverName: 'vfio', flags: 0 })).toEqual(
      cat(str('pci_0000_06_12_5'), u32(1), str('vfio'), u32(0)),
    );
  });

  it('NODE_LIST_DEVICES: optional cap, maxnames, flags; returns names', () => {
    expect(argsOf(nd.NODE_LIST_DEVICES, { cap: 'pci', maxnames: 10, flags: 0 })).toEqual(cat(u32(1), str('pci'), i32(10), u32(0)));
    expect(retOf(nd.NODE_LIST_DEVICES, cat(u32(2), str('computer'), str('scsi_host1')))).toEqual(['computer', 'scsi_host1']);
  });

  it('capability filter bits never include ACTIVE/INACTIVE, which the test driver rejects', () => {
    const all = Object.values(nd.NODE_DEVICE_CAP_FLAGS).reduce((a, b) => a | b, 0);
    expect(all & 0xc0000000).toBe(0);
    expect(nd.NODE_DEVICE_CAP_FLAGS.pci).toBe(2);
  });
});

describe('interface procedures', () => {
  it('have the numbers of remote_protocol.x', () => {
    expect([
      ifc.INTERFACE_LOOKUP_BY_NAME.number,
      ifc.INTERFACE_GET_XML_DESC.number,
      ifc.INTERFACE_DEFINE_XML.number,
      ifc.INTERFACE_UNDEFINE.number,
      ifc.INTERFACE_CREATE.number,
      ifc.INTERFACE_DESTROY.number,
      ifc.INTERFACE_IS_ACTIVE.number,
      ifc.CONNECT_LIST_ALL_INTERFACES.number,
    ]).toEqual([128, 130, 131, 132, 133, 134, 156, 284]);
  });

  it('remote_nonnull_interface is name then mac', () => {
    expect(argsOf(ifc.INTERFACE_GET_XML_DESC, { iface: { name: 'eth1', mac: 'aa:bb:cc:dd:ee:ff' }, flags: 1 })).toEqual(
      cat(str('eth1'), str('aa:bb:cc:dd:ee:ff'), u32(1)),
    );
  });
});
