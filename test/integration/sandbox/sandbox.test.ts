import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
