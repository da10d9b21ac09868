// Editing a live domain: libvirt's defaults and identities survive, and a manifest that does not
// mention them sees no drift.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DomainManifest, DomainSpec } from '../../../../src/resources/domain/schema.js';
import type { DesiredState } from '../../../../src/manifests/types.js';
import { diffDomain, domainSpecFromXml, domainXmlString, resolveSpec } from '../../../../src/resources/domain/index.js';
import { matchInterfaces } from '../../../../src/resources/domain/devices.js';
import { attr, child, children, find, parseXml, text, type XmlElement } from '../../../../src/resources/xml.js';
import { domainsOf, loadExampleState, validateDomainXml } from './helpers.js';

const LIVE = {
  'web-1': readFileSync('test/fixtures/domain/live/web-1.xml', 'utf8'),
  'db-1': readFileSync('test/fixtures/domain/live/db-1.xml', 'utf8'),
};
const RUNTIME = { 'web-1': { state: 'running', autostart: true }, 'db-1': { state: 'shutoff', autostart: false } };

const examples: DesiredState = await loadExampleState();
function example(name: 'web-1' | 'db-1'): DomainManifest {
  const m = domainsOf(examples).find((d) => d.manifest.metadata.name === name);
  if (!m) throw new Error(`example ${name} missing`);
  return m.manifest;
}

function regenerate(name: 'web-1' | 'db-1', spec: DomainSpec = example(name).spec, liveXml: string = LIVE[name]): XmlElement {
  const xml = domainXmlString(name, resolveSpec(spec, examples), { liveXml });
  expect(validateDomainXml(xml)).toBeUndefined();
  return parseXml(xml);
}

const devices = (d: XmlElement, name: string): XmlElement[] => children(find(d, 'devices'), name);

describe('live XML full of libvirt defaults', () => {
  for (const name of ['web-1', 'db-1'] as const) {
    it(`${name}: the example manifest sees no drift`, () => {
      const live = domainSpecFromXml(LIVE[name], RUNTIME[name]);
      expect(diffDomain(resolveSpec(example(name).spec, examples), live)).toEqual([]);
    });

    it(`${name}: regenerating from the live XML changes nothing the manifest compares`, () => {
      const xml = domainXmlString(name, resolveSpec(example(name).spec, examples), { liveXml: LIVE[name] });
      expect(validateDomainXml(xml)).toBeUndefined();
      const again = domainSpecFromXml(xml, RUNTIME[name]);
      expect(diffDomain(resolveSpec(example(name).spec, examples), again)).toEqual([]);
      expect(diffDomain(domainSpecFromXml(LIVE[name], RUNTIME[name]), again)).toEqual([]);
    });
  }

  it('keeps what the manifest does not govern: emulator, controllers, firmware files, pm, video, other metadata', () => {
    const out = regenerate('web-1');
    expect(text(find(out, 'devices', 'emulator'))).toBe('/usr/bin/qemu-system-x86_64');
    expect(devices(out, 'controller')).toHaveLength(4);
    expect(devices(out, 'video')).toHaveLength(1);
    expect(devices(out, 'memballoon')).toHaveLength(1);
    expect(devices(out, 'input')).toHaveLength(2);
    expect(devices(out, 'serial')).toHaveLength(1); // manifest sets no serials: the live one stays
    expect(text(find(out, 'os', 'nvram'))).toBe('/var/lib/libvirt/qemu/nvram/web-1_VARS.fd');
    expect(find(out, 'pm')).toBeDefined();
    expect(children(find(out, 'metadata')).map((c) => c.name)).toEqual(['libosinfo:libosinfo', 'vk:managed']);
    expect(attr(find(out, 'features', 'vmport'), 'state')).toBe('off');
  });

  it('carries the uuid, MACs, device addresses and a VNC password over', () => {
    const out = regenerate('web-1');
    expect(text(find(out, 'uuid'))).toBe('0b6f1d9e-8e2a-4c51-9d3e-5f0a7b2c4d11');
    expect(find(devices(out, 'disk')[0], 'address')?.attrs).toMatchObject({ bus: '0x04', slot: '0x00' });
    expect(find(devices(out, 'interface')[0], 'address')?.attrs).toMatchObject({ bus: '0x01' });
    expect(attr(devices(out, 'graphics')[0], 'passwd')).toBe('s3cret');

    const db = regenerate('db-1');
    const nics = devices(db, 'interface');
    expect(nics.map((n) => attr(find(n, 'mac'), 'address'))).toEqual(['52:54:00:00:10:02', '52:54:00:7a:8b:9c', '52:54:00:11:22:33']);
    expect(find(devices(db, 'hostdev')[0], 'address')?.attrs).toMatchObject({ type: 'pci', bus: '0x07' });
    expect(
      find(
        devices(db, 'disk').find((d) => attr(d, 'device') === 'cdrom'),
        'address',
      )?.attrs,
    ).toMatchObject({ type: 'drive' });
  });

  it('never removes devices the friendly fields cannot express', () => {
    const db = regenerate('db-1');
    expect(devices(db, 'disk').map((d) => attr(d, 'device'))).toContain('floppy');
    expect(devices(db, 'interface').map((n) => attr(n, 'type'))).toContain('user');
  });

  it('uses the manifest uuid when it sets one', () => {
    const out = regenerate('web-1', { ...example('web-1').spec, uuid: '11111111-2222-3333-4444-555555555555' });
    expect(text(find(out, 'uuid'))).toBe('11111111-2222-3333-4444-555555555555');
  });
});

describe('editing', () => {
  it('changes what the manifest changed', () => {
    const out = regenerate('web-1', { ...example('web-1').spec, memory: '4GiB', vcpus: 4 });
    expect(text(find(out, 'memory'))).toBe('4194304');
    expect(text(find(out, 'vcpu'))).toBe('4');
    expect(attr(find(out, 'vcpu'), 'placement')).toBe('static');
    // The old balloon target would cap the new maximum: libvirt sets it from memory instead.
    expect(find(out, 'currentMemory')).toBeUndefined();
  });

  it('keeps currentMemory while memory is unchanged', () => {
    expect(text(find(regenerate('web-1'), 'currentMemory'))).toBe('2097152');
  });

  it('does not add the overlay devices again, and keeps their addresses', () => {
    const out = regenerate('web-1');
    const rngs = devices(out, 'rng');
    expect(rngs).toHaveLength(1);
    expect(attr(child(rngs[0], 'address'), 'bus')).toBe('0x06');
  });

  it('removes what an edited overlay no longer asks for', () => {
    const spec = { ...example('web-1').spec, xml: { merge: '<devices><watchdog model="i6300esb" action="reset"/></devices>' } };
    const out = regenerate('web-1', spec);
    expect(devices(out, 'rng')).toHaveLength(0);
    expect(devices(out, 'watchdog')).toHaveLength(1);
    const again = regenerate('web-1', spec, domainXmlString('web-1', resolveSpec(spec, examples), { liveXml: LIVE['web-1'] }));
    expect(devices(again, 'watchdog')).toHaveLength(1);
  });

  it('removes top-level elements a previous overlay set', () => {
    const withHuge = { ...example('web-1').spec, xml: { merge: '<memoryBacking><hugepages/></memoryBacking>' } };
    const first = domainXmlString('web-1', resolveSpec(withHuge, examples), { liveXml: LIVE['web-1'] });
    expect(find(parseXml(first), 'memoryBacking')).toBeDefined();
    const second = regenerate('web-1', { ...example('web-1').spec, xml: undefined }, first);
    expect(find(second, 'memoryBacking')).toBeUndefined();
  });

  it('turns features on and off without touching the others', () => {
    const out = regenerate('web-1', { ...example('web-1').spec, features: { acpi: false, vmport: true, smm: true } });
    expect(children(find(out, 'features')).map((f) => f.name)).toEqual(['apic', 'vmport', 'smm']);
    expect(attr(find(out, 'features', 'vmport'), 'state')).toBe('on');
  });

  it('replacing starts from scratch but keeps uuid, MACs and addresses', () => {
    const xml = domainXmlString('db-1', resolveSpec({ ...example('db-1').spec, type: 'qemu' }, examples), {
      liveXml: LIVE['db-1'],
      fresh: true,
    });
    const out = parseXml(xml);
    expect(attr(out, 'type')).toBe('qemu');
    expect(text(find(out, 'uuid'))).toBe('5c1e7a3b-2d4f-4e6a-8b9c-0d1e2f3a4b5c');
    expect(find(out, 'devices', 'emulator')).toBeUndefined();
    expect(devices(out, 'interface').map((n) => attr(find(n, 'mac'), 'address'))).toEqual(['52:54:00:00:10:02', '52:54:00:7a:8b:9c']);
    expect(find(devices(out, 'disk')[0], 'address')?.attrs).toMatchObject({ bus: '0x04' });
  });
});

describe('interface matching', () => {
  const live = parseXml(`<devices>
    <interface type="network"><mac address="52:54:00:00:00:0a"/><source network="lan"/></interface>
    <interface type="bridge"><mac address="52:54:00:00:00:0b"/><source bridge="br0"/></interface>
  </devices>`);
  const nics = children(live, 'interface');
  const macs = (m: Array<XmlElement | undefined>): Array<string | undefined> => m.map((n) => attr(find(n, 'mac'), 'address'));

  it('by index and source', () => {
    expect(macs(matchInterfaces([{ network: 'lan' }, { bridge: 'br0' }], nics))).toEqual(['52:54:00:00:00:0a', '52:54:00:00:00:0b']);
  });
  it('survives a NIC inserted in front', () => {
    expect(macs(matchInterfaces([{ network: 'other' }, { network: 'lan' }, { bridge: 'br0' }], nics))).toEqual([
      undefined,
      '52:54:00:00:00:0a',
      '52:54:00:00:00:0b',
    ]);
  });
  it('by MAC when the manifest gives one (any case)', () => {
    expect(macs(matchInterfaces([{ bridge: 'br0', mac: '52:54:00:00:00:0B' }, { network: 'lan' }], nics))).toEqual([
      '52:54:00:00:00:0b',
      '52:54:00:00:00:0a',
    ]);
  });
  it('not across sources', () => {
    expect(macs(matchInterfaces([{ network: 'wan' }], nics))).toEqual([undefined]);
  });
});

describe('restoreGraphicsPasswords', () => {
  it('puts back a password a read-only plan could not see', async () => {
    const { restoreGraphicsPasswords } = await import('../../../../src/resources/domain/devices.js');
    const doc = parseXml(`<domain><devices><graphics type="vnc" port="-1"/><graphics type="spice"/></devices></domain>`);
    const secure = parseXml(`<domain><devices><graphics type="vnc" passwd="pw"/><graphics type="vnc" passwd="other"/></devices></domain>`);
    expect(restoreGraphicsPasswords(doc, secure)).toBe(true);
    expect(children(find(doc, 'devices'), 'graphics').map((g) => attr(g, 'passwd'))).toEqual(['pw', undefined]);
    expect(restoreGraphicsPasswords(doc, secure)).toBe(false);
  });
});
