// Byte helpers for codec tests: expected encodings are written as readable XDR words.
import { XdrReader, XdrWriter, type XdrCodec } from '../../../../src/libvirt/xdr.js';
import type { ProcedureDef } from '../../../../src/libvirt/rpc-types.js';

export function encode<T>(codec: XdrCodec<T>, v: T): Buffer {
  const w = new XdrWriter();
  codec.encode(w, v);
  return w.toBuffer();
}

/** Decodes and insists the whole buffer was consumed, as the connection does for replies. */
export function decode<T>(codec: XdrCodec<T>, buf: Buffer): T {
  const r = new XdrReader(buf);
  const v = codec.decode(r);
  r.end();
  return v;
}

export function roundTrip<T>(codec: XdrCodec<T>, v: T): T {
  return decode(codec, encode(codec, v));
}

export const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
export const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
export const u64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};
/** An XDR string: length, bytes, zero padding to 4. */
export const str = (s: string): Buffer => {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([u32(bytes.length), bytes, Buffer.alloc((4 - (bytes.length % 4)) % 4)]);
};
export const hex = (h: string): Buffer => Buffer.from(h.replace(/[\s-]/g, ''), 'hex');
export const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);

export function argsOf<A, R>(proc: ProcedureDef<A, R>, a: A): Buffer {
  return encode(proc.args, a);
}
export function retOf<A, R>(proc: ProcedureDef<A, R>, body: Buffer): R {
  return decode(proc.ret, body);
}
