// `virtkeeper plan` against peers that misbehave after a correct handshake: each run ends
// within the call timeout with an error that says what happened. A hand-written fake is the only
// way to get such a peer; everything else about the run (CLI, client, timers) is real.
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameDecoder, MessageType, encodePacket, type Packet } from '../../../src/libvirt/frame.js';
import { KEEPALIVE_PROGRAM, KEEPALIVE_PROC_PING, KEEPALIVE_PROC_PONG } from '../../../src/libvirt/connection.js';
import {
  REMOTE_PROC_AUTH_LIST,
  REMOTE_PROC_CONNECT_OPEN,
  REMOTE_PROC_CONNECT_SUPPORTS_FEATURE,
} from '../../../src/libvirt/generated/remote-procedures.js';
import { XdrWriter } from '../../../src/libvirt/xdr.js';
import { SANDBOX_EXAMPLES, virtkeeper } from '../../support/transport-matrix.js';

type Mode = 'silent' | 'wrong-serial' | 'truncated' | 'huge-length';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function hostilePeer(mode: Mode): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-hostile-'));
  const sock = path.join(dir, 'sock');
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    const decoder = new FrameDecoder();
    const reply = (p: Packet, body: Buffer) => s.write(encodePacket({ ...p, type: MessageType.REPLY, status: 0 }, body));
    s.on('data', (chunk: Buffer) => {
      for (const p of decoder.push(chunk)) {
        if (p.program === KEEPALIVE_PROGRAM) {
          if (p.procedure === KEEPALIVE_PROC_PING) s.write(encodePacket({ ...p, procedure: KEEPALIVE_PROC_PONG }));
          continue;
        }
        // A correct handshake, so the client gets as far as plan's first real call.
        if (p.procedure === REMOTE_PROC_AUTH_LIST) reply(p, new XdrWriter().uint(1).int(0).toBuffer());
        else if (p.procedure === REMOTE_PROC_CONNECT_OPEN) reply(p, Buffer.alloc(0));
        else if (p.procedure === REMOTE_PROC_CONNECT_SUPPORTS_FEATURE) reply(p, new XdrWriter().int(1).toBuffer());
        else if (mode === 'wrong-serial') s.write(encodePacket({ ...p, serial: p.serial + 77, type: MessageType.REPLY, status: 0 }));
        else if (mode === 'truncated')
          s.write(encodePacket({ ...p, type: MessageType.REPLY, status: 0 }, Buffer.alloc(64)).subarray(0, 40));
        else if (mode === 'huge-length') s.write(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
        // silent: never answers, but keeps answering keepalive.
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });
  return `test+unix:///default?socket=${sock}`;
}

describe('virtkeeper plan against a hostile peer (--call-timeout 2)', () => {
  const cases: [Mode, RegExp][] = [
    ['silent', /no answer to [A-Z_]+ .*within 2000 ms/],
    ['truncated', /no answer to [A-Z_]+ .*within 2000 ms/],
    ['wrong-serial', /no call is waiting for/],
    ['huge-length', /protocol-error|exceeds libvirt's limit/],
  ];
  for (const [mode, message] of cases) {
    it(`${mode}: exits 1 within the deadline, naming what went wrong`, async () => {
      const uri = await hostilePeer(mode);
      const started = Date.now();
      const run = await virtkeeper(['plan', SANDBOX_EXAMPLES, '--connect', uri, '--call-timeout', '2'], {}, 30_000);
      expect(run.code, run.stdout).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(Date.now() - started).toBeLessThan(15_000);
    }, 40_000);
  }
});
