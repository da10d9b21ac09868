import { describe, expect, it } from 'vitest';
import { residual, type ResidualRules } from '../../../src/export/residual.js';
import { applyXmlOverlay, parseXml, toXmlString } from '../../../src/resources/xml.js';
import { xmlDifferences } from '../../integration/corpus/compare.js';

const NETWORK: ResidualRules = { skip: new Set(['name', 'uuid']) };
const DOMAIN: ResidualRules = { skip: new Set(['name', 'uuid', 'metadata']), devices: true };

/** The residual, and the rendered document with it merged: what apply would define. */
function roundTrip(a: string, r: string, rules: ResidualRules): { fragments: string[]; uncarried: string[]; differences: string[] } {
  const found = residual(parseXml(a), parseXml(r), rules);
  const merged = applyXmlOverlay(parseXml(r), found.fragments.join('\n'));
  return { ...found, differences: xmlDifferences(a, toXmlString(merged), a) };
}

describe('residual (what xml.merge must carry for a lossless export)', () => {
  it('is empty when the rendering reproduces the live document, whatever the order and spacing', () => {
    const found = residual(
      parseXml("<network><name>n</name><uuid>u</uuid><bridge name='b' stp='on'/><ip address='10.0.0.1' prefix='24'/></network>"),
      parseXml("<network><name>n</name><ip prefix='24' address='10.0.0.1'/>\n  <bridge stp='on' name='b'/></network>"),
      NETWORK,
    );
    expect(found).toEqual({ fragments: [], uncarried: [] });
  });

  it("leaves out what is state or another spelling: a network's connections, a netmask written as a prefix, an empty <source/>", () => {
    const rules: ResidualRules = {
      ...NETWORK,
      skipAttrs: new Set(['connections']),
      sameAs: (e) => (e.name === 'ip' && e.attrs.netmask === '255.255.255.0' ? { address: e.attrs.address ?? '', prefix: '24' } : e.attrs),
    };
    const found = residual(
      parseXml("<network connections='3'><name>n</name><source/><ip address='10.0.0.1' netmask='255.255.255.0'/></network>"),
      parseXml("<network><name>n</name><ip address='10.0.0.1' prefix='24'/></network>"),
      rules,
    );
    expect(found).toEqual({ fragments: [], uncarried: [] });
  });

  it('carries every element of a name that differs, in the live order, and merging it gives the live document back', () => {
    const a =
      "<network><name>n</name><ip address='10.0.0.1' prefix='24'><dhcp><bootp file='pxe'/></dhcp></ip><ip address='fd00::1' prefix='64' family='ipv6'/><mac address='52:54:00:00:00:01'/></network>";
    const r = "<network><name>n</name><ip address='10.0.0.1' prefix='24'/><ip address='fd00::1' prefix='64' family='ipv6'/></network>";
    const out = roundTrip(a, r, NETWORK);
    expect(out.fragments.map((f) => f.slice(0, 4))).toEqual(['<ip ', '<ip ', '<mac']);
    expect(out.differences).toEqual([]);
  });

  it('carries root attributes in an element named like the root, and reports what it cannot carry', () => {
    const out = roundTrip(
      "<volume type='block'><name>v</name></volume>",
      "<volume type='file' extra='1'><name>v</name><physical>1</physical></volume>",
      { skip: new Set(['name']) },
    );
    expect(out.fragments).toEqual(['<volume type="block"/>']);
    expect(out.uncarried).toEqual(['+@extra', '+physical']);
  });

  it('declares on a carried element the namespace the root declared for it', () => {
    const a =
      "<pool type='netfs' xmlns:fs='http://libvirt.org/schemas/storagepool/fs/1.0'><name>p</name><fs:mount_opts><fs:option name='sync'/></fs:mount_opts></pool>";
    const out = roundTrip(a, "<pool type='netfs'><name>p</name></pool>", { skip: new Set(['name']) });
    expect(out.fragments).toEqual([expect.stringContaining('<fs:mount_opts xmlns:fs="http://libvirt.org/schemas/storagepool/fs/1.0">')]);
  });

  it('carries devices one by one: those missing, and those the rendering gets only partly, by identity', () => {
    const a = `<domain type='kvm'><name>d</name><devices>
      <emulator>/usr/bin/qemu</emulator>
      <disk type='file' device='disk' snapshot='no'><source file='/a.img'/><target dev='vda' bus='virtio'/><address type='pci' slot='0x04'/></disk>
      <disk type='file' device='disk'><source file='/b.img'/><target dev='vdb' bus='virtio'/><address type='pci' slot='0x05'/></disk>
      <input type='mouse' bus='ps2'/>
    </devices></domain>`;
    const r = `<domain type='kvm'><name>d</name><devices>
      <disk type='file' device='disk'><source file='/a.img'/><target dev='vda' bus='virtio'/></disk>
      <disk type='file' device='disk'><source file='/b.img'/><target dev='vdb' bus='virtio'/></disk>
    </devices></domain>`;
    const out = roundTrip(a, r, DOMAIN);
    expect(out.fragments).toHaveLength(1);
    // vdb differs only by the address libvirt fills in again: not carried.
    expect(out.fragments[0]).not.toContain('vdb');
    expect(out.fragments[0]).toMatch(/<emulator>[\s\S]*snapshot="no"[\s\S]*<input type="mouse"/);
    expect(out.differences).toEqual(['-domain/devices/disk[1]/address']);
  });

  it('reports a generated device the live document does not have', () => {
    const out = residual(
      parseXml('<domain><name>d</name><devices/></domain>'),
      parseXml('<domain><name>d</name><devices><video/></devices></domain>'),
      DOMAIN,
    );
    expect(out.uncarried).toEqual(['+devices/video']);
  });
});
