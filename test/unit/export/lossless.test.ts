import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toManifests } from '../../../src/cli/commands/export.js';
import { loadFromSources } from '../../../src/manifests/index.js';
import { defaultRegistry } from '../../../src/resources/registry.js';
import type { LiveResource } from '../../../src/resources/types.js';
import { liveFromXml } from '../resources/common/live.js';
import { resolveSpec } from '../../../src/resources/domain/resolve.js';
import { buildDomainXml } from '../../../src/resources/domain/to-xml.js';
import { children, find } from '../../../src/resources/xml.js';

const encoder = new TextEncoder();

/** Exports `objects` and loads what export wrote with the project's own loader. */
function exportAndLoad(objects: LiveResource[]): { specs: Array<Record<string, unknown>>; errors: string[] } {
  const exported = toManifests(objects);
  const loaded = loadFromSources(
    '/x',
    exported.map((e) => ({ file: e.file, bytes: encoder.encode(e.text) })),
  );
  return {
    specs: exported.map((e) => (parse(e.text) as { spec: Record<string, unknown> }).spec),
    errors: loaded.errors.map((e) => `${e.path} ${e.message}`),
  };
}

describe('lossless export: every manifest valid', () => {
  it('leaves a secret named by libvirt uuid to the merge, verbatim, instead of writing an invalid reference', () => {
    const xml = `<pool type='iscsi'><name>san</name><source><host name='iscsi.example'/><device path='iqn.2013-06.com.example:iscsi-pool'/>
      <auth type='chap' username='admin'><secret uuid='2ec115d7-3a88-3ceb-bc12-0ac909a6fd87'/></auth></source><target><path>/dev/disk/by-path</path></target></pool>`;
    const pool = liveFromXml(defaultRegistry.StoragePool, 'san', xml, { active: false, autostart: false }) as LiveResource;
    expect((pool.spec as { source?: { auth?: unknown } }).source?.auth).toBeDefined();
    const { specs, errors } = exportAndLoad([pool]);
    expect(errors).toEqual([]);
    const spec = specs[0] as { source: Record<string, unknown>; xml: { merge: string } };
    expect(spec.source.auth).toBeUndefined();
    expect(spec.xml.merge).toContain('<secret uuid="2ec115d7-3a88-3ceb-bc12-0ac909a6fd87"/>');
  });

  it('leaves a friendly field the validator refuses to the merge (a hostdev network without the NICs the schema wants)', () => {
    const xml = `<network><name>hd</name><forward mode='hostdev' managed='yes'><address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x1'/></forward></network>`;
    const net = liveFromXml(defaultRegistry.Network, 'hd', xml, { active: false, autostart: false }) as LiveResource;
    const { specs, errors } = exportAndLoad([net]);
    expect(errors).toEqual([]);
    const spec = specs[0] as { forward?: unknown; xml: { merge: string } };
    expect(spec.forward).toBeUndefined();
    expect(spec.xml.merge).toMatch(/^<forward mode="hostdev" managed="yes">/);
  });

  it("carries other tools' metadata, and applying it keeps virtkeeper's ownership mark next to it", () => {
    const xml = `<domain type='kvm'><name>web</name><metadata><app1:foo xmlns:app1="http://app1.org/app1/">fooish</app1:foo></metadata>
      <memory unit='KiB'>1048576</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`;
    const dom = liveFromXml(defaultRegistry.Domain, 'web', xml, { active: false, autostart: false, state: 'shutoff' }) as LiveResource;
    expect(exportAndLoad([dom]).errors).toEqual([]);
    const manifest = toManifests([dom])[0]?.manifest;
    if (manifest?.kind !== 'Domain') throw new Error('no Domain exported');
    const spec = manifest.spec;
    expect(spec.xml?.merge).toContain('<app1:foo xmlns:app1="http://app1.org/app1/">fooish</app1:foo>');
    const metadata = find(buildDomainXml('web', resolveSpec(spec, undefined)), 'metadata');
    expect(children(metadata).map((c) => c.name)).toEqual(['app1:foo', 'vk:managed']);
  });

  it('does not drop a refused field when no live document is there to carry it', () => {
    const bare = {
      key: 'Network/hd',
      kind: 'Network',
      name: 'hd',
      spec: { forward: { mode: 'hostdev' } },
      active: false,
      persistent: true,
      markedOwned: false,
    } as LiveResource;
    expect(exportAndLoad([bare]).specs[0]).toEqual({ forward: { mode: 'hostdev' } });
  });
});
