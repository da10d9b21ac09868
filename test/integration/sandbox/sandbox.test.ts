import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { startSandbox } from '../../../src/cli/commands/sandbox.js';
import { startPrivateLibvirtd } from '../../../src/sandbox/private-libvirtd.js';

function virsh(uri: string, ...args: string[]): string {
  return execFileSync('virsh', ['-q', '-c', uri, ...args], { encoding: 'utf8' }).trim();
}

async function domainXmlFile(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-sandbox-'));
  const file = path.join(dir, `${name}.xml`);
  await writeFile(file, `<domain type='test'><name>${name}</name><memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>`);
  return file;
}

describe('private libvirtd', () => {
  it('runs two daemons side by side, each with its own state', async () => {
    const a = await startPrivateLibvirtd();
    const b = await startPrivateLibvirtd();
    try {
      expect(a.socketPath).not.toBe(b.socketPath);
      expect(virsh(a.testUri, 'list', '--all', '--name')).toBe('test');
      expect(virsh(b.testUri, 'net-list', '--all', '--name')).toBe('default');
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(a.isRunning()).toBe(false);
    expect(b.isRunning()).toBe(false);
  });

  it('says how the daemon ended when it dies under a test, and nothing when stopped', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const stopped = await startPrivateLibvirtd();
      await stopped.stop();
      const killed = await startPrivateLibvirtd();
      process.kill(killed.pid, 'SIGKILL');
      await expect
        .poll(() => written.join(''), { timeout: 10_000 })
        .toMatch(/private libvirtd in .* exited unexpectedly \((code|signal) [^)]+\)/);
      expect(written.filter((w) => w.includes('exited unexpectedly'))).toHaveLength(1);
      expect(written.join('')).not.toContain(stopped.dir);
      await killed.stop();
    } finally {
      spy.mockRestore();
    }
  });

  it("forgets the test driver's state when the last connection closes", async () => {
    const daemon = await startPrivateLibvirtd();
    try {
      virsh(daemon.testUri, 'define', await domainXmlFile('forgotten'));
      expect(virsh(daemon.testUri, 'list', '--all', '--name').split('\n')).not.toContain('forgotten');
    } finally {
      await daemon.stop();
    }
  });
});

describe('virtkeeper sandbox', () => {
  it('keeps state between separate connections while it runs', async () => {
    const sandbox = await startSandbox();
    try {
      virsh(sandbox.uri, 'define', await domainXmlFile('kept'));
      expect(virsh(sandbox.uri, 'list', '--all', '--name').split('\n')).toContain('kept');
      expect(virsh(sandbox.uri, 'domstate', 'kept')).toBe('shut off');
    } finally {
      await sandbox.stop();
    }
    expect(sandbox.daemon.isRunning()).toBe(false);
  });
});

describe('virtkeeper sandbox -- COMMAND', () => {
  const cli = path.resolve(import.meta.dirname, '../../../bin/virtkeeper.js');

  it('passes the exit code through and keeps inventories of earlier sandboxes away', () => {
    const run = (cmd: string) => spawnSync('node', [cli, 'sandbox', '--', 'sh', '-c', cmd], { encoding: 'utf8' });
    const env = run('echo "$VIRTKEEPER_CONNECT"; echo "$XDG_STATE_HOME"; echo "$VIRTKEEPER_QEMU_CONNECT"; exit 3');
    expect(env.status).toBe(3);
    const [uri, stateHome, qemuUri] = env.stdout.trim().split('\n');
    expect(qemuUri).toBe(uri.replace('test+unix:///default', 'qemu+unix:///system'));
    expect(env.stderr).toContain(`QEMU driver (TCG) at ${qemuUri}`);
    expect(uri).toMatch(/^test\+unix:\/\/\/default\?socket=(.+)\/libvirt-sock$/);
    expect(stateHome).toBe(path.join(path.dirname(uri.split('socket=')[1]), 'state'));

    // Apply in one sandbox; a second, fresh sandbox must plan everything as new again and not
    // report objects of the first one as gone.
    const examples = path.resolve(import.meta.dirname, '../../../examples/sandbox');
    const first = run(`node ${cli} apply ${examples}`);
    expect(first.status, first.stderr).toBe(0);
    const second = run(`node ${cli} plan ${examples} --no-color`);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('Gone from the host');
    expect(second.stdout).toMatch(/Plan: 6 to create/);
  }, 60_000);
});
