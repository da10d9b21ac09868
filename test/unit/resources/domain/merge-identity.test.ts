// xml.merge on a domain that exists: a merged device of the identity of a friendly one replaces
// it (not a second disk vda), and a merge the domain already carries is no change unless it
// drops something the recorded one added.
import { describe, expect, it } from 'vitest';
import type { DomainSpec } from '../../../../src/resources/domain/schema.js';
import { diffDomain, resolveSpec } from '../../../../src/resources/domain/index.js';
import { buildDomainXml } from '../../../../src/resources/domain/to-xml.js';
import { attr, children, find } from '../../../../src/resources/xml.js';

const LIVE_XML = `<domain type='kvm'><name>web</name><memory unit='KiB'>2097152</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk' snapshot='no'><driver name='qemu' type='raw'/><source file='/var/lib/a.img'/><target dev='vda' bus='virtio'/><address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/></disk>
    <watchdog model='i6300esb' action='reset'/>
  </devices></domain>`;
const DISK_MERGE =
  "<devices><disk type='file' device='disk' snapshot='no'><driver name='qemu' type='raw'/><source file='/var/lib/a.img'/><target dev='vda' bus='virtio'/></disk></devices>";
const SPEC: DomainSpec = {
  memory: '2GiB',
  disks: [{ file: '/var/lib/a.img', target: 'vda', bus: 'virtio', format: 'raw' }],
  xml: { merge: DISK_MERGE },
};

describe('xml.merge devices by identity on an existing domain', () => {
  it('keeps one disk vda, the merged one, with its live address', () => {
    const devices = find(buildDomainXml('web', resolveSpec(SPEC, undefined), { liveXml: LIVE_XML }), 'devices');
    const disks = children(devices, 'disk');
    expect(disks.map((d) => attr(find(d, 'target'), 'dev'))).toEqual(['vda']);
    expect(attr(disks[0], 'snapshot')).toBe('no');
    expect(attr(find(disks[0], 'address'), 'slot')).toBe('0x04');
  });

  it('a merge the live document carries, recorded by no mark, is no change; one it lacks is', () => {
    const live: DomainSpec = { ...resolveSpec(SPEC, undefined), xml: undefined };
    expect(diffDomain(resolveSpec(SPEC, undefined), live, LIVE_XML)).toEqual([]);
    const other = { ...SPEC, xml: { merge: "<devices><watchdog model='ib700' action='reset'/></devices>" } };
    expect(diffDomain(resolveSpec(other, undefined), live, LIVE_XML).map((c) => c.path)).toEqual(['spec.xml.merge']);
  });

  it('a merge that drops a device the recorded one added is a change, though the live document still carries the rest', () => {
    const recorded = `${DISK_MERGE}<devices><watchdog model="i6300esb" action="reset"/></devices>`;
    const live: DomainSpec = { ...resolveSpec(SPEC, undefined), xml: { merge: recorded } };
    expect(diffDomain(resolveSpec(SPEC, undefined), live, LIVE_XML).map((c) => c.path)).toEqual(['spec.xml.merge']);
  });
});
