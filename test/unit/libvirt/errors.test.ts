import { describe, expect, it } from 'vitest';
import { XdrWriter } from '../../../src/libvirt/xdr.js';
import {
  LibvirtError,
  ProtocolError,
  VIR_ERR_NO_DOMAIN,
  VIR_ERR_NO_NODE_DEVICE,
  VIR_ERR_OPERATION_INVALID,
  decodeRemoteError,
  errorCodeName,
  hasErrorCode,
  isNotFound,
} from '../../../src/libvirt/errors.js';

interface ErrorWire {
  code: number;
  domain: number;
  message: string | null;
  level: number;
  dom?: { name: string; uuid: Buffer; id: number } | null;
  str1?: string | null;
  str2?: string | null;
  str3?: string | null;
  int1?: number;
  int2?: number;
  net?: { name: string; uuid: Buffer } | null;
}

function encodeRemoteError(e: ErrorWire): Buffer {
  const str = (w: XdrWriter, s: string) => void w.string(s);
  const w = new XdrWriter();
  w.int(e.code).int(e.domain).optional(e.message, str).int(e.level);
  w.optional(e.dom ?? null, (ww, d) => void ww.string(d.name).fixedOpaque(d.uuid, 16).int(d.id));
  w.optional(e.str1 ?? null, str)
    .optional(e.str2 ?? null, str)
    .optional(e.str3 ?? null, str);
  w.int(e.int1 ?? 0).int(e.int2 ?? 0);
  w.optional(e.net ?? null, (ww, n) => void ww.string(n.name).fixedOpaque(n.uuid, 16));
  return w.toBuffer();
}

describe('decodeRemoteError', () => {
  it('decodes every field and formats the message with the code name', () => {
    const err = decodeRemoteError(
      encodeRemoteError({
        code: 42,
        domain: 12,
        message: "Domain not found: no domain with matching name 'x'",
        level: 2,
        str1: 'Domain not found',
        str2: "no domain with matching name 'x'",
        int1: -1,
        int2: 3,
      }),
    );
    expect(err).toBeInstanceOf(LibvirtError);
    expect(err.message).toBe("libvirt error 42 (VIR_ERR_NO_DOMAIN): Domain not found: no domain with matching name 'x'");
    expect(err).toMatchObject({ code: 42, domain: 12, level: 2, str1: 'Domain not found', int1: -1, int2: 3 });
    expect(err.str2).toBe("no domain with matching name 'x'");
    expect(err.str3).toBeUndefined();
    expect(err.libvirtMessage).toBe("Domain not found: no domain with matching name 'x'");
  });

  it('skips the legacy dom and net members when present', () => {
    const err = decodeRemoteError(
      encodeRemoteError({
        code: 55,
        domain: 10,
        message: 'domain is not running',
        level: 2,
        dom: { name: 'web-1', uuid: Buffer.alloc(16, 1), id: 4 },
        str1: 'a',
        net: { name: 'lan', uuid: Buffer.alloc(16, 2) },
      }),
    );
    expect(err.code).toBe(VIR_ERR_OPERATION_INVALID);
    expect(err.str1).toBe('a');
  });

  it('copes with a null message', () => {
    const err = decodeRemoteError(encodeRemoteError({ code: 1, domain: 0, message: null, level: 2 }));
    expect(err.message).toBe('libvirt error 1 (VIR_ERR_INTERNAL_ERROR): unknown error');
  });

  it('turns a truncated or oversized body into a ProtocolError', () => {
    const full = encodeRemoteError({ code: 42, domain: 12, message: 'x', level: 2 });
    expect(() => decodeRemoteError(full.subarray(0, full.length - 4))).toThrow(ProtocolError);
    expect(() => decodeRemoteError(Buffer.concat([full, Buffer.alloc(4)]))).toThrow(ProtocolError);
  });
});

describe('error helpers', () => {
  it('names codes, including ones newer than our table', () => {
    expect(errorCodeName(VIR_ERR_NO_NODE_DEVICE)).toBe('VIR_ERR_NO_NODE_DEVICE');
    expect(errorCodeName(57)).toBe('VIR_ERR_NO_INTERFACE');
    expect(errorCodeName(84)).toBe('VIR_ERR_OPERATION_UNSUPPORTED');
    expect(errorCodeName(110)).toBe('VIR_ERR_MULTIPLE_DOMAINS');
    expect(errorCodeName(999)).toBe('VIR_ERR_999');
  });

  it('isNotFound is true only for "no such object" libvirt errors', () => {
    const mk = (code: number) => new LibvirtError({ code, domain: 0, level: 2, message: 'm' });
    for (const code of [42, 43, 49, 50, 53, 57]) expect(isNotFound(mk(code))).toBe(true);
    for (const code of [1, 8, 29, 55, 84]) expect(isNotFound(mk(code))).toBe(false);
    expect(isNotFound(new Error('Domain not found'))).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
    expect(hasErrorCode(mk(VIR_ERR_NO_DOMAIN), VIR_ERR_NO_DOMAIN)).toBe(true);
    expect(hasErrorCode(mk(43), VIR_ERR_NO_DOMAIN)).toBe(false);
  });
});
