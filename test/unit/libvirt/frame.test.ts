import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  MAX_FRAME_BYTES,
  MIN_FRAME_BYTES,
  MessageStatus,
  MessageType,
  decodePacket,
  encodePacket,
  type PacketHeader,
} from '../../../src/libvirt/frame.js';
import { ProtocolError } from '../../../src/libvirt/errors.js';

const header = (serial: number, over: Partial<PacketHeader> = {}): PacketHeader => ({
  program: 0x20008086,
  version: 1,
  procedure: 59,
  type: MessageType.REPLY,
  serial,
  status: MessageStatus.OK,
  ...over,
});

const frame = (serial: number, body: number[] = [], over: Partial<PacketHeader> = {}) =>
  encodePacket(header(serial, over), Buffer.from(body));

describe('encodePacket / decodePacket', () => {
  it('lays out length word and header as virnetprotocol.x says', () => {
    const f = encodePacket(
      { program: 0x20008086, version: 1, procedure: 66, type: MessageType.CALL, serial: 7, status: MessageStatus.OK },
      Buffer.from([1, 2, 3, 4]),
    );
    expect([...f]).toEqual([0, 0, 0, 32, 0x20, 0x00, 0x80, 0x86, 0, 0, 0, 1, 0, 0, 0, 66, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 1, 2, 3, 4]);
    const p = decodePacket(f);
    expect(p).toMatchObject({ program: 0x20008086, version: 1, procedure: 66, type: 0, serial: 7, status: 0 });
    expect([...p.body]).toEqual([1, 2, 3, 4]);
  });

  it('keeps unsigned fields unsigned (program, serial)', () => {
    const p = decodePacket(encodePacket(header(0xffffffff, { program: 0xfffffffe }), Buffer.alloc(0)));
    expect(p.serial).toBe(0xffffffff);
    expect(p.program).toBe(0xfffffffe);
  });

  it('refuses to encode a message larger than libvirt accepts', () => {
    expect(() => encodePacket(header(1), Buffer.alloc(100), 64)).toThrow(ProtocolError);
  });

  it('rejects unknown message types and statuses', () => {
    const badType = frame(1);
    badType.writeInt32BE(9, 16);
    expect(() => decodePacket(badType)).toThrow(/unknown message type 9/);
    const badStatus = frame(1);
    badStatus.writeInt32BE(5, 24);
    expect(() => decodePacket(badStatus)).toThrow(/unknown message status 5/);
  });

  it('rejects a frame whose length word disagrees with its size', () => {
    const f = frame(1, [1, 2, 3, 4]);
    expect(() => decodePacket(f.subarray(0, 30))).toThrow(/length word says 32/);
  });
});

describe('FrameDecoder', () => {
  it('reassembles a frame delivered one byte at a time', () => {
    const d = new FrameDecoder();
    const f = frame(3, [0, 0, 0, 9]);
    const out = [];
    for (let i = 0; i < f.length; i++) {
      out.push(...d.push(f.subarray(i, i + 1)));
      if (i < f.length - 1) expect(out).toHaveLength(0);
    }
    expect(out).toHaveLength(1);
    expect(out[0]!.serial).toBe(3);
    expect([...out[0]!.body]).toEqual([0, 0, 0, 9]);
    expect(d.buffered).toBe(0);
  });

  it('returns every frame of a chunk that carries several, in order', () => {
    const d = new FrameDecoder();
    const chunk = Buffer.concat([frame(1, [1, 1, 1, 1]), frame(2), frame(3, [3, 3, 3, 3, 3, 3, 3, 3])]);
    const out = d.push(chunk);
    expect(out.map((p) => p.serial)).toEqual([1, 2, 3]);
    expect(out.map((p) => p.body.length)).toEqual([4, 0, 8]);
  });

  it('handles chunk boundaries that fall anywhere, including inside the length word', () => {
    const frames = [frame(1, [1, 2, 3, 4]), frame(2), frame(3, [5, 6, 7, 8, 9, 10, 11, 12])];
    const all = Buffer.concat(frames);
    for (let a = 1; a < all.length - 1; a += 3) {
      for (let b = a + 1; b < all.length; b += 5) {
        const d = new FrameDecoder();
        const out = [...d.push(all.subarray(0, a)), ...d.push(all.subarray(a, b)), ...d.push(all.subarray(b))];
        expect(out.map((p) => p.serial)).toEqual([1, 2, 3]);
        expect(out.map((p) => [...p.body])).toEqual([[1, 2, 3, 4], [], [5, 6, 7, 8, 9, 10, 11, 12]]);
      }
    }
  });

  it('waits for the rest of a truncated frame instead of failing', () => {
    const d = new FrameDecoder();
    const f = frame(5, [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(d.push(f.subarray(0, 20))).toEqual([]);
    expect(d.buffered).toBe(20);
    expect(d.push(Buffer.alloc(0))).toEqual([]);
    const done = d.push(f.subarray(20));
    expect(done.map((p) => p.serial)).toEqual([5]);
  });

  it('rejects a declared length above libvirt maximum as soon as the length word arrives', () => {
    const d = new FrameDecoder();
    const len = Buffer.alloc(4);
    len.writeUInt32BE(MAX_FRAME_BYTES + 1);
    expect(() => d.push(len)).toThrow(ProtocolError);
    expect(() => d.push(len)).toThrow(/exceeds libvirt's limit/);
  });

  it('accepts a frame of exactly the configured maximum', () => {
    const d = new FrameDecoder({ maxFrameBytes: 64 });
    const ok = frame(1, new Array(64 - MIN_FRAME_BYTES).fill(7));
    expect(d.push(ok)).toHaveLength(1);
    const tooBig = frame(2, new Array(64 - MIN_FRAME_BYTES + 4).fill(7));
    expect(() => new FrameDecoder({ maxFrameBytes: 64 }).push(tooBig)).toThrow(/exceeds/);
  });

  it('rejects a length shorter than the 28-byte minimum', () => {
    for (const n of [0, 4, 27]) {
      const len = Buffer.alloc(8);
      len.writeUInt32BE(n);
      expect(() => new FrameDecoder().push(len)).toThrow(/shorter than the 28-byte minimum/);
    }
  });

  it('turns garbage bytes into a ProtocolError and stays failed', () => {
    const d = new FrameDecoder();
    let caught: unknown;
    try {
      d.push(Buffer.from('GET / HTTP/1.1\r\nHost: example\r\n\r\n'));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect(d.buffered).toBe(0);
    // A stream that lost framing once is never trusted again, even with a valid frame.
    expect(() => d.push(frame(1))).toThrow(ProtocolError);
  });

  it('rejects garbage after valid frames without losing the valid ones delivered before', () => {
    const d = new FrameDecoder();
    expect(d.push(frame(1))).toHaveLength(1);
    const garbage = Buffer.alloc(32, 0xff);
    expect(() => d.push(garbage)).toThrow(ProtocolError);
  });
});
