// Storage pool and volume procedures against the test driver of a private libvirtd.
import { describe, expect, it } from 'vitest';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import {
  VIR_ERR_NO_STORAGE_POOL,
  VIR_ERR_NO_STORAGE_VOL,
  VIR_ERR_NO_SUPPORT,
  VIR_ERR_OPERATION_DENIED,
} from '../../../src/libvirt/errors.js';
import { expectLibvirtError, poolXml, useKeeperClient, volumeXml } from './helpers.js';

const MiB = 1024n * 1024n;

describe('storage pools and volumes', () => {
  const fixture = usePrivateLibvirtd();
  const keeper = useKeeperClient(fixture);

  it('pool: define → lookup → XML → build → autostart → start → info → refresh → destroy → delete → undefine', async () => {
    const c = keeper.client;
    const pool = await c.defineStoragePool(poolXml('images'));
    expect(pool.name).toBe('images');
    expect(await c.lookupStoragePool('images')).toEqual(pool);
    expect(await c.lookupStoragePoolByUuid(pool.uuid)).toEqual(pool);
    expect((await c.listStoragePools({ active: false })).map((p) => p.name)).toEqual(['images']);
    expect(await c.getStoragePoolXml(pool, { inactive: true })).toContain('<path>/images</path>');
    expect(await c.isStoragePoolPersistent(pool)).toBe(true);

    await c.buildStoragePool(pool);
    expect(await c.getStoragePoolAutostart(pool)).toBe(false);
    await c.setStoragePoolAutostart(pool, true);
    expect(await c.getStoragePoolAutostart(pool)).toBe(true);

    expect((await c.getStoragePoolInfo(pool)).state).toBe('inactive');
    await c.startStoragePool(pool);
    expect(await c.isStoragePoolActive(pool)).toBe(true);
    const info = await c.getStoragePoolInfo(pool);
    expect(info.state).toBe('running');
    expect(info.capacityBytes).toBeGreaterThan(0n);
    expect(info.capacityBytes).toBe(info.allocationBytes + info.availableBytes);
    await c.refreshStoragePool(pool);

    await c.destroyStoragePool(pool);
    expect(await c.isStoragePoolActive(pool)).toBe(false);
    await c.deleteStoragePool(pool);
    await c.undefineStoragePool(pool);
    expect(await c.lookupStoragePool('images')).toBeNull();
  });

  it('volumes: create → lookup → info → XML → clone → list → resize (unsupported here) → delete', async () => {
    const c = keeper.client;
    const pool = await c.defineStoragePool(poolXml('vols'));
    await c.startStoragePool(pool);

    const vol = await c.createStorageVolume(pool, volumeXml('root.img', 10));
    expect(vol).toEqual({ pool: 'vols', name: 'root.img', key: '/vols/root.img' });
    expect(await c.lookupStorageVolume(pool, 'root.img')).toEqual(vol);
    expect(await c.lookupStorageVolumeByKey(vol.key)).toEqual(vol);
    expect(await c.getStorageVolumePath(vol)).toBe('/vols/root.img');
    expect(await c.lookupStorageVolumeByPath('/vols/root.img')).toEqual(vol);
    expect(await c.getStorageVolumeInfo(vol)).toEqual({ type: 'file', capacityBytes: 10n * MiB, allocationBytes: 10n * MiB });
    expect(await c.getStorageVolumeXml(vol)).toContain("<capacity unit='bytes'>10485760</capacity>");

    const copy = await c.cloneStorageVolume(pool, volumeXml('copy.img', 10), vol);
    expect(copy.name).toBe('copy.img');
    expect((await c.listStorageVolumes(pool)).map((v) => v.name).sort()).toEqual(['copy.img', 'root.img']);

    // The test driver implements no virStorageVolResize; real drivers do.
    await expectLibvirtError(c.resizeStorageVolume(vol, 20n * MiB), VIR_ERR_NO_SUPPORT);

    await c.deleteStorageVolume(copy);
    await c.deleteStorageVolume(vol);
    expect(await c.lookupStorageVolume(pool, 'root.img')).toBeNull();
    await expectLibvirtError(c.getStorageVolume(pool, 'root.img'), VIR_ERR_NO_STORAGE_VOL);
    expect(await c.listStorageVolumes(pool)).toEqual([]);

    await c.destroyStoragePool(pool);
    await c.undefineStoragePool(pool);
  });

  it('missing pools fail with VIR_ERR_NO_STORAGE_POOL', async () => {
    const c = keeper.client;
    await expectLibvirtError(c.getStoragePool('no-such-pool'), VIR_ERR_NO_STORAGE_POOL);
    const gone = await c.defineStoragePool(poolXml('gone'));
    await c.undefineStoragePool(gone);
    await expectLibvirtError(c.startStoragePool(gone), VIR_ERR_NO_STORAGE_POOL);
  });

  it('a read-only connection is refused pool and volume mutations', async () => {
    const ro = await LibvirtClient.connect(fixture.daemon.testUri, { readOnly: true });
    try {
      const pool = await ro.getStoragePool('default-pool');
      expect((await ro.getStoragePoolInfo(pool)).state).toBe('running');
      await expectLibvirtError(ro.defineStoragePool(poolXml('ro')), VIR_ERR_OPERATION_DENIED);
      await expectLibvirtError(ro.createStorageVolume(pool, volumeXml('ro.img', 1)), VIR_ERR_OPERATION_DENIED);
      await expectLibvirtError(ro.destroyStoragePool(pool), VIR_ERR_OPERATION_DENIED);
    } finally {
      await ro.close();
    }
  });
});
