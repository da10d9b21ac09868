// StorageVolume kind against libvirt's test driver (which cannot resize or upload volumes; uploads
// to real storage are in storage-volume-upload.test.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import type { StoragePoolManifest } from '../../../src/resources/storage-pool/schema.js';
import type { StorageVolumeManifest, StorageVolumeSpec } from '../../../src/resources/storage-volume/schema.js';
import { storagePoolKind } from '../../../src/resources/storage-pool/index.js';
import { storageVolumeKind } from '../../../src/resources/storage-volume/index.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { KindHarness, type AnyKind } from '../../unit/resources/common/harness.js';
import { manifest } from '../../unit/resources/common/live.js';

const POOL: StoragePoolManifest = manifest('StoragePool', 'vk-vols', { type: 'dir', path: '/var/lib/vk-int/vols' });
const BASE: StorageVolumeManifest = manifest('StorageVolume', 'base.qcow2', { pool: 'vk-vols', capacity: '2GiB', format: 'qcow2' });
const OVERLAY_SPEC: StorageVolumeSpec = {
  pool: 'vk-vols',
  capacity: '4GiB',
  format: 'qcow2',
  backingStore: { volume: { name: 'base.qcow2' }, format: 'qcow2' },
};
const overlay = (spec: Partial<StorageVolumeSpec> = {}, annotations?: Record<string, string>): StorageVolumeManifest =>
  manifest('StorageVolume', 'web.qcow2', { ...OVERLAY_SPEC, ...spec }, annotations);

describe('StorageVolume kind on the test driver', () => {
  const fixture = usePrivateLibvirtd();
  let client: LibvirtClient;
  let h: KindHarness;
  const desired = (...extra: Array<StorageVolumeManifest | StoragePoolManifest>) => [POOL, BASE, ...extra];
  beforeAll(async () => {
    client = await LibvirtClient.connect(fixture.daemon.testUri);
    h = new KindHarness(client, [storagePoolKind, storageVolumeKind] as unknown as AnyKind[]);
    await h.execute(storagePoolKind, await h.plan(storagePoolKind, POOL));
  });
  afterAll(async () => {
    await client?.close();
  });

  it('creates a base volume and a copy-on-write overlay on it, then plans nothing', async () => {
    const base = await h.plan(storageVolumeKind, BASE, desired());
    expect(base.steps.map((s) => s.op)).toEqual(['createXml']);
    await h.execute(storageVolumeKind, base);

    const ov = await h.plan(storageVolumeKind, overlay(), desired());
    expect(ov.dependsOn).toEqual(['StoragePool/vk-vols', 'StorageVolume/vk-vols/base.qcow2']);
    await h.execute(storageVolumeKind, ov);

    const live = (await h.live()).get('StorageVolume/vk-vols/web.qcow2');
    expect(live?.spec).toMatchObject({
      pool: 'vk-vols',
      capacity: '4GiB',
      format: 'qcow2',
      backingStore: { path: '/var/lib/vk-int/vols/base.qcow2' },
    });
    expect((await h.plan(storageVolumeKind, BASE, desired())).action).toBe('no-op');
    expect((await h.plan(storageVolumeKind, overlay(), desired())).action).toBe('no-op');
  });

  it('a clone takes its source capacity', async () => {
    const clone = manifest('StorageVolume', 'copy.qcow2', { pool: 'vk-vols', format: 'qcow2', cloneFrom: { name: 'base.qcow2' } });
    const change = await h.plan(storageVolumeKind, clone, desired());
    expect(change.steps.map((s) => s.op)).toEqual(['createXmlFrom']);
    await h.execute(storageVolumeKind, change);
    expect((await h.live()).get('StorageVolume/vk-vols/copy.qcow2')?.spec).toMatchObject({ capacity: '2GiB' });
    expect((await h.plan(storageVolumeKind, clone, desired())).action).toBe('no-op');
  });

  it('capacity growth is exactly one live resize (the test driver cannot carry it out)', async () => {
    const change = await h.plan(storageVolumeKind, overlay({ capacity: '6GiB' }), desired());
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.capacity', 'live']]);
    expect(change.steps).toEqual([
      {
        op: 'resize',
        description: 'grow volume vk-vols/web.qcow2 to 6GiB',
        payload: { pool: 'vk-vols', name: 'web.qcow2', capacity: 6 * 2 ** 30 },
      },
    ]);
    await expect(h.execute(storageVolumeKind, change)).rejects.toThrow(/virStorageVolResize|not supported/);
  });

  it('shrinking is refused', async () => {
    const change = await h.plan(storageVolumeKind, overlay({ capacity: '1GiB' }), desired());
    expect(change.refused).toMatch(/never shrunk/);
  });

  it('a format change is a refused replace; allowed, it recreates the volume', async () => {
    const raw = { format: 'raw' as const, backingStore: undefined };
    const refused = await h.plan(storageVolumeKind, overlay(raw), desired());
    expect(refused.action).toBe('replace');
    expect(refused.refused).toMatch(/allow-replace/);
    const m = overlay(raw, { 'virtkeeper.io/allow-replace': 'true' });
    const allowed = await h.plan(storageVolumeKind, m, desired());
    await h.execute(storageVolumeKind, allowed);
    expect((await h.plan(storageVolumeKind, m, desired())).action).toBe('no-op');
  });

  it('a volume whose upload the driver cannot do is deleted again, not left looking in sync', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-vol-src-'));
    const file = path.join(dir, 'x.iso');
    await writeFile(file, 'iso content');
    const m = manifest('StorageVolume', 'iso.img', { pool: 'vk-vols', capacity: '1GiB', source: { path: file } });
    const change = await h.plan(storageVolumeKind, m, desired());
    expect(change.steps.map((s) => s.op)).toEqual(['createXml', 'upload']);
    await expect(h.execute(storageVolumeKind, change)).rejects.toThrow(
      /VIR_ERR_NO_SUPPORT.*virStorageVolUpload.*incomplete volume was deleted/,
    );
    expect(await client.lookupStorageVolume(await client.getStoragePool('vk-vols'), 'iso.img')).toBeNull();
    await rm(dir, { recursive: true, force: true });
  });

  it('pruning a volume is refused unless its pool allows deletes', async () => {
    const refused = await h.plan(storageVolumeKind, 'StorageVolume/vk-vols/copy.qcow2', desired());
    expect(refused.refused).toMatch(/allow-delete/);
    const pool = manifest('StoragePool', 'vk-vols', POOL.spec, { 'virtkeeper.io/allow-delete': 'true' });
    const allowed = await h.plan(storageVolumeKind, 'StorageVolume/vk-vols/copy.qcow2', [pool, BASE]);
    await h.execute(storageVolumeKind, allowed);
    expect((await h.live()).has('StorageVolume/vk-vols/copy.qcow2')).toBe(false);
  });
});
