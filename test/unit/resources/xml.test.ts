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

  it('leaves the input untouched', () => {
    const b = base();
    applyXmlOverlay(b, '<features/>');
    expect(children(find(b, 'features')).length).toBe(1);
  });
});
