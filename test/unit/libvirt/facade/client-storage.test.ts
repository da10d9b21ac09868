// The façade's storage pool and volume methods over the generated procedures, at the bytes.
import { describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../../src/libvirt/client.js';
import * as P from '../../../../src/libvirt/generated/remote-procedures.js';
import { cat, hex, i32, str, u32, u64 } from './helpers.js';
import { WireCaller } from './wire-caller.js';

const UUID = 'dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566';
const pool = { name: 'default-pool', uuid: UUID };
const poolBytes = cat(str('default-pool'), hex(UUID));
const vol = { pool: 'default-pool', name: 'disk.img', key: '/default-pool/disk.img' };
const volBytes = cat(str('default-pool'), str('disk.img'), str('/default-pool/disk.img'));

function client(reply?: (name: string) => Buffer): { c: LibvirtClient; wire: WireCaller } {
  const wire = new WireCaller(reply);
  return { c: new LibvirtClient(wire), wire };
}

describe('storage methods on the wire', () => {
  it('resizeStorageVolume: capacity is an unsigned hyper between handle and flags', async () => {
    const { c, wire } = client();
    await c.resizeStorageVolume(vol, 10n * 1024n ** 3n, { shrink: true });
    expect(wire.only).toMatchObject({ name: 'STORAGE_VOL_RESIZE', number: 260 });
    expect(wire.only.body).toEqual(cat(volBytes, hex('0000000280000000'), u32(4)));
  });

  it('cloneStorageVolume: pool, xml, source volume, flags; returns the new volume', async () => {
    const { c, wire } = client(() => volBytes);
    expect(await c.cloneStorageVolume(pool, '<volume/>', vol)).toEqual(vol);
    expect(wire.only.body).toEqual(cat(poolBytes, str('<volume/>'), volBytes, u32(0)));
  });

  it('listStorageVolumes: pool, need_results, flags out; handles and count back', async () => {
    const { c, wire } = client(() => cat(u32(1), volBytes, u32(1)));
    expect(await c.listStorageVolumes(pool)).toEqual([vol]);
    expect(wire.only).toMatchObject({ name: 'STORAGE_POOL_LIST_ALL_VOLUMES', number: 282 });
    expect(wire.only.body).toEqual(cat(poolBytes, i32(1), u32(0)));
  });

  it('getStoragePoolInfo decodes state and three byte counts', async () => {
    const { c } = client(() => cat(u32(2), u64(100n), u64(40n), u64(60n)));
    expect(await c.getStoragePoolInfo(pool)).toEqual({ state: 'running', capacityBytes: 100n, allocationBytes: 40n, availableBytes: 60n });
  });

  it('getStorageVolumeInfo: the char type is a four-byte int', async () => {
    const { c } = client(() => cat(i32(0), u64(1n << 30n), u64(4096n)));
    expect(await c.getStorageVolumeInfo(vol)).toEqual({ type: 'file', capacityBytes: 1n << 30n, allocationBytes: 4096n });
  });

  it('lookupStorageVolumeByPath sends the bare path and returns the handle', async () => {
    const { c, wire } = client(() => volBytes);
    expect(await c.lookupStorageVolumeByPath('/default-pool/disk.img')).toEqual(vol);
    expect(wire.only.body).toEqual(str('/default-pool/disk.img'));
  });

  it('calls slow by nature carry the generated slow mark, so they get the slow deadline', () => {
    expect(
      [P.STORAGE_POOL_BUILD, P.STORAGE_VOL_CREATE_XML, P.STORAGE_VOL_CREATE_XML_FROM, P.STORAGE_VOL_RESIZE, P.STORAGE_VOL_UPLOAD].map(
        (p) => p.slow,
      ),
    ).toEqual([true, true, true, true, true]);
    expect(P.STORAGE_POOL_GET_XML_DESC.slow).toBeUndefined();
  });
});
