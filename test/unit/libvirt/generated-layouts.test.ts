// Wire layouts of the generated object handles and shared types, byte for byte: what the
// hand-written codecs were once tested for, now asked of the generated layer the façade uses.
import { describe, expect, it } from 'vitest';
import {
  RemoteNonnullDomainXdr,
  RemoteNonnullStorageVolXdr,
  RemoteStringXdr,
  RemoteTypedParamXdr,
  type RemoteTypedParam,
} from '../../../src/libvirt/generated/remote-types.js';
import { DOMAIN_GET_STATE } from '../../../src/libvirt/generated/remote-procedures.js';
import { XdrError } from '../../../src/libvirt/xdr.js';
import { cat, decode, encode, hex, i32, roundTrip, str, u32 } from './facade/helpers.js';

const UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

describe('remote_nonnull_domain', () => {
  it('encodes name, uuid, id in order', () => {
    const bytes = encode(RemoteNonnullDomainXdr, { name: 'test', uuid: UUID, id: 1 });
    expect(bytes).toEqual(cat(str('test'), hex(UUID), i32(1)));
    expect(bytes.toString('hex')).toBe('00000004' + '74657374' + UUID.replace(/-/g, '') + '00000001');
  });

  it('round-trips an inactive domain (id -1) with a name needing padding', () => {
    const d = { name: 'web-1', uuid: UUID, id: -1 };
    expect(encode(RemoteNonnullDomainXdr, d)).toEqual(cat(u32(5), Buffer.from('web-1'), Buffer.alloc(3), hex(UUID), hex('ffffffff')));
    expect(roundTrip(RemoteNonnullDomainXdr, d)).toEqual(d);
  });
});

describe('remote_nonnull_storage_vol', () => {
  it('is three strings: pool, name, key', () => {
    const v = { pool: 'images', name: 'a.qcow2', key: '/var/lib/images/a.qcow2' };
    expect(encode(RemoteNonnullStorageVolXdr, v)).toEqual(cat(str('images'), str('a.qcow2'), str('/var/lib/images/a.qcow2')));
    expect(roundTrip(RemoteNonnullStorageVolXdr, v)).toEqual(v);
  });
});

describe('remote_string', () => {
  it('encodes null as a false discriminant and a value behind a true one', () => {
    expect(encode(RemoteStringXdr, null)).toEqual(u32(0));
    expect(encode(RemoteStringXdr, 'ab')).toEqual(cat(u32(1), str('ab')));
    expect(decode(RemoteStringXdr, cat(u32(1), str('xyz')))).toBe('xyz');
    expect(decode(RemoteStringXdr, u32(0))).toBeNull();
  });
});

describe('structs', () => {
  it('decode fields in declaration order and leave trailing bytes to the caller, which rejects them', () => {
    expect(decode(DOMAIN_GET_STATE.ret, cat(i32(3), i32(1)))).toEqual({ state: 3, reason: 1 });
    expect(() => decode(DOMAIN_GET_STATE.ret, cat(i32(3), i32(1), u32(0)))).toThrow(XdrError);
  });
});

describe('remote_typed_param', () => {
  it('round-trips every value type', () => {
    const params: RemoteTypedParam[] = [
      { field: 'i', value: { type: 1, i: -5 } },
      { field: 'ui', value: { type: 2, ui: 7 } },
      { field: 'l', value: { type: 3, l: -(1n << 40n) } },
      { field: 'ul', value: { type: 4, ul: 1n << 63n } },
      { field: 'd', value: { type: 5, d: 1.5 } },
      { field: 'b', value: { type: 6, b: 1 } },
      { field: 's', value: { type: 7, s: 'hello' } },
    ];
    for (const p of params) expect(roundTrip(RemoteTypedParamXdr, p)).toEqual(p);
  });

  it('puts the type discriminant between the field name and the value', () => {
    expect(encode(RemoteTypedParamXdr, { field: 'x', value: { type: 2, ui: 3 } })).toEqual(cat(str('x'), i32(2), u32(3)));
  });

  it('rejects an unknown type', () => {
    expect(() => decode(RemoteTypedParamXdr, cat(str('x'), i32(99), u32(0)))).toThrow(XdrError);
  });
});
