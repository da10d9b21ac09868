import { describe, expect, it } from 'vitest';
import {
  nonnullDomain,
  nonnullStorageVol,
  remoteString,
  struct,
  typedParam,
  xdrInt,
  xdrIntBool,
  xdrUint,
  type TypedParam,
} from '../../../../src/libvirt/procedures/common.js';
import { XdrError } from '../../../../src/libvirt/xdr.js';
import { cat, decode, encode, hex, i32, roundTrip, str, u32 } from './helpers.js';

const UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

describe('remote_nonnull_domain', () => {
  it('encodes name, uuid, id in order', () => {
    const bytes = encode(nonnullDomain, { name: 'test', uuid: UUID, id: 1 });
    expect(bytes).toEqual(cat(str('test'), hex(UUID), i32(1)));
    expect(bytes.toString('hex')).toBe('00000004' + '74657374' + UUID.replace(/-/g, '') + '00000001');
  });

  it('round-trips an inactive domain (id -1) with a name needing padding', () => {
    const d = { name: 'web-1', uuid: UUID, id: -1 };
    expect(encode(nonnullDomain, d)).toEqual(cat(u32(5), Buffer.from('web-1'), Buffer.alloc(3), hex(UUID), hex('ffffffff')));
    expect(roundTrip(nonnullDomain, d)).toEqual(d);
  });
});

describe('remote_nonnull_storage_vol', () => {
  it('is three strings: pool, name, key', () => {
    const v = { pool: 'images', name: 'a.qcow2', key: '/var/lib/images/a.qcow2' };
    expect(encode(nonnullStorageVol, v)).toEqual(cat(str('images'), str('a.qcow2'), str('/var/lib/images/a.qcow2')));
    expect(roundTrip(nonnullStorageVol, v)).toEqual(v);
  });
});

describe('remote_string', () => {
  it('encodes null as a false discriminant and a value behind a true one', () => {
    expect(encode(remoteString, null)).toEqual(u32(0));
    expect(encode(remoteString, 'ab')).toEqual(cat(u32(1), str('ab')));
    expect(decode(remoteString, cat(u32(1), str('xyz')))).toBe('xyz');
    expect(decode(remoteString, u32(0))).toBeNull();
  });
});

describe('int-encoded booleans', () => {
  it('treats any non-zero int as true, as libvirt does', () => {
    expect(decode(xdrIntBool, i32(2))).toBe(true);
    expect(decode(xdrIntBool, i32(0))).toBe(false);
    expect(encode(xdrIntBool, true)).toEqual(i32(1));
  });
});

describe('struct', () => {
  it('encodes fields in declaration order and rejects trailing bytes on decode', () => {
    const codec = struct<{ b: number; a: number }>({ b: xdrUint, a: xdrInt });
    expect(encode(codec, { a: 1, b: 2 })).toEqual(cat(u32(2), i32(1)));
    expect(() => decode(codec, cat(u32(2), i32(1), u32(0)))).toThrow(XdrError);
  });
});

describe('remote_typed_param', () => {
  it('round-trips every value type', () => {
    const params: TypedParam[] = [
      { field: 'i', value: { type: 'int', value: -5 } },
      { field: 'ui', value: { type: 'uint', value: 7 } },
      { field: 'l', value: { type: 'llong', value: -(1n << 40n) } },
      { field: 'ul', value: { type: 'ullong', value: 1n << 63n } },
      { field: 'd', value: { type: 'double', value: 1.5 } },
      { field: 'b', value: { type: 'boolean', value: true } },
      { field: 's', value: { type: 'string', value: 'hello' } },
    ];
    for (const p of params) expect(roundTrip(typedParam, p)).toEqual(p);
  });

  it('puts the type discriminant between the field name and the value', () => {
    expect(encode(typedParam, { field: 'x', value: { type: 'uint', value: 3 } })).toEqual(cat(str('x'), i32(2), u32(3)));
  });

  it('rejects an unknown type', () => {
    expect(() => decode(typedParam, cat(str('x'), i32(99), u32(0)))).toThrow(/unknown typed parameter type 99/);
  });
});
