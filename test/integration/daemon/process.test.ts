// The real CLI process: `node bin/virtkeeper.js run DIR` with VIRTKEEPER_CONNECT, JSON logs on
// stdout, and a graceful exit on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { tempDirs, until, useKeptPrivateLibvirtd, virsh, writeManifest } from './harness.js';

const fx = useKeptPrivateLibvirtd();

const BIN = path.resolve(import.meta.dirname, '../../../bin/virtkeeper.js');

it('runs as a process, logs JSON lines, serves HTTP, and exits 0 on SIGTERM', async () => {
  const dirs = await tempDirs();
  // A network rather than a domain keeps this test about the process, not about a kind.
  await writeManifest(
    dirs.manifests,
    'p.yaml',
    'apiVersion: virtkeeper.io/v1\nkind: Network\nmetadata: {name: proc-net}\nspec:\n  forward: {mode: nat}\n  bridge: virbr77\n  ips: [{address: 192.168.177.1, prefix: 24}]\n',
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, 'run', dirs.manifests, '--listen', '127.0.0.1:0', '--state-dir', dirs.state, '--resync-interval', '1m', '--log-format', 'json'],
    { env: { ...process.env, VIRTKEEPER_CONNECT: fx.daemon.testUri }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  try {
    const lines = () =>
      stdout
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const url = await until(
      () => lines().find((l) => typeof l.url === 'string' && String(l.msg).startsWith('serving'))?.url as string | undefined,
      20_000,
      `HTTP url in logs (stderr: ${stderr})`,
    );
    await until(async () => (await fetch(`${url}/readyz`)).status === 200, 20_000, 'ready');
    expect(await virsh(fx.daemon.testUri, 'net-list', '--name')).toContain('proc-net');
    expect(lines().every((l) => typeof l.level === 'number' && typeof l.time === 'string')).toBe(true);

    child.kill('SIGTERM');
    const { code, signal } = await exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(lines().some((l) => l.msg === 'stopped')).toBe(true);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await dirs.cleanup();
  }
});
