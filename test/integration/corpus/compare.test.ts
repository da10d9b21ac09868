// The corpus round-trip's comparer on its own (pure, no libvirtd): what it ignores and what it
// must still report, so the counts in roundtrip.test.ts mean what docs/roundtrip.md says.
import { describe, expect, it } from 'vitest';
import { lossKey, xmlDifferences } from './compare.js';

describe('corpus XML comparison', () => {
  it('ignores attribute order, whitespace, comments, uuids and MACs libvirt generated', () => {
    const a = `<network><name>n</name><uuid>1</uuid><mac address='52:54:00:aa:bb:cc'/><bridge stp='on' name='br0'/></network>`;
    const b = `<network>\n  <!-- c -->\n  <name>n</name>\n  <uuid>2</uuid>\n  <mac address='52:54:00:11:22:33'/>\n  <bridge name='br0' stp='on'/>\n</network>`;
    expect(xmlDifferences(a, b, '<network><name>n</name></network>')).toEqual([]);
  });

  it('holds a MAC the document wrote itself', () => {
    const a = `<network><mac address='52:54:00:aa:bb:cc'/></network>`;
    const b = `<network><mac address='52:54:00:11:22:33'/></network>`;
    expect(xmlDifferences(a, b, a)).toEqual(['~network/mac@address']);
  });

  it('takes netmask and prefix, and family ipv4 and none, as the same', () => {
    const a = `<network><ip family='ipv4' address='10.0.0.1' netmask='255.255.255.0'/></network>`;
    const b = `<network><ip address='10.0.0.1' prefix='24'/></network>`;
    expect(xmlDifferences(a, b, a)).toEqual([]);
  });

  it('reports lost, added and changed paths, ignoring only generated elements added', () => {
    const a = `<pool><target><path>/p</path><permissions><mode>0755</mode></permissions></target><source><device path='/a'/><device path='/b'/></source></pool>`;
    const b = `<pool><target><path>/q</path></target><source><device path='/a'/><device path='/b' part_separator='no'/></source><uuid>x</uuid><extra/></pool>`;
    const d = xmlDifferences(a, b, a);
    expect(d).toEqual(['~pool/target/path#text', '-pool/target/permissions', '+pool/source/device[1]@part_separator', '+pool/extra']);
    expect(d.map(lossKey)).toContain('+pool/source/device@part_separator');
  });
});
