// qemu+ssh against a real sshd (openssh-server) on 127.0.0.1: its own config, host key and a
// client key made here; the remote side reaches the private libvirtd's socket with netcat
// (socket= given, so `nc -U`). Also the failures ssh itself reports, ssh's command= (the ssh
// binary to run) and the ext transport (libvirt runs a program and speaks RPC on its stdio).
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import type { PrivateLibvirtd } from '../../../src/sandbox/private-libvirtd.js';
import { expectPlanApplyConverge } from '../../support/transport-matrix.js';
import { useRealSshd } from '../../support/sshd.js';

const sshd = useRealSshd('vk-sshd-');
// The sshd's facts under short names, for the tests below.
let dir: string;
let daemon: PrivateLibvirtd;
let port: number;
let knownHosts: string;
let clientKey: string;
let otherKey: string;
beforeAll(() => {
  ({ dir, daemon, port, knownHosts, clientKey, otherKey } = sshd());
});

const uri = (opts: { key?: string; known?: string } = {}) =>
  `test+ssh://root@127.0.0.1:${port}/default?socket=${daemon.socketPath}&keyfile=${opts.key ?? clientKey}` +
  `&known_hosts=${opts.known ?? knownHosts}&no_tty=1`;

const connectError = (u: string): Promise<Error> =>
  LibvirtClient.connect(u).then(
    async (c) => {
      await c.close();
      return new Error('connected although ssh should fail');
    },
    (e: Error) => e,
  );

describe('ssh to a real sshd', () => {
  it('talks RPC through the tunnel', async () => {
    const client = await LibvirtClient.connect(uri());
    expect(await client.getUri()).toBe('test:///default');
    await client.close();
  });

  it('plans, applies and converges examples/sandbox over ssh', async () => {
    await expectPlanApplyConverge(uri(), daemon.testUri);
  }, 180_000);

  it("reports ssh's own words for an unknown host key", async () => {
    const empty = path.join(dir, 'empty_known_hosts');
    await writeFile(empty, '');
    const err = await connectError(uri({ known: empty }));
    expect(err.name).toBe('TransportError');
    expect(err.message).toMatch(/ssh to 127\.0\.0\.1 failed: Host key verification failed\./);
  });

  it('reports a key the server does not accept', async () => {
    const err = await connectError(uri({ key: otherKey }));
    expect(err.message).toMatch(/ssh to 127\.0\.0\.1 failed: .*Permission denied \(publickey\)/);
  });
});

/** An executable shell script in the test dir. */
async function script(name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

describe('command tunnels', () => {
  it('ssh: command= names the ssh program to run', async () => {
    const log = path.join(dir, 'wrapper.log');
    const wrapper = await script('my-ssh', `echo "$@" > ${log}\nexec ssh "$@"`);
    const client = await LibvirtClient.connect(`${uri()}&command=${wrapper}`);
    expect(await client.getUri()).toBe('test:///default');
    await client.close();
    expect(await readFile(log, 'utf8')).toContain('-- 127.0.0.1');
  });

  it('ext: plans, applies and converges examples/sandbox through a program that proxies to the socket', async () => {
    const proxy = await script('proxy', `exec nc -U ${daemon.socketPath}`);
    await expectPlanApplyConverge(`test+ext:///default?command=${proxy}`, daemon.testUri);
  }, 180_000);

  it('ext: a program that fails is named, with what it said', async () => {
    const broken = await script('broken-proxy', 'echo "proxy: no route to kvm1" >&2\nexit 3');
    const err = await connectError(`test+ext:///default?command=${broken}`);
    expect(err.name).toBe('TransportError');
    expect(err.message).toContain(`command ${broken} failed: proxy: no route to kvm1`);
  });
});
