// openConnection's set-up sequence against a scripted fake daemon: the parts a real libvirtd
// configured for tests cannot show (SASL-only auth, silence, hang-ups during set-up).
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { openConnection, closeConnection, localSocketFor, ConnectError } from '../../../src/libvirt/connect.js';
import { FrameDecoder, MessageType, encodePacket, type Packet } from '../../../src/libvirt/frame.js';
import { UnsupportedAuthError } from '../../../src/libvirt/errors.js';
import { KEEPALIVE_PROGRAM } from '../../../src/libvirt/connection.js';
import { XdrReader, XdrWriter } from '../../../src/libvirt/xdr.js';
import { parseLibvirtUri } from '../../../src/libvirt/uri.js';
import {
  REMOTE_PROC_AUTH_LIST,
  REMOTE_PROC_AUTH_POLKIT,
  REMOTE_PROC_AUTH_SASL_INIT,
  REMOTE_PROC_CONNECT_CLOSE,
  REMOTE_PROC_CONNECT_OPEN,
  REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
} from '../../../src/libvirt/generated/remote-procedures.js';
import { REMOTE_AUTH_POLKIT, REMOTE_AUTH_SASL } from '../../../src/libvirt/generated/constants.js';

type Behaviour = (call: Packet, reply: (body: Buffer, status?: 0 | 1) => void, hangUp: () => void) => void;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function fakeDaemon(behave: Behaviour): Promise<{ uri: string; received: Packet[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-connect-'));
  const sock = path.join(dir, 'sock');
  const received: Packet[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    const decoder = new FrameDecoder();
    s.on('data', (chunk: Buffer) => {
      for (const p of decoder.push(chunk)) {
        received.push(p);
        if (p.type !== MessageType.CALL) continue;
        behave(
          p,
          (body, status = 0) => void s.write(encodePacket({ ...p, type: MessageType.REPLY, status }, body)),
          () => s.destroy(),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });
  return { uri: `test+unix:///default?socket=${sock}`, received };
}

const ints = (...values: number[]) => {
  const w = new XdrWriter();
  for (const v of values) w.int(v);
  return w.toBuffer();
};
function errorBody(code: number, message: string): Buffer {
  const w = new XdrWriter();
  w.int(code)
    .int(7)
    .optional(message, (ww, s) => void ww.string(s))
    .int(2);
  for (let i = 0; i < 4; i++) w.optional(null, () => {});
  w.int(0)
    .int(0)
    .optional(null, () => {});
  return w.toBuffer();
}

/** A well-behaved daemon whose AUTH_LIST and SUPPORTS_FEATURE answers are configurable. */
const daemonLike =
  (authTypes: number[] | 'no-support', keepalive = 1): Behaviour =>
  (call, reply) => {
    switch (call.procedure) {
      case REMOTE_PROC_AUTH_LIST:
        if (authTypes === 'no-support') reply(errorBody(3, 'this function is not supported'), 1);
        else reply(ints(authTypes.length, ...authTypes));
        return;
      case REMOTE_PROC_CONNECT_SUPPORTS_FEATURE:
        reply(ints(keepalive));
        return;
      case REMOTE_PROC_AUTH_POLKIT:
        reply(ints(1));
        return;
      case REMOTE_PROC_AUTH_SASL_INIT:
        reply(new XdrWriter().string('GSSAPI').toBuffer());
        return;
      default:
        reply(Buffer.alloc(0));
    }
  };

describe('openConnection set-up sequence', () => {
  it('sends AUTH_LIST, CONNECT_OPEN with the stripped name and RO flag, then the keepalive check', async () => {
    const fake = await fakeDaemon(daemonLike([0]));
    const conn = await openConnection(fake.uri, { readOnly: true });
    const calls = fake.received.filter((p) => p.type === MessageType.CALL);
    expect(calls.map((c) => c.procedure)).toEqual([REMOTE_PROC_AUTH_LIST, REMOTE_PROC_CONNECT_OPEN, REMOTE_PROC_CONNECT_SUPPORTS_FEATURE]);
    const open = new XdrReader(calls[1]!.body);
    expect(open.optional((r) => r.string())).toBe('test:///default');
    expect(open.uint()).toBe(1);
    expect(new XdrReader(calls[2]!.body).int()).toBe(10);
    await closeConnection(conn);
    expect(fake.received.at(-1)?.procedure).toBe(REMOTE_PROC_CONNECT_CLOSE);
    expect(conn.closed).toBe(true);
  });

  it('authorizes through polkit before opening when that is all the daemon offers', async () => {
    const fake = await fakeDaemon(daemonLike([REMOTE_AUTH_POLKIT]));
    await closeConnection(await openConnection(fake.uri));
    const order = fake.received.filter((p) => p.type === MessageType.CALL).map((p) => p.procedure);
    expect(order.slice(0, 3)).toEqual([REMOTE_PROC_AUTH_LIST, REMOTE_PROC_AUTH_POLKIT, REMOTE_PROC_CONNECT_OPEN]);
  });

  it('refuses SASL mechanisms it does not implement, naming those offered', async () => {
    const fake = await fakeDaemon(daemonLike([REMOTE_AUTH_SASL]));
    const err = await openConnection(fake.uri).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedAuthError);
    expect((err as Error).message).toMatch(
      /offers SASL mechanisms GSSAPI, virtkeeper needs one of SCRAM-SHA-256, SCRAM-SHA-1, DIGEST-MD5, PLAIN\. GSSAPI \(Kerberos\) is not supported/,
    );
    expect(fake.received.some((p) => p.procedure === REMOTE_PROC_CONNECT_OPEN)).toBe(false);
  });

  it('accepts a daemon that offers none among others, and one too old for AUTH_LIST', async () => {
    const a = await fakeDaemon(daemonLike([1, 0]));
    await closeConnection(await openConnection(a.uri));
    const b = await fakeDaemon(daemonLike('no-support'));
    await closeConnection(await openConnection(b.uri));
  });

  it('does not ping a daemon without keepalive support', async () => {
    const fake = await fakeDaemon(daemonLike([0], 0));
    const conn = await openConnection(fake.uri, { keepaliveIntervalMs: 10, keepaliveCount: 1 });
    await new Promise((r) => setTimeout(r, 100));
    expect(conn.closed).toBe(false);
    expect(fake.received.some((p) => p.program === KEEPALIVE_PROGRAM)).toBe(false);
    await closeConnection(conn);
  });

  it('gives up on a daemon that never answers', async () => {
    const fake = await fakeDaemon(() => {});
    const started = Date.now();
    await expect(openConnection(fake.uri, { openTimeoutMs: 150 })).rejects.toThrow(/no answer to connection setup within 150 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a daemon that hangs up during set-up', async () => {
    const fake = await fakeDaemon((_call, _reply, hangUp) => hangUp());
    const err = await openConnection(fake.uri).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as Error).message).toMatch(/closed the connection during setup/);
  });
});

describe('localSocketFor', () => {
  const env = { XDG_RUNTIME_DIR: '/run/user/1000' };
  it('uses the -ro socket for read-only default system URIs only', () => {
    expect(localSocketFor(parseLibvirtUri('qemu:///system', env), true)).toBe('/var/run/libvirt/libvirt-sock-ro');
    expect(localSocketFor(parseLibvirtUri('qemu:///system', env), false)).toBe('/var/run/libvirt/libvirt-sock');
    expect(localSocketFor(parseLibvirtUri('qemu:///session', env), true)).toBe('/run/user/1000/libvirt/libvirt-sock');
    expect(localSocketFor(parseLibvirtUri('test+unix:///default?socket=/s', env), true)).toBe('/s');
    expect(localSocketFor(parseLibvirtUri('qemu+tcp://h/system', env), true)).toBeUndefined();
  });
});
