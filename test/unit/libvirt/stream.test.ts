// libvirt data streams (upload direction) of RpcConnection and LibvirtClient against an
// in-process fake daemon on a temp unix socket: the packets on the wire, the daemon's
// confirmations and errors, aborts, backpressure and connection loss.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { REMOTE_PROC_STORAGE_VOL_UPLOAD, STORAGE_VOL_UPLOAD } from '../../../src/libvirt/generated/remote-procedures.js';
import { VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM } from '../../../src/libvirt/generated/constants.js';
import { RpcConnection, supportsStreams, type RpcConnectionOptions } from '../../../src/libvirt/connection.js';
import {
  FrameDecoder,
  MessageStatus,
  MessageType,
  VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX,
  encodePacket,
  type Packet,
} from '../../../src/libvirt/frame.js';
import { ConnectionClosedError, LibvirtError, ProtocolError } from '../../../src/libvirt/errors.js';
import { XdrReader, XdrWriter, xdrVoid, type XdrCodec } from '../../../src/libvirt/xdr.js';
import { REMOTE_PROGRAM, type ProcedureDef } from '../../../src/libvirt/rpc-types.js';
import { LibvirtClient, StreamsUnsupportedError } from '../../../src/libvirt/client.js';

const intCodec: XdrCodec<number> = { encode: (w, v) => void w.int(v), decode: (r) => r.int() };
const UPLOAD: ProcedureDef<number, void> = { name: 'TEST_UPLOAD', number: 950, args: intCodec, ret: xdrVoid };
const ECHO: ProcedureDef<number, number> = { name: 'TEST_ECHO', number: 900, args: intCodec, ret: intCodec };

interface FakeDaemon {
  readonly socket: net.Socket;
  readonly received: Packet[];
  next(filter?: (p: Packet) => boolean): Promise<Packet>;
  reply(call: Packet, body?: Buffer, status?: MessageStatus): void;
  stream(call: Packet, status: MessageStatus, body?: Buffer): void;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function connectPair(options: RpcConnectionOptions = {}): Promise<{ conn: RpcConnection; daemon: FakeDaemon }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-stream-'));
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(path.join(dir, 'sock'), resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect(path.join(dir, 'sock'));
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  const socket = await accepted;
  const decoder = new FrameDecoder();
  const received: Packet[] = [];
  let seen = 0;
  let wake: (() => void) | undefined;
  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => {
    received.push(...decoder.push(chunk));
    wake?.();
  });
  const daemon: FakeDaemon = {
    socket,
    received,
    async next(filter = () => true) {
      for (;;) {
        const i = received.findIndex((p, idx) => idx >= seen && filter(p));
        if (i >= 0) {
          seen = i + 1;
          return received[i]!;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    reply: (call, body = Buffer.alloc(0), status = MessageStatus.OK) =>
      void socket.write(encodePacket({ ...call, type: MessageType.REPLY, status }, body)),
    stream: (call, status, body = Buffer.alloc(0)) => void socket.write(encodePacket({ ...call, type: MessageType.STREAM, status }, body)),
  };
  const conn = new RpcConnection(client, { label: 'fake', ...options });
  cleanups.push(async () => {
    await conn.close();
    socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });
  return { conn, daemon };
}

function errorBody(code: number, message: string): Buffer {
  const w = new XdrWriter();
  w.int(code)
    .int(18)
    .optional(message, (ww, s) => void ww.string(s))
    .int(2);
  w.optional(null, () => {})
    .optional(null, () => {})
    .optional(null, () => {})
    .optional(null, () => {});
  w.int(0)
    .int(0)
    .optional(null, () => {});
  return w.toBuffer();
}

const isCall = (p: Packet) => p.type === MessageType.CALL;
const isStream = (p: Packet) => p.type === MessageType.STREAM;

/** Opens TEST_UPLOAD and answers the CALL; returns the stream and the CALL packet. */
async function openStream(conn: RpcConnection, daemon: FakeDaemon, chunkBytes?: number) {
  const opening = conn.openWriteStream(UPLOAD, 7, chunkBytes === undefined ? {} : { chunkBytes });
  const call = await daemon.next(isCall);
  daemon.reply(call);
  return { stream: await opening, call };
}

describe('RpcConnection write streams', () => {
  it('sends data as raw STREAM CONTINUE packets with the call procedure and serial, then OK, and waits for the confirmation', async () => {
    const { conn, daemon } = await connectPair();
    const { stream, call } = await openStream(conn, daemon, 4);
    expect(call).toMatchObject({ program: REMOTE_PROGRAM, procedure: 950, status: MessageStatus.OK });
    expect(stream.serial).toBe(call.serial);

    await stream.write(Buffer.from('0123456789'));
    const data = [await daemon.next(isStream), await daemon.next(isStream), await daemon.next(isStream)];
    expect(data.map((p) => [p.procedure, p.serial, p.status, p.body.toString()])).toEqual([
      [950, call.serial, MessageStatus.CONTINUE, '0123'],
      [950, call.serial, MessageStatus.CONTINUE, '4567'],
      [950, call.serial, MessageStatus.CONTINUE, '89'],
    ]);
    expect(stream.bytesSent).toBe(10);

    let finished = false;
    const finishing = stream.finish().then(() => (finished = true));
    const end = await daemon.next(isStream);
    expect([end.status, end.body.length]).toEqual([MessageStatus.OK, 0]);
    await new Promise((r) => setTimeout(r, 20));
    expect(finished).toBe(false); // not before the daemon confirmed
    daemon.stream(call, MessageStatus.OK);
    await finishing;
    await expect(stream.write(Buffer.from('x'))).rejects.toThrow(/stream is done/);
  });

  it('defaults to chunks of VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX', async () => {
    const { conn, daemon } = await connectPair();
    const { stream } = await openStream(conn, daemon);
    await stream.write(Buffer.alloc(VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX + 10, 1));
    expect((await daemon.next(isStream)).body.length).toBe(VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX);
    expect((await daemon.next(isStream)).body.length).toBe(10);
  });

  it('an ERROR reply to the opening call rejects with the LibvirtError and leaves no stream', async () => {
    const { conn, daemon } = await connectPair();
    const opening = conn.openWriteStream(UPLOAD, 1);
    daemon.reply(
      await daemon.next(isCall),
      errorBody(3, 'this function is not supported by the connection driver: virStorageVolUpload'),
      MessageStatus.ERROR,
    );
    const err = await opening.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtError);
    expect(err).toMatchObject({ code: 3, procedure: 'TEST_UPLOAD' });
    const echo = conn.call(ECHO, 5);
    daemon.reply(await daemon.next(isCall), new XdrWriter().int(5).toBuffer());
    expect(await echo).toBe(5);
  });

  it("a STREAM ERROR from the daemon fails the next write and finish with the daemon's error", async () => {
    const { conn, daemon } = await connectPair();
    const { stream, call } = await openStream(conn, daemon);
    daemon.stream(call, MessageStatus.ERROR, errorBody(38, 'cannot write: No space left on device'));
    await new Promise((r) => setTimeout(r, 20));
    const err = await stream.write(Buffer.from('abc')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtError);
    expect(err).toMatchObject({ code: 38, procedure: 'TEST_UPLOAD' });
    await expect(stream.finish()).rejects.toBe(err);
    // Aborting a failed stream sends nothing: the daemon already dropped it.
    const before = daemon.received.length;
    await stream.abort();
    await new Promise((r) => setTimeout(r, 20));
    expect(daemon.received.length).toBe(before);
  });

  it('finish rejects when the daemon answers the end of the stream with an error', async () => {
    const { conn, daemon } = await connectPair();
    const { stream, call } = await openStream(conn, daemon);
    const finishing = stream.finish();
    await daemon.next(isStream);
    daemon.stream(call, MessageStatus.ERROR, errorBody(1, 'internal error: child reported: I/O error'));
    await expect(finishing).rejects.toMatchObject({ code: 1, procedure: 'TEST_UPLOAD' });
  });

  it('finish fails with CallTimeoutError and closes the connection when the daemon never confirms', async () => {
    const { conn, daemon } = await connectPair({ callTimeoutMs: 40, slowCallTimeoutMs: 120 });
    const { stream } = await openStream(conn, daemon);
    const finishing = stream.finish().catch((e: unknown) => e);
    await daemon.next(isStream);
    expect(await finishing).toMatchObject({ name: 'CallTimeoutError', procedure: 'TEST_UPLOAD', timeoutMs: 120 });
    expect((await conn.disconnected).reason).toBe('call-timeout');
  });

  it('abort sends STREAM ERROR with an empty body and resolves on the confirmation', async () => {
    const { conn, daemon } = await connectPair();
    const { stream, call } = await openStream(conn, daemon);
    const aborting = stream.abort();
    const packet = await daemon.next(isStream);
    expect([packet.status, packet.serial, packet.procedure, packet.body.length]).toEqual([MessageStatus.ERROR, call.serial, 950, 0]);
    daemon.stream(call, MessageStatus.OK);
    await aborting;
    await expect(stream.write(Buffer.from('x'))).rejects.toThrow(/stream is done/);
  });

  it('a STREAM OK before finish means the daemon gave up on the stream', async () => {
    const { conn, daemon } = await connectPair();
    const { stream, call } = await openStream(conn, daemon);
    daemon.stream(call, MessageStatus.OK);
    await new Promise((r) => setTimeout(r, 20));
    await expect(stream.write(Buffer.from('x'))).rejects.toThrow(ProtocolError);
  });

  it('ignores stream data and holes from the daemon, and STREAM packets of unknown serials', async () => {
    const { conn, daemon } = await connectPair();
    const { stream, call } = await openStream(conn, daemon);
    daemon.stream(call, MessageStatus.CONTINUE, Buffer.from('unexpected download data'));
    daemon.socket.write(encodePacket({ ...call, type: MessageType.STREAM_HOLE, status: MessageStatus.CONTINUE }, Buffer.alloc(12)));
    daemon.stream({ ...call, serial: 9999 }, MessageStatus.ERROR, errorBody(1, 'nobody'));
    const echo = conn.call(ECHO, 3);
    daemon.reply(await daemon.next(isCall), new XdrWriter().int(3).toBuffer());
    expect(await echo).toBe(3);
    await stream.write(Buffer.from('still fine'));
    expect((await daemon.next(isStream)).body.toString()).toBe('still fine');
    expect(conn.closed).toBe(false);
  });

  it('waits for drain: a daemon that stops reading stalls the writer instead of buffering everything', async () => {
    const { conn, daemon } = await connectPair();
    const { stream } = await openStream(conn, daemon);
    daemon.socket.pause();
    const total = 64 * 1024 * 1024;
    let done = false;
    const writing = (async () => {
      for (let i = 0; i < 64; i++) await stream.write(Buffer.alloc(1024 * 1024, i));
      done = true;
    })();
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toBe(false);
    // What sits in the kernel's socket buffers plus one high-water mark, not 64 MiB.
    expect(stream.bytesSent).toBeLessThan(16 * 1024 * 1024);
    daemon.socket.resume();
    await writing;
    expect(stream.bytesSent).toBe(total);
  });

  it('rejects writes, finish and a write stalled on drain when the connection ends', async () => {
    const { conn, daemon } = await connectPair();
    const { stream } = await openStream(conn, daemon);
    daemon.socket.pause();
    const stalled = (async () => {
      for (;;) await stream.write(Buffer.alloc(1024 * 1024));
    })();
    await new Promise((r) => setTimeout(r, 100));
    daemon.socket.destroy();
    await expect(stalled).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(stream.finish()).rejects.toBeInstanceOf(ConnectionClosedError);
    await stream.abort(); // nothing left to abort; must not hang or throw
  });

  it('keeps serving calls while a stream is open', async () => {
    const { conn, daemon } = await connectPair();
    const { stream, call } = await openStream(conn, daemon);
    const echo = conn.call(ECHO, 11);
    const echoCall = await daemon.next(isCall);
    expect(echoCall.serial).not.toBe(call.serial);
    daemon.reply(echoCall, new XdrWriter().int(11).toBuffer());
    expect(await echo).toBe(11);
    await stream.write(Buffer.from('a'));
  });
});

describe('LibvirtClient.uploadStorageVolume', () => {
  const vol = { pool: 'images', name: 'disk.img', key: '/var/lib/images/disk.img' };

  it('sends STORAGE_VOL_UPLOAD with offset and length, streams the source and finishes', async () => {
    const { conn, daemon } = await connectPair();
    const calls: string[] = [];
    const client = new LibvirtClient(conn, { onCall: (i) => calls.push(`${i.procedure}:${i.error ? 'err' : 'ok'}`) });
    async function* source() {
      yield Buffer.from('hello ');
      yield new Uint8Array(Buffer.from('world'));
    }
    const uploading = client.uploadStorageVolume(vol, source(), { offset: 512n, length: 11n });
    const call = await daemon.next(isCall);
    expect(call.procedure).toBe(REMOTE_PROC_STORAGE_VOL_UPLOAD);
    const r = new XdrReader(call.body);
    expect([r.string(), r.string(), r.string()]).toEqual(['images', 'disk.img', '/var/lib/images/disk.img']);
    expect([r.uhyper(), r.uhyper(), r.uint()]).toEqual([512n, 11n, 0]);
    daemon.reply(call);
    const chunks = [(await daemon.next(isStream)).body.toString(), (await daemon.next(isStream)).body.toString()];
    expect(chunks).toEqual(['hello ', 'world']);
    const end = await daemon.next(isStream);
    expect(end.status).toBe(MessageStatus.OK);
    daemon.stream(call, MessageStatus.OK);
    expect(await uploading).toEqual({ bytes: 11n, holeBytes: 0n });
    expect(calls).toEqual(['STORAGE_VOL_UPLOAD:ok']);
  });

  it('sparse: sets VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM and sends blocks of zeros as STREAM_HOLE packets', async () => {
    const { conn, daemon } = await connectPair();
    const client = new LibvirtClient(conn);
    const block = 64 * 1024;
    const data = Buffer.alloc(block, 7);
    async function* source() {
      yield Buffer.concat([data, Buffer.alloc(3 * block)]);
      yield Buffer.concat([data, Buffer.alloc(10)]); // a partial zero block at the end is a hole too
    }
    const progress: bigint[] = [];
    const uploading = client.uploadStorageVolume(vol, source(), { sparse: true, onProgress: (n) => progress.push(n) });
    const call = await daemon.next(isCall);
    const r = new XdrReader(call.body);
    [r.string(), r.string(), r.string(), r.uhyper(), r.uhyper()];
    expect(r.uint()).toBe(VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM);
    daemon.reply(call);
    const seen: string[] = [];
    for (;;) {
      const p = await daemon.next((q) => q.serial === call.serial && (q.type === MessageType.STREAM || q.type === MessageType.STREAM_HOLE));
      if (p.type === MessageType.STREAM_HOLE) {
        const hole = new XdrReader(p.body);
        seen.push(`hole ${hole.hyper()} flags ${hole.uint()}`);
      } else if (p.status === MessageStatus.CONTINUE) seen.push(`data ${p.body.length}`);
      else break;
    }
    // Data goes in packets of at most VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX (262120) bytes.
    expect(seen).toEqual(['data 65536', `hole ${3 * block} flags 0`, 'data 65536', 'hole 10 flags 0']);
    daemon.stream(call, MessageStatus.OK);
    expect(await uploading).toEqual({ bytes: BigInt(2 * block), holeBytes: BigInt(3 * block + 10) });
    expect(progress.at(-1)).toBe(BigInt(5 * block + 10));
  });

  it('aborts the stream and rethrows when the source fails', async () => {
    const { conn, daemon } = await connectPair();
    const client = new LibvirtClient(conn);
    async function* source(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('partial');
      throw new Error('checksum mismatch');
    }
    const uploading = client.uploadStorageVolume(vol, source());
    const call = await daemon.next(isCall);
    daemon.reply(call);
    expect((await daemon.next(isStream)).status).toBe(MessageStatus.CONTINUE);
    const abort = await daemon.next(isStream);
    expect(abort.status).toBe(MessageStatus.ERROR);
    daemon.stream(call, MessageStatus.OK);
    await expect(uploading).rejects.toThrow('checksum mismatch');
  });

  it('refuses callers that cannot open streams', async () => {
    const caller = { call: () => Promise.reject(new Error('unused')), onMessage: () => () => {} };
    expect(supportsStreams(caller)).toBe(false);
    async function* empty(): AsyncGenerator<Uint8Array> {}
    await expect(new LibvirtClient(caller).uploadStorageVolume(vol, empty())).rejects.toBeInstanceOf(StreamsUnsupportedError);
  });

  it('the procedure matches remote_protocol.x', () => {
    expect([STORAGE_VOL_UPLOAD.name, STORAGE_VOL_UPLOAD.number]).toEqual(['STORAGE_VOL_UPLOAD', REMOTE_PROC_STORAGE_VOL_UPLOAD]);
  });
});
