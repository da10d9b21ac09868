import { dependencyKeys } from '../../../../src/resources/contract.js';
import { describe, expect, it } from 'vitest';
import type { StorageVolumeManifest, StorageVolumeSpec } from '../../../../src/resources/storage-volume/schema.js';
import type { LoadedManifest } from '../../../../src/manifests/types.js';
import { storagePoolKind } from '../../../../src/resources/storage-pool/index.js';
import { storageVolumeKind } from '../../../../src/resources/storage-volume/index.js';
import { find, parseXml, text } from '../../../../src/resources/xml.js';
import { loadExamples, loadKindFixtures } from '../common/fixtures.js';
import { contextOf, liveFromXml, loaded, manifest } from '../common/live.js';
import { payloadOf } from '../common/payload-of.js';

const POOL = loaded(manifest('StoragePool', 'images', { type: 'dir', path: '/var/lib/libvirt/images' }));
const ROOT: StorageVolumeSpec = {
  pool: 'images',
  capacity: '20GiB',
  format: 'qcow2',
  backingStore: { volume: { name: 'base.qcow2' }, format: 'qcow2' },
};

/** libvirtd's view of web-1-root: key, path, allocation, physical, permissions, timestamps, compat. */
const ROOT_LIVE_XML = `<volume type='file'>
  <name>root.qcow2</name>
  <key>/var/lib/libvirt/images/root.qcow2</key>
  <capacity unit='bytes'>21474836480</capacity>
  <allocation unit='bytes'>200704</allocation>
  <physical unit='bytes'>196624</physical>
  <target>
    <path>/var/lib/libvirt/images/root.qcow2</path>
    <format type='qcow2'/>
    <permissions>
      <mode>0600</mode>
      <owner>0</owner>
      <group>0</group>
    </permissions>
    <timestamps>
      <atime>1700000000.1</atime>
    </timestamps>
    <compat>1.1</compat>
  </target>
  <backingStore>
    <path>/var/lib/libvirt/images/base.qcow2</path>
    <format type='qcow2'/>
  </backingStore>
</volume>
`;

function root(spec: Partial<StorageVolumeSpec> = {}, annotations?: Record<string, string>): StorageVolumeManifest {
  return manifest('StorageVolume', 'root.qcow2', { ...ROOT, ...spec }, annotations);
}

function plan(m: StorageVolumeManifest, extra: LoadedManifest[] = [POOL]) {
  const live = liveFromXml(storageVolumeKind, 'root.qcow2', ROOT_LIVE_XML, { pool: 'images' });
  return storageVolumeKind.plan(loaded(m), live, contextOf([loaded(m), ...extra], [live]));
}

describe('StorageVolume round trip', () => {
  it('fromXml(toXml(spec)) plans nothing for every example and fixture volume', async () => {
    for (const state of [await loadExamples(), loadKindFixtures()]) {
      const ctx = contextOf(state.manifests);
      for (const lm of state.manifests) {
        if (lm.manifest.kind !== 'StorageVolume') continue;
        const m = lm.manifest;
        const xml = storageVolumeKind.toXml(m, undefined, ctx);
        const live = liveFromXml(storageVolumeKind, m.metadata.name, xml, { pool: m.spec.pool });
        const change = storageVolumeKind.plan(lm as never, live, contextOf(state.manifests, [live]));
        expect(change.changes, m.metadata.name).toEqual([]);
        expect(change.action).toBe('no-op');
      }
    }
  });

  it('reads sizes back in the largest exact unit', () => {
    expect(storageVolumeKind.fromXml(ROOT_LIVE_XML, { pool: 'images' })).toEqual({
      pool: 'images',
      capacity: '20GiB',
      allocation: '196KiB',
      format: 'qcow2',
      backingStore: { path: '/var/lib/libvirt/images/base.qcow2', format: 'qcow2' },
    });
    const g = `<volume><name>v</name><capacity unit='G'>2</capacity><target/></volume>`;
    expect(storageVolumeKind.fromXml(g, {}).capacity).toBe('2GiB');
  });
});

describe('StorageVolume defaults are not drift', () => {
  it('key, path, allocation, physical, permissions, timestamps → no changes', () => {
    expect(plan(root()).action).toBe('no-op');
  });

  it('the same size in another unit is no change', () => {
    expect(plan(root({ capacity: '20480MiB' })).action).toBe('no-op');
  });

  it('allocation is not compared after creation', () => {
    expect(plan(root({ allocation: '20GiB' })).action).toBe('no-op');
  });
});

describe('StorageVolume changes', () => {
  it('capacity growth → live resize in bytes', () => {
    const change = plan(root({ capacity: '30GiB' }));
    expect(change.changes).toEqual([{ path: 'spec.capacity', before: '20GiB', after: '30GiB', class: 'live' }]);
    expect(change.steps).toEqual([
      {
        op: 'resize',
        description: 'grow volume images/root.qcow2 to 30GiB',
        payload: { pool: 'images', name: 'root.qcow2', capacity: 32212254720 },
      },
    ]);
    expect(change.refused).toBeUndefined();
  });

  it('capacity shrink → refused, no steps', () => {
    const change = plan(root({ capacity: '10GiB' }));
    expect(change.changes.map((c) => c.path)).toEqual(['spec.capacity']);
    expect(change.refused).toMatch(/never shrunk/);
    expect(change.steps).toEqual([]);
  });

  it('format change → replace, refused without allow-replace', () => {
    const change = plan(root({ format: 'raw', backingStore: undefined }));
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.format', 'replace']]);
    expect(change.action).toBe('replace');
    expect(change.refused).toMatch(/allow-replace/);
  });

  it('format change with allow-replace: delete then create', () => {
    const change = plan(root({ format: 'raw', backingStore: undefined }, { 'virtkeeper.io/allow-replace': 'true' }));
    expect(change.refused).toBeUndefined();
    expect(change.steps.map((s) => s.op)).toEqual(['delete', 'createXml']);
  });

  it('backing store change → replace at spec.backingStore.path', () => {
    const change = plan(root({ backingStore: { path: '/srv/other.qcow2', format: 'qcow2' } }));
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.backingStore.path', 'replace']]);
    expect(change.refused).toBeDefined();
  });

  it('backing volume resolves to the live base volume path when it exists', () => {
    const base = liveFromXml(
      storageVolumeKind,
      'base.qcow2',
      `<volume><name>base.qcow2</name><capacity unit='bytes'>1</capacity><target><path>/elsewhere/base.qcow2</path><format type='qcow2'/></target></volume>`,
      { pool: 'images' },
    );
    const xml = storageVolumeKind.toXml(root(), undefined, contextOf([POOL], [base]));
    expect(text(find(parseXml(xml), 'backingStore', 'path'))).toBe('/elsewhere/base.qcow2');
  });

  it('backing volume not created yet → predicted from the live pool path, else the pool manifest', () => {
    const livePool = liveFromXml(
      storagePoolKind,
      'images',
      `<pool type='dir'><name>images</name><target><path>/live/images</path></target></pool>`,
    );
    const fromLive = storageVolumeKind.toXml(root(), undefined, contextOf([POOL], [livePool]));
    expect(text(find(parseXml(fromLive), 'backingStore', 'path'))).toBe('/live/images/base.qcow2');
    const fromManifest = storageVolumeKind.toXml(root(), undefined, contextOf([POOL]));
    expect(text(find(parseXml(fromManifest), 'backingStore', 'path'))).toBe('/var/lib/libvirt/images/base.qcow2');
  });
});

describe('StorageVolume create and delete', () => {
  it('create: createXml, then upload for source', () => {
    const m = manifest('StorageVolume', 'base.qcow2', {
      pool: 'images',
      capacity: '2GiB',
      format: 'qcow2',
      source: { url: 'https://x/y.qcow2' },
    });
    const change = storageVolumeKind.plan(loaded(m), undefined, contextOf([loaded(m), POOL]));
    expect(change.action).toBe('create');
    expect(change.steps.map((s) => s.op)).toEqual(['createXml', 'upload']);
    expect(change.dependsOn).toEqual(['StoragePool/images']);
  });

  it('cloneFrom: createXmlFrom with the source capacity when none is given', () => {
    const src = manifest('StorageVolume', 'src.img', { pool: 'images', capacity: '3GiB' });
    const m = manifest('StorageVolume', 'copy.img', { pool: 'images', cloneFrom: { name: 'src.img' } });
    const change = storageVolumeKind.plan(loaded(m), undefined, contextOf([loaded(m), loaded(src), POOL]));
    expect(change.steps.map((s) => [s.op, payloadOf(s).fromPool, payloadOf(s).fromName])).toEqual([['createXmlFrom', 'images', 'src.img']]);
    expect(payloadOf(change.steps[0]).xml).toContain('<capacity unit="bytes">3221225472</capacity>');
    expect(change.dependsOn).toEqual(['StoragePool/images', 'StorageVolume/images/src.img']);
  });

  it('dependencies: pool, backing volume (default pool) and clone source (other pool)', () => {
    const m = root({ cloneFrom: { pool: 'isos', name: 'x' } });
    expect(dependencyKeys(storageVolumeKind.definition, m)).toEqual([
      'StoragePool/images',
      'StorageVolume/images/base.qcow2',
      'StorageVolume/isos/x',
    ]);
  });

  it('delete is refused unless the pool manifest allows it', () => {
    const live = liveFromXml(storageVolumeKind, 'root.qcow2', ROOT_LIVE_XML, { pool: 'images' });
    const refused = storageVolumeKind.plan(undefined, live, contextOf([POOL], [live]));
    expect(refused.action).toBe('delete');
    expect(refused.refused).toMatch(/virtkeeper\.io\/allow-delete/);
    const pool = loaded(
      manifest('StoragePool', 'images', { type: 'dir', path: '/var/lib/libvirt/images' }, { 'virtkeeper.io/allow-delete': 'true' }),
    );
    const allowed = storageVolumeKind.plan(undefined, live, contextOf([pool], [live]));
    expect(allowed.refused).toBeUndefined();
    expect(allowed.steps).toEqual([
      { op: 'delete', description: 'delete volume images/root.qcow2 and its data', payload: { pool: 'images', name: 'root.qcow2' } },
    ]);
  });
});
