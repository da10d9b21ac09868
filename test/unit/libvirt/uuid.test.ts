import { describe, expect, it } from 'vitest';
import { uuidCodec, uuidToBytes, uuidToString } from '../../../src/libvirt/uuid.js';
import { RemoteUuidXdr } from '../../../src/libvirt/generated/remote-types.js';
import { XdrError } from '../../../src/libvirt/xdr.js';
import { encode, hex } from './facade/helpers.js';

const UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

describe('uuid', () => {
  it('prints the canonical lowercase form libvirt uses in XML', () => {
    expect(uuidToString(hex('6695EB01F6A4830479AA97F2502E193F'))).toBe(UUID);
  });

  it('accepts dashed and undashed input, rejects anything else', () => {
    expect(uuidToBytes(UUID)).toEqual(hex(UUID));
    expect(uuidToBytes(UUID.replace(/-/g, '').toUpperCase())).toEqual(hex(UUID));
    expect(() => uuidToBytes('not-a-uuid')).toThrow(XdrError);
    expect(() => uuidToBytes(`${UUID}00`)).toThrow(XdrError);
  });

  it('is 16 raw bytes on the wire, no length prefix', () => {
    expect(encode(uuidCodec, UUID)).toEqual(hex(UUID));
  });

  it('is the codec the generated layer uses for remote_uuid', () => {
    expect(RemoteUuidXdr).toBe(uuidCodec);
  });
});
