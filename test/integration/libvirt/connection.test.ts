// RpcConnection and openConnection against a real private libvirtd (test driver).
import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { startPrivateLibvirtd } from '../../../src/sandbox/private-libvirtd.js';
import { closeConnection, openConnection, CONNECT_SUPPORTS_FEATURE } from '../../../src/libvirt/connect.js';
import type { RpcConnection } from '../../../src/libvirt/connection.js';
import {
  ConnectionClosedError,
  LibvirtError,
  VIR_ERR_NO_DOMAIN,
  VIR_ERR_OPERATION_DENIED,
  isNotFound,
} from '../../../src/libvirt/errors.js';
import { xdrVoid, type XdrCodec } from '../../../src/libvirt/xdr.js';
import type { ProcedureDef } from '../../../src/libvirt/rpc-types.js';

// The few procedures these tests need, defined here so this file tests only the transport.
interface Dom {
  name: string;
  uuid: Buffer;
  id: number;
}
const str: XdrCodec<string> = { encode: (w, v) => void w.string(v), decode: (r) => r.string() };
const dom: XdrCodec<Dom> = {
  encode: (w, v) => void w.string(v.name).fixedOpaque(v.uuid, 16).int(v.id),
  decode: (r) => ({ name: r.string(), uuid: r.fixedOpaque(16), id: r.int() }),
};
const GET_HOSTNAME: ProcedureDef<void, string> = { name: 'CONNECT_GET_HOSTNAME', number: 59, args: xdrVoid, ret: str };
const GET_URI: ProcedureDef<void, string> = { name: 'CONNECT_GET_URI', number: 110, args: xdrVoid, ret: str };
const DEFINE_XML: ProcedureDef<string, Dom> = { name: 'DOMAIN_DEFINE_XML', number: 11, args: str, ret: dom };
const LOOKUP_BY_NAME: ProcedureDef<string, Dom> = { name: 'DOMAIN_LOOKUP_BY_NAME', number: 23, args: str, ret: dom };

const domainXml = (name: string, uuid: string) =>
  `<domain type='test'><name>${name}</name><uuid>${uuid}</uuid><memory>1024</memory><os><type>hvm</type></os></domain>`;
const uuidFor = (i: number) => `8f1c2f7a-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const uuidHex = (b: Buffer) => b.toString('hex');

const fixture = usePrivateLibvirtd();
const opened: RpcConnection[] = [];
async function open(uri: string, options: Parameters<typeof openConnection>[1] = {}): Promise<RpcConnection> {
  const conn = await openConnection(uri, options);
  opened.push(conn);
  return conn;
}
afterAll(async () => {
  await Promise.all(opened.map((c) => closeConnection(c)));
});

describe('openConnection over unix', () => {
  it('opens the test driver and makes real calls', async () => {
    const conn = await open(fixture.daemon.testUri);
    expect(await conn.call(GET_HOSTNAME, undefined)).toBe(os.hostname());
    // What the daemon opened is the URI without transport and socket, as libvirt's own client sends it.
    expect(await conn.call(GET_URI, undefined)).toBe('test:///default');
    expect((await conn.call(LOOKUP_BY_NAME, 'test')).name).toBe('test');
  });

  it('turns a daemon error into a LibvirtError', async () => {
    const conn = await open(fixture.daemon.testUri);
    const err = await conn.call(LOOKUP_BY_NAME, 'no-such-domain').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtError);
    expect((err as LibvirtError).code).toBe(VIR_ERR_NO_DOMAIN);
    expect((err as LibvirtError).procedure).toBe('DOMAIN_LOOKUP_BY_NAME');
    expect((err as Error).message).toMatch(/^libvirt error 42 \(VIR_ERR_NO_DOMAIN\): Domain not found/);
    expect(isNotFound(err)).toBe(true);
  });

  it('fails clearly for a driver the daemon does not have', async () => {
    const uri = `nosuchdriver+unix:///x?socket=${fixture.daemon.socketPath}`;
    await expect(openConnection(uri)).rejects.toBeInstanceOf(LibvirtError);
  });

  it('fails clearly when nothing listens on the socket', async () => {
    await expect(openConnection('test+unix:///default?socket=/nonexistent/libvirt-sock')).rejects.toThrow(
      /cannot connect to unix socket \/nonexistent\/libvirt-sock/,
    );
  });

  it('negotiates keepalive support', async () => {
    const conn = await open(fixture.daemon.testUri);
    expect((await conn.call(CONNECT_SUPPORTS_FEATURE, { feature: 10 })).supported).toBe(1);
  });
});

describe('read-only connections', () => {
  const bogusXml = '<domain><this-is-not-a-valid-domain/></domain>';

  it('a read-only connection on the read-write socket is refused mutations, a read-write one is not', async () => {
    const ro = await open(fixture.daemon.testUri, { readOnly: true });
    const rw = await open(fixture.daemon.testUri);
    expect((await ro.call(LOOKUP_BY_NAME, 'test')).name).toBe('test');
    const denied = await ro.call(DEFINE_XML, bogusXml).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(LibvirtError);
    expect((denied as LibvirtError).code).toBe(VIR_ERR_OPERATION_DENIED);
    // Control: the same call on a read-write connection gets past the permission check to the XML parser.
    const parsed = await rw.call(DEFINE_XML, bogusXml).catch((e: unknown) => e);
    expect(parsed).toBeInstanceOf(LibvirtError);
    expect((parsed as LibvirtError).code).not.toBe(VIR_ERR_OPERATION_DENIED);
  });

  it('the daemon read-only socket works with the read-only flag', async () => {
    const ro = await open(`test+unix:///default?socket=${fixture.daemon.readOnlySocketPath}`, { readOnly: true });
    expect((await ro.call(LOOKUP_BY_NAME, 'test')).name).toBe('test');
    const denied = await ro.call(DEFINE_XML, domainXml('ro-attempt', uuidFor(99999))).catch((e: unknown) => e);
    expect((denied as LibvirtError).code).toBe(VIR_ERR_OPERATION_DENIED);
  });
});

describe('multiplexing', () => {
  it('200 concurrent calls on one connection each get their own reply', async () => {
    const conn = await open(fixture.daemon.testUri);
    const n = 200;
    const defined = await Promise.all(Array.from({ length: n }, (_, i) => conn.call(DEFINE_XML, domainXml(`vk-mux-${i}`, uuidFor(i)))));
    defined.forEach((d, i) => {
      expect(d.name).toBe(`vk-mux-${i}`);
      expect(uuidHex(d.uuid)).toBe(uuidFor(i).replace(/-/g, ''));
    });
    // Interleave lookups that succeed with ones that fail, so replies and errors mix on the wire.
    const lookups = await Promise.allSettled(
      Array.from({ length: n }, (_, i) => conn.call(LOOKUP_BY_NAME, i % 5 === 0 ? `vk-missing-${i}` : `vk-mux-${i}`)),
    );
    lookups.forEach((result, i) => {
      if (i % 5 === 0) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toMatchObject({ code: VIR_ERR_NO_DOMAIN });
      } else {
        expect(result.status).toBe('fulfilled');
        const d = (result as PromiseFulfilledResult<Dom>).value;
        expect(d.name).toBe(`vk-mux-${i}`);
        expect(uuidHex(d.uuid)).toBe(uuidFor(i).replace(/-/g, ''));
      }
    });
    expect(conn.pendingCalls).toBe(0);
  });
});

describe('other transports against the same daemon', () => {
  it('tcp: through a local TCP forwarder to the daemon socket', async () => {
    const server = net.createServer((client) => {
      const upstream = net.connect(fixture.daemon.socketPath);
      client.pipe(upstream).pipe(client);
      const kill = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', kill);
      upstream.on('error', kill);
      client.on('close', kill);
      upstream.on('close', kill);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const conn = await openConnection(`test+tcp://127.0.0.1:${port}/default`);
      try {
        expect(await conn.call(GET_URI, undefined)).toBe('test:///default');
      } finally {
        await closeConnection(conn);
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('ssh: through a stand-in ssh that runs the remote command locally (netcat on the socket)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-fake-ssh-'));
    const fakeSsh = path.join(dir, 'ssh');
    const argsLog = path.join(dir, 'args');
    // Records its arguments, then does what sshd would: hand the last one to a shell.
    await writeFile(fakeSsh, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsLog}'\nfor last; do :; done\nexec sh -c "$last"\n`);
    await chmod(fakeSsh, 0o755);
    try {
      const conn = await openConnection(`test+ssh://admin@somehost:2200/default?socket=${fixture.daemon.socketPath}`, {
        sshCommand: fakeSsh,
      });
      try {
        expect(await conn.call(GET_URI, undefined)).toBe('test:///default');
      } finally {
        await closeConnection(conn);
      }
      const { readFile } = await import('node:fs/promises');
      const args = (await readFile(argsLog, 'utf8')).split('\n');
      expect(args).toEqual(expect.arrayContaining(['-p', '2200', '-l', 'admin', 'somehost']));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('daemon going away', () => {
  it('rejects pending calls and emits disconnected when the daemon dies', async () => {
    const daemon = await startPrivateLibvirtd();
    let stopped = false;
    try {
      const conn = await openConnection(daemon.testUri, { keepaliveIntervalMs: 0 });
      expect(await conn.call(GET_URI, undefined)).toBe('test:///default');
      const events: string[] = [];
      conn.onDisconnected((info) => events.push(info.reason));
      // Freeze the daemon so the calls are certainly in flight when it dies.
      process.kill(daemon.pid, 'SIGSTOP');
      const pending = Array.from({ length: 5 }, () => conn.call(GET_HOSTNAME, undefined).catch((e: unknown) => e));
      await new Promise((r) => setTimeout(r, 100));
      expect(conn.pendingCalls).toBe(5);
      process.kill(daemon.pid, 'SIGKILL');
      const info = await conn.disconnected;
      // A killed process with unread requests in its socket resets the connection (ECONNRESET).
      expect(['closed-by-peer', 'socket-error']).toContain(info.reason);
      for (const result of await Promise.all(pending)) {
        expect(result).toBeInstanceOf(ConnectionClosedError);
      }
      expect(events).toEqual([info.reason]);
      await expect(conn.call(GET_URI, undefined)).rejects.toBeInstanceOf(ConnectionClosedError);
      await daemon.stop();
      stopped = true;
      await expect(openConnection(daemon.testUri)).rejects.toThrow(/cannot connect/);
    } finally {
      if (!stopped) await daemon.stop();
    }
  });
});

describe('keepalive with the daemon (keepalive_interval=5, keepalive_count=5)', () => {
  it('answering the daemon pings keeps an idle connection alive; ignoring them gets it dropped', async () => {
    // Our own pings off on both, so only our PONGs (or their absence) decide.
    const answering = await open(fixture.daemon.testUri, { keepaliveIntervalMs: 0 });
    const silent = await open(fixture.daemon.testUri, { keepaliveIntervalMs: 0, answerPings: false });
    const started = Date.now();
    const silentEnd = await silent.disconnected;
    const droppedAfterMs = Date.now() - started;
    expect(silentEnd.reason).toBe('closed-by-peer');
    // 5 pings 5 s apart go unanswered before the daemon gives up.
    expect(droppedAfterMs).toBeGreaterThan(20_000);
    // Give the answering connection a margin past the point where the silent one died.
    await new Promise((r) => setTimeout(r, 3000));
    expect(answering.closed).toBe(false);
    expect(await answering.call(GET_URI, undefined)).toBe('test:///default');
  }, 70_000);
});
