import { describe, expect, it } from 'vitest';
import type { StoragePoolManifest, StoragePoolSpec } from '../../../../src/resources/storage-pool/schema.js';
import { storagePoolKind } from '../../../../src/resources/storage-pool/index.js';
import { find, parseXml, text } from '../../../../src/resources/xml.js';
import { loadExamples, loadKindFixtures } from '../common/fixtures.js';
import { contextOf, liveFromXml, loaded, manifest } from '../common/live.js';
import { payloadOf } from '../common/payload-of.js';

const IMAGES: StoragePoolSpec = { type: 'dir', path: '/var/lib/libvirt/images', autostart: true };

/** What libvirtd reports for the images pool: uuid, sizes, an empty <source>, target permissions. */
const IMAGES_LIVE_XML = `<pool type='dir'>
  <name>images</name>
  <uuid>3d86c7a8-93c8-4d3a-88af-3d2af378b51f</uuid>
  <capacity unit='bytes'>107374182400</capacity>
  <allocation unit='bytes'>5368709120</allocation>
  <available unit='bytes'>102005473280</available>
  <source>
  </source>
  <target>
    <path>/var/lib/libvirt/images/</path>
    <permissions>
      <mode>0711</mode>
      <owner>0</owner>
      <group>0</group>
    </permissions>
  </target>
</pool>
`;

function images(spec: Partial<StoragePoolSpec> = {}, annotations?: Record<string, string>): StoragePoolManifest {
  return manifest('StoragePool', 'images', { ...IMAGES, ...spec } as StoragePoolSpec, annotations);
}

function plan(m: StoragePoolManifest, runtime = { active: true, autostart: true }, liveXml = IMAGES_LIVE_XML) {
  const live = liveFromXml(storagePoolKind, 'images', liveXml, runtime);
  return storagePoolKind.plan(loaded(m), live, contextOf([loaded(m)], [live]));
}

describe('StoragePool round trip', () => {
  it('fromXml(toXml(spec)) plans nothing for every example and fixture pool', async () => {
    for (const state of [await loadExamples(), loadKindFixtures()]) {
      for (const lm of state.manifests) {
        if (lm.manifest.kind !== 'StoragePool') continue;
        const m = lm.manifest;
        const xml = storagePoolKind.toXml(m, undefined, contextOf([]));
        const live = liveFromXml(storagePoolKind, m.metadata.name, xml, { active: true, autostart: m.spec.autostart ?? false });
        const change = storagePoolKind.plan(lm as never, live, contextOf([lm], [live]));
        expect(change.changes, m.metadata.name).toEqual([]);
      }
    }
  });

  it('reads sources back per type', () => {
    const iscsi = `<pool type='iscsi'><name>s</name><source><host name='san' port='3260'/><device path='iqn.x:y'/><initiator><iqn name='iqn.h:k'/></initiator></source><target><path>/dev/disk/by-path</path></target></pool>`;
    expect(storagePoolKind.fromXml(iscsi, {})).toEqual({
      type: 'iscsi',
      path: '/dev/disk/by-path',
      source: { host: 'san', port: 3260, iqn: 'iqn.x:y', initiatorIqn: 'iqn.h:k' },
    });
    const logical = `<pool type='logical'><name>v</name><source><device path='/dev/sdc'/><device path='/dev/sdd'/><name>vg</name><format type='lvm2'/></source><target><path>/dev/vg</path></target></pool>`;
    expect(storagePoolKind.fromXml(logical, { autostart: false })).toEqual({
      type: 'logical',
      autostart: false,
      path: '/dev/vg',
      source: { devices: ['/dev/sdc', '/dev/sdd'], name: 'vg', format: 'lvm2' },
    });
  });
});

describe('StoragePool types beyond the classic six', () => {
  // As libvirt 9.0 writes them back (measured with its test driver): a scsi_host type added to a
  // named adapter, no target for rbd, the zvol directory as zfs target, an empty mpath source.
  const runtime = { active: true, autostart: false };
  const cases: Array<[string, StoragePoolSpec, string]> = [
    [
      'scsi',
      { type: 'scsi', source: { adapter: { name: 'host0' } } },
      `<pool type='scsi'><name>images</name><source><adapter type='scsi_host' name='host0'/></source><target><path>/dev/disk/by-path</path></target></pool>`,
    ],
    [
      'scsi fc_host',
      { type: 'scsi', source: { adapter: { parent: 'scsi_host5', wwnn: '0x20000000C9831B4B', wwpn: '10000000c9831b4b' } } },
      `<pool type='scsi'><name>images</name><source><adapter type='fc_host' parent='scsi_host5' wwnn='20000000c9831b4b' wwpn='10000000c9831b4b'/></source><target><path>/dev/disk/by-path</path></target></pool>`,
    ],
    [
      'scsi by HBA address',
      { type: 'scsi', source: { adapter: { parentAddress: { pci: { bus: 0, slot: 0x1f, function: 2 }, uniqueId: 5 } } } },
      `<pool type='scsi'><name>images</name><source><adapter type='scsi_host'><parentaddr unique_id='5'><address domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/></parentaddr></adapter></source><target><path>/dev/disk/by-path</path></target></pool>`,
    ],
    ['mpath', { type: 'mpath' }, `<pool type='mpath'><name>images</name><source></source><target><path>/dev/mapper</path></target></pool>`],
    [
      'rbd',
      { type: 'rbd', source: { name: 'rbdpool', host: 'mon1', port: 6789 } },
      `<pool type='rbd'><name>images</name><source><host name='mon1' port='6789'/><name>rbdpool</name></source></pool>`,
    ],
    [
      'iscsi-direct',
      { type: 'iscsi-direct', source: { host: 'san.example', iqn: 't0', initiatorIqn: 'h0' } },
      `<pool type='iscsi-direct'><name>images</name><source><host name='san.example'/><device path='t0'/><initiator><iqn name='h0'/></initiator></source></pool>`,
    ],
    [
      'zfs',
      { type: 'zfs', source: { name: 'tank', devices: ['/dev/sdb', '/dev/sdc'] } },
      `<pool type='zfs'><name>images</name><source><device path='/dev/sdb'/><device path='/dev/sdc'/><name>tank</name></source><target><path>/dev/zvol/tank</path></target></pool>`,
    ],
    [
      'gluster',
      { type: 'gluster', source: { host: 'g1', dir: '/sub', name: 'gv0' } },
      `<pool type='gluster'><name>images</name><source><host name='g1'/><dir path='/sub'/><name>gv0</name></source></pool>`,
    ],
  ];
  it.each(cases)("%s: libvirt's own spelling is no change", (_what, spec, liveXml) => {
    expect(plan(manifest('StoragePool', 'images', spec), runtime, liveXml).changes).toEqual([]);
  });

  it('another adapter is a replace', () => {
    const [, , liveXml] = cases[0];
    const change = plan(manifest('StoragePool', 'images', { type: 'scsi', source: { adapter: { name: 'host1' } } }), runtime, liveXml);
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.source.adapter.name', 'replace']]);
  });

  it('a scsi_host named by its HBA address: written as <parentaddr>, read back, another address a replace', () => {
    const [, spec, liveXml] = cases[2];
    const xml = storagePoolKind.toXml(manifest('StoragePool', 'images', spec), undefined, contextOf([]));
    const parentaddr = find(parseXml(xml), 'source', 'adapter', 'parentaddr');
    expect(parentaddr?.attrs).toEqual({ unique_id: '5' });
    expect(find(parentaddr, 'address')?.attrs).toEqual({ domain: '0x0000', bus: '0x00', slot: '0x1f', function: '0x2' });
    expect(storagePoolKind.fromXml(liveXml, runtime).source?.adapter).toEqual({
      parentAddress: { pci: { domain: 0, bus: 0, slot: 0x1f, function: 2 }, uniqueId: 5 },
    });
    const moved = plan(
      manifest('StoragePool', 'images', {
        type: 'scsi',
        source: { adapter: { parentAddress: { pci: { bus: 0, slot: 0x1f, function: 3 }, uniqueId: 5 } } },
      }),
      runtime,
      liveXml,
    );
    expect(moved.changes.map((c) => [c.path, c.class])).toEqual([['spec.source.adapter.parentAddress', 'replace']]);
  });

  it('nothing is built for storage that exists on its own; a zpool only with devices and allow-format', () => {
    const steps = (spec: StoragePoolSpec, annotations?: Record<string, string>) =>
      storagePoolKind.plan(loaded(manifest('StoragePool', 'images', spec, annotations)), undefined, contextOf([])).steps.map((s) => s.op);
    for (const [, spec] of cases.filter(([what]) => what !== 'zfs')) expect(steps(spec)).not.toContain('build');
    expect(steps({ type: 'zfs', source: { name: 'tank' } }, { 'virtkeeper.io/allow-format': 'true' })).not.toContain('build');
    expect(steps({ type: 'zfs', source: { name: 'tank', devices: ['/dev/sdb'] } })).not.toContain('build');
    expect(steps({ type: 'zfs', source: { name: 'tank', devices: ['/dev/sdb'] } }, { 'virtkeeper.io/allow-format': 'true' })).toContain(
      'build',
    );
  });
});

describe('StoragePool defaults are not drift', () => {
  it('uuid, capacity/allocation/available, permissions, empty source, trailing slash → no changes', () => {
    expect(plan(images()).action).toBe('no-op');
  });

  it('keeps the uuid libvirt assigned', () => {
    const live = liveFromXml(storagePoolKind, 'images', IMAGES_LIVE_XML, { active: true });
    const xml = storagePoolKind.toXml(images(), live, contextOf([]));
    expect(text(find(parseXml(xml), 'uuid'))).toBe('3d86c7a8-93c8-4d3a-88af-3d2af378b51f');
  });
});

describe('StoragePool changes', () => {
  const cases: Array<[string, Partial<StoragePoolSpec>, string]> = [
    ['type', { type: 'fs', source: undefined }, 'spec.type'],
    ['path', { path: '/srv/images' }, 'spec.path'],
    ['source dir', { source: { dir: '/export' } }, 'spec.source.dir'],
    ['source devices', { source: { devices: ['/dev/sdb'] } }, 'spec.source.devices'],
    ['source format', { source: { format: 'ext4' } }, 'spec.source.format'],
    ['source host', { source: { host: 'nfs' } }, 'spec.source.host'],
  ];
  for (const [what, patch, path] of cases) {
    it(`${what} → replace at ${path}, refused without annotation`, () => {
      const change = plan(images(patch));
      expect(change.changes.map((c) => [c.path, c.class])).toEqual([[path, 'replace']]);
      expect(change.action).toBe('replace');
      expect(change.refused).toMatch(/virtkeeper\.io\/allow-replace/);
    });
  }

  it('replace with allow-replace: destroy, undefine, define, build, start, autostart — never delete', () => {
    const change = plan(images({ path: '/srv/images' }, { 'virtkeeper.io/allow-replace': 'true' }));
    expect(change.refused).toBeUndefined();
    expect(change.steps.map((s) => s.op)).toEqual(['destroy', 'undefine', 'define', 'build', 'start', 'setAutostart']);
  });

  it('autostart → live', () => {
    const change = plan(images({ autostart: false }));
    expect(change.changes).toEqual([{ path: 'spec.autostart', before: true, after: false, class: 'live' }]);
    expect(change.steps.map((s) => s.op)).toEqual(['setAutostart']);
  });

  it('an inactive pool is started', () => {
    const change = plan(images(), { active: false, autostart: true });
    expect(change.changes.map((c) => c.path)).toEqual(['status.active']);
    expect(change.steps.map((s) => s.op)).toEqual(['start']);
  });

  it('xml.merge drift → redefine, restart required when active', () => {
    const change = plan(images({ xml: { merge: '<source><dir path="/x"/></source>' } }));
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.xml.merge', 'redefine']]);
    expect(change.restartRequired).toBe(true);
    expect(change.steps.map((s) => s.op)).toEqual(['define']);
  });
});

describe('StoragePool create and delete', () => {
  function createOps(m: StoragePoolManifest) {
    return storagePoolKind.plan(loaded(m), undefined, contextOf([loaded(m)])).steps.map((s) => [s.op, payloadOf(s).noOverwrite]);
  }

  it('dir: define, build (mkdir), start, setAutostart', () => {
    expect(createOps(images())).toEqual([
      ['define', undefined],
      ['build', false],
      ['start', undefined],
      ['setAutostart', undefined],
    ]);
  });

  it('logical/disk are built only with allow-format, and then without overwriting', () => {
    const lv = (a?: Record<string, string>) =>
      manifest('StoragePool', 'vg', { type: 'logical', source: { devices: ['/dev/sdc'], name: 'vg' } } as StoragePoolSpec, a);
    expect(createOps(lv())).toEqual([
      ['define', undefined],
      ['start', undefined],
    ]);
    expect(createOps(lv({ 'virtkeeper.io/allow-format': 'true' }))).toEqual([
      ['define', undefined],
      ['build', true],
      ['start', undefined],
    ]);
  });

  it('fs builds only the mount point unless allow-format', () => {
    const fs = manifest('StoragePool', 'f', { type: 'fs', path: '/mnt/f', source: { devices: ['/dev/sdb1'] } } as StoragePoolSpec);
    expect(createOps(fs)[1]).toEqual(['build', false]);
  });

  it('delete: destroy and undefine, the storage stays', () => {
    const live = liveFromXml(storagePoolKind, 'images', IMAGES_LIVE_XML, { active: true });
    const change = storagePoolKind.plan(undefined, live, contextOf([], [live]));
    expect(change.action).toBe('delete');
    expect(change.steps.map((s) => s.op)).toEqual(['destroy', 'undefine']);
  });
});

describe('StoragePool login from a Secret', () => {
  const secret = manifest('Secret', 'san-chap', { usage: { iscsi: 'libvirtiscsi' }, valueFrom: { env: 'SAN' } });
  const san = (username: string) =>
    manifest('StoragePool', 'san', {
      type: 'iscsi',
      source: { host: '127.0.0.1', iqn: 'iqn.2013-06.com.example:iscsi-pool', auth: { type: 'chap', username, secret: 'san-chap' } },
    });
  /** What libvirt 9.0's storage driver returned for that pool (pool-dumpxml --inactive). */
  const LIBVIRT_XML = `<pool type='iscsi'>
  <name>san</name>
  <uuid>9cec14c8-7669-442e-89d5-cc25ccc09d8b</uuid>
  <capacity unit='bytes'>0</capacity>
  <allocation unit='bytes'>0</allocation>
  <available unit='bytes'>0</available>
  <source>
    <host name='127.0.0.1'/>
    <device path='iqn.2013-06.com.example:iscsi-pool'/>
    <auth type='chap' username='myuser'>
      <secret usage='libvirtiscsi'/>
    </auth>
  </source>
  <target>
    <path>/dev/disk/by-path</path>
  </target>
</pool>
`;

  it("writes the Secret's usage, not its name, depends on it, and plans nothing against what libvirt returns", () => {
    const m = san('myuser');
    const ctx = contextOf([loaded(m), loaded(secret)]);
    const xml = storagePoolKind.toXml(m, undefined, ctx);
    expect(xml).toContain(`<auth type="chap" username="myuser">\n      <secret usage="libvirtiscsi"/>\n    </auth>`);
    const live = liveFromXml(storagePoolKind, 'san', LIBVIRT_XML, { active: true, autostart: false });
    expect(live.spec.source?.auth).toEqual({ type: 'chap', username: 'myuser', secret: 'usage:libvirtiscsi' });
    const same = storagePoolKind.plan(loaded(m), live, contextOf([loaded(m), loaded(secret)], [live]));
    expect(same.changes).toEqual([]);
    expect(same.dependsOn).toContain('Secret/san-chap');
    // A new login is a redefine that takes effect when the pool starts again.
    const changed = storagePoolKind.plan(loaded(san('operator')), live, contextOf([loaded(san('operator')), loaded(secret)], [live]));
    expect(changed.changes).toEqual([{ path: 'spec.source.auth.username', before: 'myuser', after: 'operator', class: 'redefine' }]);
    expect(changed.steps.map((s) => s.op)).toEqual(['define']);
    expect(changed.restartRequired).toBe(true);
  });
});
