import { describe, expect, it } from 'vitest';
import * as h from '../../../../src/libvirt/procedures/host.js';
import { parseVersion } from '../../../../src/libvirt/client.js';
import { cat, i32, retOf, roundTrip, str, u64 } from './helpers.js';

/** `char model[32]`: every char is its own 4-byte XDR int. */
function model32(s: string): Buffer {
  const words: Buffer[] = [];
  for (let i = 0; i < 32; i++) words.push(i32(i < s.length ? s.charCodeAt(i) : 0));
  return cat(...words);
}

describe('host procedures', () => {
  it('have the numbers of remote_protocol.x', () => {
    expect([
      h.CONNECT_GET_TYPE.number,
      h.CONNECT_GET_VERSION.number,
      h.NODE_GET_INFO.number,
      h.CONNECT_GET_CAPABILITIES.number,
      h.CONNECT_GET_HOSTNAME.number,
      h.CONNECT_GET_LIB_VERSION.number,
    ]).toEqual([3, 4, 6, 7, 59, 157]);
  });

  it('NODE_GET_INFO decodes the 32-int model and the counters after it', () => {
    const body = cat(model32('x86_64'), u64(16_384_000n), i32(8), i32(2400), i32(1), i32(1), i32(4), i32(2));
    expect(body.length).toBe(128 + 8 + 6 * 4);
    expect(retOf(h.NODE_GET_INFO, body)).toEqual({
      model: 'x86_64',
      memory: 16_384_000n,
      cpus: 8,
      mhz: 2400,
      nodes: 1,
      sockets: 1,
      cores: 4,
      threads: 2,
    });
  });

  it('NODE_GET_INFO round-trips', () => {
    const info = { model: 'i686', memory: 3n, cpus: 16, mhz: 1400, nodes: 2, sockets: 2, cores: 2, threads: 2 };
    expect(roundTrip(h.nodeGetInfoRet, info)).toEqual(info);
  });

  it('version rets are unsigned hypers, taken apart by parseVersion', () => {
    const v = retOf(h.CONNECT_GET_LIB_VERSION, u64(9_000_000n));
    expect(v).toBe(9_000_000n);
    expect(parseVersion(v)).toEqual({ major: 9, minor: 0, release: 0, raw: 9_000_000, text: '9.0.0' });
    expect(parseVersion(8_002_001).text).toBe('8.2.1');
  });

  it('string rets unwrap to the string', () => {
    expect(retOf(h.CONNECT_GET_HOSTNAME, str('host1'))).toBe('host1');
  });
});
