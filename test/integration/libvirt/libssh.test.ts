// qemu+libssh / qemu+libssh2 (our ssh2-based client) against a real sshd (openssh-server) on
// 127.0.0.1, set up as ssh.test.ts does: its own config and host key, a client key made here, and
// `nc -U` on the private libvirtd's socket at the remote end (socket= given). Covers host key
// checking (unknown, written to known_hosts, auto-added, mismatched), a refused key, a missing
// remote command and a closed port, each with the one line an operator gets.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { openConnection } from '../../../src/libvirt/connect.js';
import { fingerprint } from '../../../src/libvirt/ssh/known-hosts.js';
import type { PrivateLibvirtd } from '../../../src/sandbox/private-libvirtd.js';
import { expectPlanApplyConverge, freePort } from '../../support/transport-matrix.js';
import { publicKeyLine, useRealSshd } from '../../support/sshd.js';

const sshd = useRealSshd('vk-libssh-');
// The sshd's facts under short names, for the tests below.
let dir: string;
let daemon: PrivateLibvirtd;
let port: number;
let knownHosts: string;
let clientKey: string;
let otherKey: string;
let hostKeyBlob: Buffer;
beforeAll(() => {
  ({ dir, daemon, port, knownHosts, clientKey, otherKey } = sshd());
  hostKeyBlob = Buffer.from(sshd().hostKeyLine.split(' ')[1]!, 'base64');
});

interface UriOpts {
  transport?: 'libssh' | 'libssh2';
  key?: string;
  known?: string;
  extra?: string;
  port?: number;
}

const uri = (o: UriOpts = {}) =>
  `test+${o.transport ?? 'libssh'}://root@127.0.0.1:${o.port ?? port}/default?socket=${daemon.socketPath}` +
  `&keyfile=${o.key ?? clientKey}&known_hosts=${o.known ?? knownHosts}&sshauth=privkey${o.extra ?? ''}`;

const connectError = (u: string): Promise<Error> =>
  LibvirtClient.connect(u).then(
    async (c) => {
      await c.close();
      return new Error('connected although the ssh session should fail');
    },
    (e: Error) => e,
  );

describe('libssh and libssh2 to a real sshd', () => {
  for (const transport of ['libssh', 'libssh2'] as const) {
    it(`${transport}: talks RPC through an exec channel, host key found in known_hosts`, async () => {
      const client = await LibvirtClient.connect(uri({ transport }));
      expect(await client.getUri()).toBe('test:///default');
      await client.close();
    });
  }

  it('plans, applies and converges examples/sandbox over libssh', async () => {
    await expectPlanApplyConverge(uri(), daemon.testUri);
  }, 180_000);

  it('known_hosts_verify=normal (the default) refuses an unknown host, naming its fingerprint and the fix', async () => {
    const empty = path.join(dir, 'empty_known_hosts');
    await writeFile(empty, '');
    const err = await connectError(uri({ known: empty }));
    expect(err.name).toBe('TransportError');
    expect(err.message).toContain(`host key of [127.0.0.1]:${port} is unknown (ssh-ed25519 ${fingerprint(hostKeyBlob)}, not in ${empty})`);
    expect(err.message).toContain(`>> ${empty}`);
    expect(err.message).not.toContain('\n');
  });

  it('known_hosts_verify=auto adds an unknown host, which normal then accepts', async () => {
    const fresh = path.join(dir, 'sub', 'auto_known_hosts');
    const first = await LibvirtClient.connect(uri({ known: fresh, extra: '&known_hosts_verify=auto' }));
    await first.close();
    expect(await readFile(fresh, 'utf8')).toContain(`[127.0.0.1]:${port} ssh-ed25519 ${hostKeyBlob.toString('base64')}`);
    const second = await LibvirtClient.connect(uri({ known: fresh }));
    expect(await second.getUri()).toBe('test:///default');
    await second.close();
  });

  it('refuses a host whose key differs from known_hosts, even with known_hosts_verify=auto', async () => {
    const wrong = path.join(dir, 'wrong_known_hosts');
    await writeFile(wrong, `[127.0.0.1]:${port} ${await publicKeyLine(otherKey)}\n`);
    const err = await connectError(uri({ known: wrong, extra: '&known_hosts_verify=auto' }));
    expect(err.message).toContain(`HOST KEY MISMATCH for [127.0.0.1]:${port}`);
    expect(err.message).toContain(`${wrong} line 1`);
    expect(await readFile(wrong, 'utf8')).not.toContain(hostKeyBlob.toString('base64'));
  });

  it('known_hosts_verify=ignore connects without any known_hosts', async () => {
    const client = await LibvirtClient.connect(uri({ known: path.join(dir, 'none'), extra: '&known_hosts_verify=ignore' }));
    await client.close();
  });

  it('sshauth=agent: the key comes from a running ssh-agent (SSH_AUTH_SOCK)', async () => {
    const sock = path.join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
      execFileSync('ssh-add', ['-q', clientKey], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      process.env.SSH_AUTH_SOCK = sock;
      const client = await LibvirtClient.connect(uri({ key: otherKey }).replace('sshauth=privkey', 'sshauth=agent'));
      expect(await client.getUri()).toBe('test:///default');
      await client.close();
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      agent.kill('SIGTERM');
    }
  });

  it('a key the server does not accept: authentication refused, with what was tried', async () => {
    const err = await connectError(uri({ key: otherKey }));
    expect(err.name).toBe('TransportError');
    expect(err.message).toBe(
      `libssh://root@127.0.0.1:${port}: authentication refused (tried: privkey ${otherKey}; the server accepts: publickey)`,
    );
  });

  it('no usable method: says why each was not tried', async () => {
    const err = await connectError(uri({ extra: '' }).replace('sshauth=privkey', 'sshauth=agent,password') + '&known_hosts_verify=normal');
    expect(err.message).toMatch(
      /authentication refused \(tried: nothing; not tried: agent: SSH_AUTH_SOCK is not set; password: no password for host 127\.0\.0\.1 in auth\.conf/,
    );
  });

  it('a missing remote command is named, with the fix', async () => {
    const err = await connectError(uri({ extra: '&netcat=/nonexistent/nc' }));
    expect(err.name).toBe('TransportError');
    expect(err.message).toContain('libssh to 127.0.0.1 failed: remote command not found (exit 127)');
  });

  it('a server that never speaks SSH: timed out, naming the target', async () => {
    const net = await import('node:net');
    const silent = net.createServer((socket) => socket.on('error', () => {}));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as import('node:net').AddressInfo).port;
    try {
      const err = await openConnection(uri({ port: silentPort }), { connectTimeoutMs: 500 }).then(
        () => new Error('connected to a silent server'),
        (e: Error) => e,
      );
      expect(err.message).toBe(`timed out after 500 ms connecting to libssh://root@127.0.0.1:${silentPort} (no SSH handshake)`);
    } finally {
      silent.close();
    }
  });

  it('a closed port: connection refused', async () => {
    const closed = await freePort();
    const err = await connectError(uri({ port: closed }));
    expect(err.message).toBe(`cannot connect to libssh://root@127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}`);
  });
});
