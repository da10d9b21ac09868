import { describe, expect, it } from 'vitest';
import { describeCallObject } from '../../../src/libvirt/call-object.js';

describe('describeCallObject', () => {
  it('names handles of every kind', () => {
    expect(describeCallObject('DOMAIN_CREATE', { dom: { name: 'web-1', uuid: 'u', id: -1 } })).toBe("domain 'web-1'");
    expect(describeCallObject('NETWORK_CREATE', { net: { name: 'lan', uuid: 'u' } })).toBe("network 'lan'");
    expect(describeCallObject('STORAGE_VOL_DELETE', { vol: { pool: 'images', name: 'a.qcow2', key: 'k' }, flags: 0 })).toBe(
      "storage volume 'images/a.qcow2'",
    );
    expect(describeCallObject('STORAGE_POOL_BUILD', { pool: { name: 'images', uuid: 'u' }, flags: 0 })).toBe("storage pool 'images'");
    expect(describeCallObject('DOMAIN_SNAPSHOT_DELETE', { snap: { name: 's1', dom: { name: 'web-1' } } })).toBe(
      "domain snapshot 'web-1/s1'",
    );
  });

  it('names lookups by bare name, name fields and defined XML', () => {
    expect(describeCallObject('DOMAIN_LOOKUP_BY_NAME', 'web-1')).toBe("domain 'web-1'");
    expect(describeCallObject('DOMAIN_LOOKUP_BY_NAME', { name: 'web-1' })).toBe("domain 'web-1'");
    expect(describeCallObject('DOMAIN_LOOKUP_BY_UUID', { uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f' })).toBe(
      "domain '6695eb01-f6a4-8304-79aa-97f2502e193f'",
    );
    expect(describeCallObject('STORAGE_VOL_LOOKUP_BY_PATH', { path: '/images/a.qcow2' })).toBe("storage volume '/images/a.qcow2'");
    expect(describeCallObject('STORAGE_VOL_LOOKUP_BY_KEY', { key: '/images/a.qcow2' })).toBe("storage volume '/images/a.qcow2'");
    expect(describeCallObject('INTERFACE_LOOKUP_BY_MAC_STRING', { mac: '52:54:00:00:00:01' })).toBe("interface '52:54:00:00:00:01'");
    expect(describeCallObject('NODE_DEVICE_GET_XML_DESC', { name: 'pci_0000_00_01_0', flags: 0 })).toBe("node device 'pci_0000_00_01_0'");
    expect(describeCallObject('NETWORK_DEFINE_XML', { xml: '<network>\n  <name>lan</name></network>' })).toBe("network 'lan'");
  });

  it('says nothing when the arguments name no object', () => {
    expect(describeCallObject('CONNECT_GET_HOSTNAME', undefined)).toBeUndefined();
    expect(describeCallObject('CONNECT_LIST_ALL_DOMAINS', { needResults: true, flags: 0 })).toBeUndefined();
    expect(describeCallObject('AUTH_LIST', 'x')).toBeUndefined();
  });
});
