import { describe, expect, it } from 'vitest';
import { applyXmlOverlay, attr, children, el, find, parseXml, text, textEl, toXmlString } from '../../../src/resources/xml.js';

describe('xml tree', () => {
  it('round-trips libvirt XML keeping sibling order and comments', () => {
    const src = `<domain type="kvm">
  <name>web</name>
  <!-- keep me -->
  <devices>
    <disk type="file" device="cdrom"/>
    <interface type="network"/>
    <disk type="file" device="disk"/>
  </devices>
</domain>
`;
    const tree = parseXml(src);
    expect(toXmlString(tree)).toBe(src);
    expect(children(find(tree, 'devices')).map((c) => c.name)).toEqual(['disk', 'interface', 'disk']);
  });

  it('escapes markup carried in text and attributes', () => {
    const doc = el('domain', { type: 'kvm' }, textEl('description', `<script>&"'`), el('x', { a: `"<&'>` }));
    const xml = toXmlString(doc);
    expect(xml).toContain('<description>&lt;script&gt;&amp;"\'</description>');
    expect(xml).toContain('a="&quot;&lt;&amp;&apos;&gt;"');
    const back = parseXml(xml);
    expect(text(find(back, 'description'))).toBe(`<script>&"'`);
    expect(attr(find(back, 'x'), 'a')).toBe(`"<&'>`);
  });

  it('drops undefined attributes and children', () => {
    expect(toXmlString(el('a', { x: undefined, y: 1, z: true }, undefined, textEl('b', undefined), 'v'))).toBe('<a y="1" z="yes">v</a>\n');
  });

  it('rejects malformed XML with a position', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/invalid XML at line 1/);
  });
});

describe('xml overlay', () => {
  const base = () => el('domain', {}, textEl('name', 'x'), el('features', {}, el('acpi')), el('devices', {}, el('disk')));

  it('replaces same-named top-level elements and appends new ones', () => {
    const out = applyXmlOverlay(base(), '<features><pae/></features><memtune><hard_limit>1</hard_limit></memtune>');
    expect(children(find(out, 'features')).map((c) => c.name)).toEqual(['pae']);
    expect(children(out).map((c) => c.name)).toEqual(['name', 'features', 'devices', 'memtune']);
  });

  it('appends device children instead of replacing <devices>', () => {
    const out = applyXmlOverlay(base(), '<devices><watchdog model="i6300esb"/></devices>');
    expect(children(find(out, 'devices')).map((c) => c.name)).toEqual(['disk', 'watchdog']);
  });

  it('lets several fragments of one name replace the generated ones together, in place', () => {
    const net = el('network', {}, textEl('name', 'n'), el('ip', { address: '10.0.0.1' }), el('dns'));
    const out = applyXmlOverlay(net, '<ip address="10.1.0.1"/><ip address="fd00::1"/>');
    expect(children(out).map((c) => `${c.name}${c.attrs.address ? ` ${c.attrs.address}` : ''}`)).toEqual([
      'name',
      'ip 10.1.0.1',
      'ip fd00::1',
      'dns',
    ]);
  });

  it('replaces the generated device of the same identity instead of adding a second one', () => {
    const dom = el(
      'domain',
      {},
      el('devices', {}, el('disk', { device: 'disk' }, el('target', { dev: 'vda' })), el('disk', {}, el('target', { dev: 'vdb' }))),
    );
    const out = applyXmlOverlay(
      dom,
      '<devices><disk device="disk" snapshot="no"><target dev="vda"/></disk><disk><target dev="vdc"/></disk></devices>',
    );
    const disks = children(find(out, 'devices'), 'disk');
    expect(disks.map((d) => `${attr(find(d, 'target'), 'dev') ?? ''} ${attr(d, 'snapshot') ?? '-'}`)).toEqual(['vda no', 'vdb -', 'vdc -']);
  });

  it('appends a device without identity even when one alike is generated', () => {
    const dom = el('domain', {}, el('devices', {}, el('input', { type: 'tablet' })));
    const out = applyXmlOverlay(dom, '<devices><input type="keyboard"/></devices>');
    expect(children(find(out, 'devices')).map((c) => c.attrs.type)).toEqual(['tablet', 'keyboard']);
  });

  it('sets the root attributes from an element named like the root', () => {
    const vol = el('volume', { type: 'file' }, textEl('name', 'v'));
    const out = applyXmlOverlay(vol, '<volume type="block"/>');
    expect(out.attrs).toEqual({ type: 'block' });
    expect(children(out).map((c) => c.name)).toEqual(['name']);
  });

  it('leaves the input untouched', () => {
    const b = base();
    applyXmlOverlay(b, '<features/>');
    expect(children(find(b, 'features')).length).toBe(1);
  });
});
