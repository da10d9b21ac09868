// The real binary, as users run it: exit codes and output streams.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(repo, 'bin/virtkeeper.js');
const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: repo });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('virtkeeper validate', () => {
  it('exits 0 for the examples', async () => {
    const r = await cli('validate', 'examples/manifests');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^examples\/manifests: \d+ manifests in \d+ files, all valid\n$/);
    expect(r.code).toBe(0);
  });

  it('exits 1 and prints every error on stderr', async () => {
    const r = await cli('validate', 'test/fixtures/invalid/many-errors-reported-together');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('6 errors in test/fixtures/invalid/many-errors-reported-together');
    expect(lines[2]).toBe('vms/a.yaml:6:11 spec.memory: must be a size like 2GiB (units B, KiB, MiB, GiB, TiB, PiB; a bare number is KiB)');
  });

  it('--json prints {valid, errors, warnings} on stdout', async () => {
    const bad = await cli('validate', '--json', 'test/fixtures/invalid/domain-memory-si-unit');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({
      valid: false,
      errors: [
        {
          file: 'manifest.yaml',
          line: 6,
          column: 11,
          path: 'spec.memory',
          message: 'must be a size like 2GiB (units B, KiB, MiB, GiB, TiB, PiB; a bare number is KiB)',
        },
      ],
      warnings: [],
    });
    const good = await cli('validate', 'examples/manifests', '--json');
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it('exits 1 when the directory does not exist', async () => {
    const r = await cli('validate', 'no/such/dir');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('no/such/dir: no such directory\n');
  });
});

describe('virtkeeper schema', () => {
  it("prints a kind's schema, case-insensitively", async () => {
    const r = await cli('schema', 'storagevolume');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      $id: expect.stringMatching(/storagevolume\.schema\.json$/),
      title: 'virtkeeper StorageVolume',
    });
  });

  it('prints the combined schema without a kind, and fails on an unknown kind', async () => {
    const all = await cli('schema');
    expect(JSON.parse(all.stdout).properties.kind.enum).toContain('NodeDevice');
    const bad = await cli('schema', 'Pod');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^unknown kind "Pod"/);
  });
});

describe('virtkeeper validate on files it may not read', () => {
  // Root reads every file whatever its mode, so the CLI runs as an unprivileged uid then.
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

  it('names the unreadable file and directory in one line each, no stack trace', async () => {
    const { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } = await import('node:fs');
    const os = await import('node:os');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-unreadable-'));
    chmodSync(dir, 0o755);
    copyFileSync(path.join(repo, 'examples/sandbox/network.yaml'), path.join(dir, 'network.yaml'));
    chmodSync(path.join(dir, 'network.yaml'), 0o000);
    mkdirSync(path.join(dir, 'sub'), { mode: 0o000 });
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [bin, 'validate', dir], { ...asUser }, (err, _stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr }),
        );
      });
      expect(r.stderr).toMatch(/^network\.yaml:1:1 cannot be read: permission denied \(fix: make it readable by uid \d+\)$/m);
      expect(r.stderr).toMatch(/^sub\/:1:1 cannot be read: permission denied/m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(1);
    } finally {
      chmodSync(path.join(dir, 'sub'), 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
