// Pure protocol behaviour of RpcConnection against an in-process fake peer on a temp unix
// socket: serial matching, error replies, events, keepalive, and hostile bytes.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { RpcConnection, KEEPALIVE_PROGRAM, type RpcConnectionOptions } from '../../../src/libvirt/connection.js';
import { FrameDecoder, MessageStatus, MessageType, encodePacket, type Packet } from '../../../src/libvirt/frame.js';
import { CallTimeoutError, ConnectionClosedError, LibvirtError, ProtocolError } from '../../../src/libvirt/errors.js';
import { XdrWriter, xdrVoid, type XdrCodec } from '../../../src/libvirt/xdr.js';
import { REMOTE_PROGRAM, type ProcedureDef, type ServerMessage } from '../../../src/libvirt/rpc-types.js';

const intCodec: XdrCodec<number> = { encode: (w, v) => void w.int(v), decode: (r) => r.int() };
const ECHO: ProcedureDef<number, number> = { name: 'TEST_ECHO', number: 900, args: intCodec, ret: intCodec };
const VOID: ProcedureDef<void, void> = { name: 'TEST_VOID', number: 901, args: xdrVoid, ret: xdrVoid };

interface FakePeer {
  /** Packets the client sent, in order. */
  readonly received: Packet[];
  send(bytes: Buffer): void;
  reply(call: Packet, body: Buffer, status?: 0 | 1): void;
  nextPacket(filter?: (p: Packet) => boolean): Promise<Packet>;
  end(): void;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function connectPair(options: RpcConnectionOptions = {}): Promise<{ conn: RpcConnection; peer: FakePeer }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-rpc-'));
  const sockPath = path.join(dir, 'sock');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(sockPath, resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect(sockPath);
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  const serverSide = await accepted;
  const decoder = new FrameDecoder();
  const received: Packet[] = [];
  const waiters: { filter: (p: Packet) => boolean; resolve: (p: Packet) => void }[] = [];
  let seen = 0;
  serverSide.on('error', () => {});
  serverSide.on('data', (chunk: Buffer) => {
    for (const p of decoder.push(chunk)) {
      received.push(p);
      const i = waiters.findIndex((w) => w.filter(p));
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(p);
    }
  });
  const peer: FakePeer = {
    received,
    send: (bytes) => void serverSide.write(bytes),
    reply(call, body, status = MessageStatus.OK) {
      serverSide.write(encodePacket({ ...call, type: MessageType.REPLY, status }, body));
    },
    nextPacket(filter = () => true) {
      const already = received.slice(seen).find(filter);
      if (already) {
        seen = received.indexOf(already) + 1;
        return Promise.resolve(already);
      }
      return new Promise((resolve) =>
        waiters.push({
          filter,
          resolve: (p) => {
            seen = received.indexOf(p) + 1;
            resolve(p);
          },
        }),
      );
    },
    end: () => void serverSide.end(),
  };
  const conn = new RpcConnection(client, { label: 'fake', ...options });
  cleanups.push(async () => {
    await conn.close();
    serverSide.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });
  return { conn, peer };
}

const intBody = (n: number) => new XdrWriter().int(n).toBuffer();
const isCall = (p: Packet) => p.type === MessageType.CALL;

function errorBody(code: number, message: string): Buffer {
  const w = new XdrWriter();
  w.int(code)
    .int(12)
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

describe('RpcConnection calls', () => {
  it('matches replies to calls by serial when they arrive out of order', async () => {
    const { conn, peer } = await connectPair();
    const results = [1, 2, 3, 4, 5].map((n) => conn.call(ECHO, n));
    const calls: Packet[] = [];
    for (let i = 0; i < 5; i++) calls.push(await peer.nextPacket(isCall));
    expect(new Set(calls.map((c) => c.serial)).size).toBe(5);
    expect(calls.every((c) => c.program === REMOTE_PROGRAM && c.version === 1 && c.procedure === 900)).toBe(true);
    // Answer in reverse order, each with its argument times ten.
    for (const c of [...calls].reverse()) peer.reply(c, intBody(c.body.readInt32BE(0) * 10));
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50]);
    expect(conn.pendingCalls).toBe(0);
  });

  it('rejects an ERROR reply with a LibvirtError naming the procedure, and keeps going', async () => {
    const { conn, peer } = await connectPair();
    const failing = conn.call(ECHO, 1);
    const call = await peer.nextPacket(isCall);
    peer.reply(call, errorBody(42, "Domain not found: no domain with matching name 'x'"), MessageStatus.ERROR);
    const err = await failing.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtError);
    expect(err).toMatchObject({ code: 42, procedure: 'TEST_ECHO' });
    expect((err as Error).message).toBe("libvirt error 42 (VIR_ERR_NO_DOMAIN): Domain not found: no domain with matching name 'x'");
    const ok = conn.call(ECHO, 7);
    peer.reply(await peer.nextPacket(isCall), intBody(7));
    expect(await ok).toBe(7);
  });

  it('rejects only the call whose reply does not decode', async () => {
    const { conn, peer } = await connectPair();
    const bad = conn.call(ECHO, 1);
    peer.reply(await peer.nextPacket(isCall), Buffer.alloc(8)); // two ints where one is expected
    await expect(bad).rejects.toThrow(ProtocolError);
    expect(conn.closed).toBe(false);
    const good = conn.call(VOID, undefined);
    peer.reply(await peer.nextPacket(isCall), Buffer.alloc(0));
    await expect(good).resolves.toBeUndefined();
  });

  it('rejects encoding failures without sending anything', async () => {
    const { conn, peer } = await connectPair();
    await expect(conn.call(ECHO, 2 ** 40)).rejects.toThrow(/out of range/);
    const next = conn.call(VOID, undefined);
    const p = await peer.nextPacket(isCall);
    expect(p.procedure).toBe(901);
    peer.reply(p, Buffer.alloc(0));
    await next;
    expect(peer.received.filter(isCall)).toHaveLength(1);
  });

  it('reports each call to onCallComplete', async () => {
    const seen: [string, boolean][] = [];
    const { conn, peer } = await connectPair({
      onCallComplete: (name, ms, ok) => {
        expect(ms).toBeGreaterThanOrEqual(0);
        seen.push([name, ok]);
      },
    });
    const a = conn.call(ECHO, 1);
    peer.reply(await peer.nextPacket(isCall), intBody(1));
    await a;
    const b = conn.call(VOID, undefined).catch(() => {});
    peer.reply(await peer.nextPacket(isCall), errorBody(1, 'boom'), MessageStatus.ERROR);
    await b;
    expect(seen).toEqual([
      ['TEST_ECHO', true],
      ['TEST_VOID', false],
    ]);
  });

  it('closes with a protocol error on a reply to a serial no call is waiting for', async () => {
    const { conn, peer } = await connectPair();
    const p = conn.call(ECHO, 5);
    const call = await peer.nextPacket(isCall);
    peer.reply({ ...call, serial: call.serial + 1000 }, intBody(99));
    const info = await conn.disconnected;
    expect(info.reason).toBe('protocol-error');
    expect(info.error?.message).toMatch(new RegExp(`serial ${call.serial + 1000}.*no call is waiting`));
    await expect(p).rejects.toMatchObject({ name: 'ConnectionClosedError', reason: 'protocol-error' });
  });
});

describe('RpcConnection call deadlines', () => {
  const DOM_LOOKUP: ProcedureDef<string, number> = {
    name: 'DOMAIN_LOOKUP_BY_NAME',
    number: 23,
    args: { encode: (w, v) => void w.string(v), decode: (r) => r.string() },
    ret: intCodec,
  };
  const SLOW: ProcedureDef<number, number> = { ...ECHO, name: 'TEST_SLOW', slow: true };

  it('fails a call the peer never answers, naming procedure and object, and closes the connection', async () => {
    const { conn, peer } = await connectPair({ callTimeoutMs: 150 });
    const started = Date.now();
    const stuck = conn.call(DOM_LOOKUP, 'web-1').catch((e: unknown) => e);
    const other = conn.call(ECHO, 1).catch((e: unknown) => e);
    await peer.nextPacket(isCall);
    // The peer stays alive (keepalive would be answered) but sits on the calls.
    const err = await stuck;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(CallTimeoutError);
    expect(err).toMatchObject({ procedure: 'DOMAIN_LOOKUP_BY_NAME', object: "domain 'web-1'", timeoutMs: 150 });
    expect((err as Error).message).toBe(
      "fake: no answer to DOMAIN_LOOKUP_BY_NAME (domain 'web-1') within 150 ms; closing the connection (raise --call-timeout if the daemon is just slow)",
    );
    expect((await conn.disconnected).reason).toBe('call-timeout');
    expect(await other).toMatchObject({ name: 'ConnectionClosedError', reason: 'call-timeout' });
  });

  it('does not fire once the reply arrived in time', async () => {
    const { conn, peer } = await connectPair({ callTimeoutMs: 100 });
    const p = conn.call(ECHO, 3);
    peer.reply(await peer.nextPacket(isCall), intBody(3));
    expect(await p).toBe(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(conn.closed).toBe(false);
  });

  it('gives slow procedures the slow deadline and honours a per-call deadline', async () => {
    const { conn, peer } = await connectPair({ callTimeoutMs: 50, slowCallTimeoutMs: 400 });
    const slow = conn.call(SLOW, 1);
    const slowCall = await peer.nextPacket(isCall);
    await new Promise((r) => setTimeout(r, 150));
    expect(conn.closed).toBe(false);
    peer.reply(slowCall, intBody(1));
    expect(await slow).toBe(1);
    const quick = conn.call(SLOW, 2, { timeoutMs: 30 }).catch((e: unknown) => e);
    await peer.nextPacket(isCall);
    expect(await quick).toMatchObject({ name: 'CallTimeoutError', procedure: 'TEST_SLOW', timeoutMs: 30 });
  });

  it('ends a call whose reply frame is cut off mid-way within the deadline', async () => {
    const { conn, peer } = await connectPair({ callTimeoutMs: 150 });
    const p = conn.call(ECHO, 1).catch((e: unknown) => e);
    const call = await peer.nextPacket(isCall);
    const frame = encodePacket({ ...call, type: MessageType.REPLY, status: MessageStatus.OK }, intBody(1));
    peer.send(frame.subarray(0, frame.length - 2));
    expect(await p).toMatchObject({ name: 'CallTimeoutError', procedure: 'TEST_ECHO' });
  });

  it('keeps no deadline with callTimeoutMs 0', async () => {
    const { conn, peer } = await connectPair({ callTimeoutMs: 0 });
    const p = conn.call(ECHO, 9);
    const call = await peer.nextPacket(isCall);
    await new Promise((r) => setTimeout(r, 100));
    peer.reply(call, intBody(9));
    expect(await p).toBe(9);
  });
});

describe('RpcConnection server messages', () => {
  it('delivers MESSAGE packets to every listener, even when one throws', async () => {
    const { conn, peer } = await connectPair();
    const got: ServerMessage[] = [];
    conn.onMessage(() => {
      throw new Error('listener bug');
    });
    const off = conn.onMessage((m) => got.push(m));
    const event = (proc: number) =>
      encodePacket(
        { program: REMOTE_PROGRAM, version: 1, procedure: proc, type: MessageType.MESSAGE, serial: 0, status: 0 },
        intBody(proc),
      );
    peer.send(Buffer.concat([event(107), event(318)]));
    // A call round trip after the events proves they were processed (same stream, in order).
    const ping = conn.call(ECHO, 0);
    peer.reply(await peer.nextPacket(isCall), intBody(0));
    await ping;
    expect(got.map((m) => [m.program, m.procedure, m.body.readInt32BE(0)])).toEqual([
      [REMOTE_PROGRAM, 107, 107],
      [REMOTE_PROGRAM, 318, 318],
    ]);
    off();
    peer.send(event(1));
    const again = conn.call(ECHO, 0);
    peer.reply(await peer.nextPacket(isCall), intBody(0));
    await again;
    expect(got).toHaveLength(2);
  });
});

describe('RpcConnection keepalive', () => {
  const keepalive = (procedure: number) =>
    encodePacket({ program: KEEPALIVE_PROGRAM, version: 1, procedure, type: MessageType.MESSAGE, serial: 0, status: 0 });

  it('answers a PING with a PONG message', async () => {
    const { peer } = await connectPair();
    peer.send(keepalive(1));
    const pong = await peer.nextPacket((p) => p.program === KEEPALIVE_PROGRAM);
    expect(pong).toMatchObject({ program: 0x6b656570, version: 1, procedure: 2, type: MessageType.MESSAGE, serial: 0, status: 0 });
    expect(pong.body.length).toBe(0);
  });

  it('does not answer when told not to (the switch used to test the daemon)', async () => {
    const { conn, peer } = await connectPair({ answerPings: false });
    peer.send(keepalive(1));
    const roundTrip = conn.call(ECHO, 3);
    peer.reply(await peer.nextPacket(isCall), intBody(3));
    await roundTrip;
    expect(peer.received.some((p) => p.program === KEEPALIVE_PROGRAM)).toBe(false);
  });

  it('pings a quiet peer and stays up while it answers', async () => {
    const { conn, peer } = await connectPair();
    const pongs: Packet[] = [];
    const answer = async () => {
      for (;;) {
        const ping = await peer.nextPacket((p) => p.program === KEEPALIVE_PROGRAM && p.procedure === 1);
        pongs.push(ping);
        peer.send(keepalive(2));
      }
    };
    void answer();
    conn.startKeepalive({ intervalMs: 20, count: 2 });
    await new Promise((r) => setTimeout(r, 400));
    expect(conn.closed).toBe(false);
    expect(pongs.length).toBeGreaterThanOrEqual(3);
  });

  it('declares a silent peer dead, rejects pending calls and emits disconnected', async () => {
    const { conn, peer } = await connectPair();
    const events: string[] = [];
    conn.onDisconnected((info) => events.push(info.reason));
    const pending = conn.call(ECHO, 1);
    await peer.nextPacket(isCall);
    const started = Date.now();
    conn.startKeepalive({ intervalMs: 30, count: 3 });
    const info = await conn.disconnected;
    expect(info.reason).toBe('keepalive-timeout');
    // Three unanswered pings 30 ms apart, then the verdict on the fourth tick.
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(peer.received.filter((p) => p.program === KEEPALIVE_PROGRAM && p.procedure === 1)).toHaveLength(3);
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect((err as ConnectionClosedError).reason).toBe('keepalive-timeout');
    expect(events).toEqual(['keepalive-timeout']);
    await expect(conn.call(ECHO, 2)).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});

describe('RpcConnection failure handling', () => {
  it('closes on garbage from the peer with a ProtocolError and rejects pending calls', async () => {
    const { conn, peer } = await connectPair();
    const pending = [conn.call(ECHO, 1), conn.call(ECHO, 2)];
    await peer.nextPacket(isCall);
    peer.send(Buffer.from('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
    const info = await conn.disconnected;
    expect(info.reason).toBe('protocol-error');
    expect(info.error).toBeInstanceOf(ProtocolError);
    for (const p of pending) {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionClosedError);
      expect((err as Error).message).toMatch(/protocol-error/);
      expect((err as Error).cause).toBeInstanceOf(ProtocolError);
    }
  });

  it('closes on an oversized frame without waiting for its body', async () => {
    const { conn, peer } = await connectPair({ maxFrameBytes: 1024 });
    const pending = conn.call(ECHO, 1);
    const header = Buffer.alloc(28);
    header.writeUInt32BE(4096, 0);
    peer.send(header);
    const info = await conn.disconnected;
    expect(info.reason).toBe('protocol-error');
    expect(info.error?.message).toMatch(/exceeds/);
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('reports the peer closing the stream and rejects calls made afterwards', async () => {
    const { conn, peer } = await connectPair();
    const pending = conn.call(ECHO, 1);
    await peer.nextPacket(isCall);
    let disconnects = 0;
    conn.onDisconnected(() => disconnects++);
    peer.end();
    expect((await conn.disconnected).reason).toBe('closed-by-peer');
    await expect(pending).rejects.toMatchObject({ name: 'ConnectionClosedError', reason: 'closed-by-peer' });
    await expect(conn.call(ECHO, 1)).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(disconnects).toBe(1);
    // Late subscribers still hear about it.
    const late = await new Promise((resolve) => conn.onDisconnected(resolve));
    expect(late).toMatchObject({ reason: 'closed-by-peer' });
  });

  it('close() rejects pending calls as closed-by-client', async () => {
    const { conn, peer } = await connectPair();
    const pending = conn.call(ECHO, 1).catch((e: unknown) => e);
    await peer.nextPacket(isCall);
    await conn.close();
    expect(await pending).toMatchObject({ name: 'ConnectionClosedError', reason: 'closed-by-client' });
    expect(conn.closed).toBe(true);
    await conn.close(); // idempotent
  });
});
