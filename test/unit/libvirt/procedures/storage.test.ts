import { describe, expect, it } from 'vitest';
import * as s from '../../../../src/libvirt/procedures/storage.js';
import { argsOf, cat, hex, i32, retOf, str, u32, u64 } from './helpers.js';

const UUID = 'dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566';
const pool = { name: 'default-pool', uuid: UUID };
const poolBytes = cat(str('default-pool'), hex(UUID));
const vol = { pool: 'default-pool', name: 'disk.img', key: '/default-pool/disk.img' };
const volBytes = cat(str('default-pool'), str('disk.img'), str('/default-pool/disk.img'));

describe('storage procedures', () => {
  it('have the numbers of remote_protocol.x', () => {
    expect([
      s.STORAGE_POOL_DEFINE_XML.number,
      s.STORAGE_POOL_CREATE.number,
      s.STORAGE_POOL_BUILD.number,
      s.STORAGE_POOL_DESTROY.number,
      s.STORAGE_POOL_DELETE.number,
      s.STORAGE_POOL_UNDEFINE.number,
      s.STORAGE_POOL_REFRESH.number,
      s.STORAGE_POOL_LOOKUP_BY_NAME.number,
      s.STORAGE_POOL_GET_INFO.number,
      s.STORAGE_POOL_GET_XML_DESC.number,
      s.STORAGE_POOL_GET_AUTOSTART.number,
      s.STORAGE_POOL_SET_AUTOSTART.number,
      s.STORAGE_POOL_IS_ACTIVE.number,
      s.CONNECT_LIST_ALL_STORAGE_POOLS.number,
      s.STORAGE_POOL_LIST_ALL_VOLUMES.number,
      s.STORAGE_VOL_CREATE_XML.number,
      s.STORAGE_VOL_DELETE.number,
      s.STORAGE_VOL_LOOKUP_BY_NAME.number,
      s.STORAGE_VOL_GET_INFO.number,
      s.STORAGE_VOL_GET_XML_DESC.number,
      s.STORAGE_VOL_CREATE_XML_FROM.number,
      s.STORAGE_VOL_RESIZE.number,
    ]).toEqual([77, 78, 79, 80, 81, 82, 83, 84, 87, 88, 89, 90, 154, 281, 282, 93, 94, 95, 98, 99, 125, 260]);
  });

  it('STORAGE_VOL_RESIZE: capacity is an unsigned hyper between handle and flags', () => {
    const bytes = argsOf(s.STORAGE_VOL_RESIZE, { vol, capacity: 10n * 1024n ** 3n, flags: s.VIR_STORAGE_VOL_RESIZE_SHRINK });
    expect(bytes).toEqual(cat(volBytes, hex('0000000280000000'), u32(4)));
  });

  it('STORAGE_VOL_CREATE_XML_FROM: pool, xml, source volume, flags', () => {
    const bytes = argsOf(s.STORAGE_VOL_CREATE_XML_FROM, { pool, xml: '<volume/>', clonevol: vol, flags: 0 });
    expect(bytes).toEqual(cat(poolBytes, str('<volume/>'), volBytes, u32(0)));
  });

  it('STORAGE_POOL_LIST_ALL_VOLUMES: pool, need_results, flags', () => {
    expect(argsOf(s.STORAGE_POOL_LIST_ALL_VOLUMES, { pool, needResults: true, flags: 0 })).toEqual(cat(poolBytes, i32(1), u32(0)));
  });

  it('STORAGE_POOL_GET_INFO decodes state and three byte counts', () => {
    const body = cat(u32(2), u64(100n), u64(40n), u64(60n));
    const info = retOf(s.STORAGE_POOL_GET_INFO, body);
    expect(info).toEqual({ state: 2, capacity: 100n, allocation: 40n, available: 60n });
    expect(s.storagePoolStateName(info.state)).toBe('running');
  });

  it('STORAGE_VOL_GET_INFO: the char type is a four-byte int', () => {
    const info = retOf(s.STORAGE_VOL_GET_INFO, cat(i32(0), u64(1n << 30n), u64(4096n)));
    expect(info).toEqual({ type: 0, capacity: 1n << 30n, allocation: 4096n });
    expect(s.storageVolTypeName(info.type)).toBe('file');
  });
});
