// Export → plan, per kind: what export leaves to xml.merge plans nothing against the object it
// came from, and a change on the host to something only the merge carries shows as a change.
import { describe, expect, it } from 'vitest';
import { toManifests } from '../../../src/cli/commands/export.js';
import type { AnyManifest, ManifestKind } from '../../../src/manifests/types.js';
import { defaultRegistry } from '../../../src/resources/registry.js';
import type { LiveResource, ResourceKind } from '../../../src/resources/types.js';
import { contextOf, liveFromXml, loaded } from '../resources/common/live.js';

interface Case {
  kind: ManifestKind;
  name: string;
  xml: string;
  /** The same document with one thing only the merge carries changed on the host. */
  changed: string;
  /** Part of the merge export must write. */
  merged: string;
  pool?: string;
}

const POOL_XML = "<pool type='dir'><name>images</name><target><path>/var/lib/images</path></target></pool>";

const CASES: Case[] = [
  {
    kind: 'Domain',
    name: 'web',
    xml: "<domain type='kvm'><name>web</name><memory unit='KiB'>1048576</memory><vcpu placement='static'>1</vcpu><cputune><shares>2048</shares></cputune><os><type arch='x86_64'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator><memballoon model='virtio'/></devices></domain>",
    changed:
      "<domain type='kvm'><name>web</name><memory unit='KiB'>1048576</memory><vcpu placement='static'>1</vcpu><cputune><shares>1024</shares></cputune><os><type arch='x86_64'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator><memballoon model='virtio'/></devices></domain>",
    merged: '<shares>2048</shares>',
  },
  {
    kind: 'Domain',
    name: 'web',
    xml: "<domain type='kvm'><name>web</name><memory unit='KiB'>1048576</memory><vcpu placement='static'>1</vcpu><os><type arch='x86_64'>hvm</type></os><devices><memballoon model='virtio'/></devices></domain>",
    changed:
      "<domain type='kvm'><name>web</name><memory unit='KiB'>1048576</memory><vcpu placement='static'>1</vcpu><os><type arch='x86_64'>hvm</type></os><devices><memballoon model='none'/></devices></domain>",
    merged: '<memballoon model="virtio"/>',
  },
  {
    kind: 'Network',
    name: 'lan',
    xml: "<network><name>lan</name><bridge name='virbr5' stp='on' delay='0'/><mac address='52:54:00:aa:bb:cc'/><ip address='192.168.5.1' prefix='24'/></network>",
    changed:
      "<network><name>lan</name><bridge name='virbr5' stp='on' delay='0'/><mac address='52:54:00:aa:bb:dd'/><ip address='192.168.5.1' prefix='24'/></network>",
    merged: '<mac address="52:54:00:aa:bb:cc"/>',
  },
  {
    kind: 'StoragePool',
    name: 'images',
    xml: "<pool type='dir'><name>images</name><target><path>/var/lib/images</path><permissions><mode>0711</mode></permissions></target></pool>",
    changed:
      "<pool type='dir'><name>images</name><target><path>/var/lib/images</path><permissions><mode>0700</mode></permissions></target></pool>",
    merged: '<mode>0711</mode>',
  },
  {
    kind: 'StorageVolume',
    name: 'root.qcow2',
    pool: 'images',
    xml: "<volume><name>root.qcow2</name><capacity unit='bytes'>1073741824</capacity><target><format type='qcow2'/><compat>1.1</compat></target></volume>",
    changed:
      "<volume><name>root.qcow2</name><capacity unit='bytes'>1073741824</capacity><target><format type='qcow2'/><compat>0.10</compat></target></volume>",
    merged: '<compat>1.1</compat>',
  },
  {
    kind: 'Interface',
    name: 'eth9',
    xml: "<interface type='ethernet' name='eth9'><start mode='onboot'/><link speed='1000' state='up'/></interface>",
    changed: "<interface type='ethernet' name='eth9'><start mode='onboot'/><link speed='100' state='up'/></interface>",
    merged: '<link speed="1000" state="up"/>',
  },
];

function liveOf(c: Case, xml: string): LiveResource {
  const kind = defaultRegistry[c.kind] as ResourceKind<ManifestKind>;
  return liveFromXml(kind, c.name, xml, {
    active: true,
    autostart: false,
    state: 'running',
    ...(c.pool ? { pool: c.pool } : {}),
  }) as LiveResource;
}

describe('export → plan with xml.merge, per kind', () => {
  it("a volume's owner, which libvirt changes while a guest runs, is not drift; its mode is", () => {
    const pool = liveFromXml(defaultRegistry.StoragePool, 'images', POOL_XML, { active: true, autostart: false }) as LiveResource;
    const volume = (owner: string, mode: string): string =>
      `<volume><name>v.qcow2</name><capacity unit='bytes'>1073741824</capacity><target><format type='qcow2'/><permissions><mode>${mode}</mode><owner>${owner}</owner><group>${owner}</group></permissions></target></volume>`;
    const live = (xml: string): LiveResource =>
      liveFromXml(defaultRegistry.StorageVolume, 'v.qcow2', xml, { active: true, pool: 'images' }) as LiveResource;
    const exported = toManifests([live(volume('0', '0600')), pool]).find((e) => e.key === 'StorageVolume/images/v.qcow2');
    const manifest = exported?.manifest as AnyManifest;
    expect((manifest.spec as { xml?: { merge?: string } }).xml?.merge).toContain('<owner>0</owner>');
    const others = toManifests([pool]).map((e) => loaded(e.manifest));
    const kind = defaultRegistry.StorageVolume as ResourceKind<ManifestKind>;
    const plan = (against: LiveResource) => kind.plan(loaded(manifest), against, contextOf([...others, loaded(manifest)], [pool, against]));
    expect(plan(live(volume('64055', '0600'))).changes).toEqual([]);
    expect(plan(live(volume('0', '0644'))).changes.map((c) => c.path)).toEqual(['spec.xml.merge']);
  });

  const pool = liveFromXml(defaultRegistry.StoragePool, 'images', POOL_XML, { active: true, autostart: false }) as LiveResource;
  for (const c of CASES) {
    it(`${c.kind}: the merge export writes plans nothing, and a change to what it carries is a change`, () => {
      const live = liveOf(c, c.xml);
      // A volume's pool is exported with it, as export reads the whole host.
      const context = c.pool ? [pool] : [];
      const exported = toManifests([live, ...context]).find((e) => e.key === live.key);
      const manifest = exported?.manifest as AnyManifest;
      const merge = (manifest.spec as { xml?: { merge?: string } }).xml?.merge ?? '';
      expect(merge.replace(/\s+/g, '')).toContain(c.merged.replace(/\s+/g, ''));

      const kind = defaultRegistry[c.kind] as ResourceKind<ManifestKind>;
      const others = toManifests(context).map((e) => loaded(e.manifest));
      const plan = (against: LiveResource) =>
        kind.plan(loaded(manifest), against, contextOf([...others, loaded(manifest)], [...context, against]));
      expect(plan(live).changes).toEqual([]);
      expect(plan(liveOf(c, c.changed)).changes.map((ch) => ch.path)).toContain('spec.xml.merge');
    });
  }
});
