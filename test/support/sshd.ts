// A real sshd (openssh-server) on 127.0.0.1 for the ssh and libssh transport tests: its own config
// and host key, a client key it accepts and another it does not, a known_hosts file naming it,
// and a private libvirtd whose socket the remote side reaches with `nc -U` (socket= given).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startPrivateLibvirtd, type PrivateLibvirtd } from '../../src/sandbox/private-libvirtd.js';
import { freePort } from './transport-matrix.js';

export interface RealSshd {
  readonly dir: string;
  readonly daemon: PrivateLibvirtd;
  readonly port: number;
  /** known_hosts with the server's key for [127.0.0.1]:port. */
  readonly knownHosts: string;
  /** "ssh-ed25519 AAAA…" of the server's host key. */
  readonly hostKeyLine: string;
  /** A key the server accepts (private key file; its .pub is next to it). */
  readonly clientKey: string;
  /** A key the server does not accept. */
  readonly otherKey: string;
}

const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);

/** "ssh-ed25519 AAAA…" of a key made by keygen. */
export async function publicKeyLine(file: string): Promise<string> {
  return (await readFile(`${file}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${port}`);
}

/**
 * Registers hooks that start the sshd and libvirtd for this file and stop them after it; the
 * function returned gives them inside tests.
 */
export function useRealSshd(prefix: string): () => RealSshd {
  let started: RealSshd | undefined;
  let sshd: ChildProcess | undefined;
  let daemon: PrivateLibvirtd | undefined;
  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
    daemon = await startPrivateLibvirtd();
    const hostKey = path.join(dir, 'host_ed25519');
    const clientKey = path.join(dir, 'client_ed25519');
    const otherKey = path.join(dir, 'other_ed25519');
    for (const key of [hostKey, clientKey, otherKey]) keygen(key);
    const authorized = path.join(dir, 'authorized_keys');
    await writeFile(authorized, await readFile(`${clientKey}.pub`));
    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    await writeFile(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `AuthorizedKeysFile ${authorized}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        '',
      ].join('\n'),
    );
    // sshd refuses to start without its privilege-separation directory.
    await mkdir('/run/sshd', { recursive: true });
    sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    sshd.stderr?.on('data', () => {});
    await waitForPort(port);
    const hostKeyLine = await publicKeyLine(hostKey);
    const knownHosts = path.join(dir, 'known_hosts');
    await writeFile(knownHosts, `[127.0.0.1]:${port} ${hostKeyLine}\n`);
    started = { dir, daemon, port, knownHosts, hostKeyLine, clientKey, otherKey };
  }, 60_000);
  afterAll(async () => {
    sshd?.kill('SIGTERM');
    await daemon?.stop();
  });
  return () => {
    if (!started) throw new Error('sshd not started: use it inside a test');
    return started;
  };
}
