import { describe, expect, it } from 'vitest';
import { XdrError, XdrReader, XdrWriter, type XdrCodec } from '../../../src/libvirt/xdr.js';

const bytes = (w: XdrWriter) => [...w.toBuffer()];
const reader = (w: XdrWriter) => new XdrReader(w.toBuffer());

describe('XDR scalars', () => {
  it('encodes int big-endian and round-trips the extremes', () => {
    const w = new XdrWriter(1).int(1).int(-1).int(0x7fffffff).int(-0x80000000);
    expect(bytes(w).slice(0, 8)).toEqual([0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]);
    const r = reader(w);
    expect([r.int(), r.int(), r.int(), r.int()]).toEqual([1, -1, 0x7fffffff, -0x80000000]);
    r.end();
  });

  it('rejects ints and uints out of range or not integral', () => {
    expect(() => new XdrWriter().int(0x80000000)).toThrow(XdrError);
    expect(() => new XdrWriter().int(1.5)).toThrow(XdrError);
    expect(() => new XdrWriter().uint(-1)).toThrow(XdrError);
    expect(() => new XdrWriter().uint(0x100000000)).toThrow(XdrError);
  });

  it('round-trips uint, hyper, uhyper, bool and double', () => {
    const w = new XdrWriter()
      .uint(0xffffffff)
      .hyper(-(1n << 63n))
      .hyper(42)
      .uhyper((1n << 64n) - 1n)
      .bool(true)
      .bool(false)
      .double(Math.PI);
    expect(w.length).toBe(4 + 8 + 8 + 8 + 4 + 4 + 8);
    const r = reader(w);
    expect(r.uint()).toBe(0xffffffff);
    expect(r.hyper()).toBe(-(1n << 63n));
    expect(r.hyper()).toBe(42n);
    expect(r.uhyper()).toBe((1n << 64n) - 1n);
    expect(r.bool()).toBe(true);
    expect(r.bool()).toBe(false);
    expect(r.double()).toBe(Math.PI);
    r.end();
  });

  it('rejects hyper values outside 64 bits', () => {
    expect(() => new XdrWriter().hyper(1n << 63n)).toThrow(XdrError);
    expect(() => new XdrWriter().uhyper(-1n)).toThrow(XdrError);
    expect(() => new XdrWriter().uhyper(1n << 64n)).toThrow(XdrError);
  });

  it('refuses a bool that is neither 0 nor 1', () => {
    expect(() => new XdrReader(Buffer.from([0, 0, 0, 2])).bool()).toThrow(/invalid bool/);
  });
});

describe('XDR opaque and strings', () => {
  it('pads variable opaque to four bytes with zeros', () => {
    const w = new XdrWriter().opaque(Buffer.from([1, 2, 3, 4, 5]));
    expect(bytes(w)).toEqual([0, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0]);
    expect([...reader(w).opaque()]).toEqual([1, 2, 3, 4, 5]);
  });

  it('writes fixed opaque without a length, padded', () => {
    const w = new XdrWriter().fixedOpaque(Buffer.from([9, 8, 7]), 3).int(1);
    expect(bytes(w)).toEqual([9, 8, 7, 0, 0, 0, 0, 1]);
    const r = reader(w);
    expect([...r.fixedOpaque(3)]).toEqual([9, 8, 7]);
    expect(r.int()).toBe(1);
    expect(() => new XdrWriter().fixedOpaque(Buffer.alloc(15), 16)).toThrow(XdrError);
  });

  it('round-trips UTF-8 strings of every padding length', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'abcd', 'héllo wörld ✓']) {
      const w = new XdrWriter().string(s).int(7);
      expect(w.length % 4).toBe(0);
      const r = reader(w);
      expect(r.string()).toBe(s);
      expect(r.int()).toBe(7);
      r.end();
    }
  });

  it('enforces maximum lengths on both sides', () => {
    expect(() => new XdrWriter().string('abcdef', 5)).toThrow(/exceeds limit 5/);
    expect(() => new XdrWriter().opaque(Buffer.alloc(6), 5)).toThrow(XdrError);
    const w = new XdrWriter().string('abcdef');
    expect(() => reader(w).string(5)).toThrow(/exceeds limit 5/);
    expect(() => reader(new XdrWriter().opaque(Buffer.alloc(6))).opaque(5)).toThrow(XdrError);
  });

  it('reports truncated strings instead of reading past the end', () => {
    // Declares 100 bytes, carries 4.
    const buf = Buffer.from([0, 0, 0, 100, 1, 2, 3, 4]);
    expect(() => new XdrReader(buf).string()).toThrow(/truncated/);
  });

  it('reports missing padding as truncation', () => {
    const buf = Buffer.from([0, 0, 0, 1, 65]);
    expect(() => new XdrReader(buf).string()).toThrow(/truncated/);
  });
});

describe('XDR composites', () => {
  it('encodes optional data with a bool discriminant', () => {
    const enc = (v: string | null) => new XdrWriter().optional(v, (w, s) => void w.string(s));
    expect(bytes(enc(null))).toEqual([0, 0, 0, 0]);
    expect(bytes(enc('x'))).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 120, 0, 0, 0]);
    expect(reader(enc(null)).optional((r) => r.string())).toBeNull();
    expect(reader(enc('x')).optional((r) => r.string())).toBe('x');
    expect(reader(new XdrWriter().optional(undefined, (w, v: number) => void w.int(v))).optional((r) => r.int())).toBeNull();
  });

  it('round-trips variable arrays and enforces their maximum', () => {
    const w = new XdrWriter().array([1, -2, 3], (ww, v) => void ww.int(v));
    expect(bytes(w).slice(0, 4)).toEqual([0, 0, 0, 3]);
    expect(reader(w).array((r) => r.int())).toEqual([1, -2, 3]);
    expect(() => reader(w).array((r) => r.int(), 2)).toThrow(/exceeds limit 2/);
    expect(() => new XdrWriter().array([1, 2, 3], (ww, v) => void ww.int(v), 2)).toThrow(XdrError);
  });

  it('rejects an array count that cannot fit the remaining bytes without looping', () => {
    const buf = Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1]);
    expect(() => new XdrReader(buf).array((r) => r.int())).toThrow(/cannot fit/);
  });

  it('round-trips fixed arrays and checks their length', () => {
    const w = new XdrWriter().fixedArray([5, 6], 2, (ww, v) => void ww.uint(v));
    expect(w.length).toBe(8);
    expect(reader(w).fixedArray(2, (r) => r.uint())).toEqual([5, 6]);
    expect(() => new XdrWriter().fixedArray([1], 2, (ww, v) => void ww.uint(v))).toThrow(XdrError);
  });

  it('round-trips a discriminated union built from an int discriminant and a switch', () => {
    // Shaped like remote_typed_param_value: int type; switch (type) { case 1: int i; case 7: string s; case 6: bool b }
    type Value = { type: 1; i: number } | { type: 7; s: string } | { type: 6; b: boolean };
    const codec: XdrCodec<Value> = {
      encode(w, v) {
        w.int(v.type);
        switch (v.type) {
          case 1:
            w.int(v.i);
            break;
          case 7:
            w.string(v.s);
            break;
          case 6:
            w.bool(v.b);
            break;
        }
      },
      decode(r) {
        const type = r.int();
        switch (type) {
          case 1:
            return { type, i: r.int() };
          case 7:
            return { type, s: r.string() };
          case 6:
            return { type, b: r.bool() };
          default:
            throw new XdrError(`unknown union arm ${type}`);
        }
      },
    };
    const values: Value[] = [
      { type: 1, i: -5 },
      { type: 7, s: 'vda' },
      { type: 6, b: true },
    ];
    const w = new XdrWriter();
    w.array(values, codec.encode);
    expect(reader(w).array(codec.decode)).toEqual(values);
    expect(() => codec.decode(new XdrReader(Buffer.from([0, 0, 0, 99, 0, 0, 0, 0])))).toThrow(/unknown union arm 99/);
  });

  it('grows its buffer across many writes', () => {
    const w = new XdrWriter(4);
    for (let i = 0; i < 1000; i++) w.int(i);
    const r = reader(w);
    for (let i = 0; i < 1000; i++) expect(r.int()).toBe(i);
    r.end();
  });

  it('end() flags trailing bytes', () => {
    const r = new XdrReader(Buffer.from([0, 0, 0, 1, 0, 0, 0, 2]));
    r.int();
    expect(() => r.end()).toThrow(/4 unexpected trailing bytes/);
    expect(r.remaining).toBe(4);
    expect(r.offset).toBe(4);
  });

  it('reports truncation for every fixed-size read', () => {
    const empty = () => new XdrReader(Buffer.alloc(3));
    expect(() => empty().int()).toThrow(/truncated/);
    expect(() => empty().uint()).toThrow(/truncated/);
    expect(() => empty().hyper()).toThrow(/truncated/);
    expect(() => empty().uhyper()).toThrow(/truncated/);
    expect(() => empty().double()).toThrow(/truncated/);
    expect(() => empty().fixedOpaque(4)).toThrow(/truncated/);
  });
});
