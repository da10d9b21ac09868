// scripts/host-programs.tsv is the one list of programs we spawn; setup-host.sh installs their
// packages and check-host.sh checks them. This test keeps the list honest: a spawn of a program
// missing from it fails here, not on a user's fresh machine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProgramTable, scanFile, sourceFiles } from './spawn-scan.js';

const repo = path.resolve(import.meta.dirname, '../../..');
const table = readProgramTable(path.join(repo, 'scripts/host-programs.tsv'));
const sites = sourceFiles(repo, ['src', 'test', 'bench', 'scripts']).flatMap((f) => scanFile(f));
const where = (s: { file: string; line: number }) => `${path.relative(repo, s.file)}:${s.line}`;

describe('scripts/host-programs.tsv', () => {
  it('finds the spawn calls the code has (the scanner is not blind)', () => {
    const programs = new Set(sites.flatMap((s) => s.programs));
    for (const known of ['unshare', 'virsh', 'virt-xml-validate', 'git', 'ssh', 'libvirtd', 'qemu-img']) expect(programs).toContain(known);
  });

  it('every spawn call says which program it runs (a literal or a // spawns: comment)', () => {
    const unknown = sites.filter((s) => s.programs.length === 0).map((s) => `${where(s)} runs ${s.argument}`);
    expect(unknown).toEqual([]);
  });

  it('lists every program a spawn call runs, with its Debian package', () => {
    const missing = sites.flatMap((s) => s.programs.filter((p) => p !== 'user-command' && !table.has(p)).map((p) => `${p} (${where(s)})`));
    expect(missing).toEqual([]);
  });

  it('catches a new spawn of an unlisted program', () => {
    const text = "import { spawn as run } from 'node:child_process';\nrun('frobnicate', ['-x']);\nrun(cmd);\n";
    const found = scanFile('/x.ts', text);
    expect(found.map((s) => s.programs)).toEqual([['frobnicate'], []]);
    expect(table.has('frobnicate')).toBe(false);
  });
});

describe('scripts/check-host.sh', () => {
  const script = path.join(repo, 'scripts/check-host.sh');

  it('passes on this machine, where setup-host.sh installed everything', () => {
    const r = spawnSync('bash', [script], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^check-host: all \d+ programs present$/m);
    expect(r.status).toBe(0);
  });

  it('names a missing program, who needs it and the package to install, and exits 1', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-check-host-'));
    const tsv = path.join(dir, 'programs.tsv');
    writeFileSync(tsv, '# program\tpackage\tneeded by\nsh\tdash\tscripts\nvk-no-such-program\tvk-pkg\tthe frobnicator tests\n');
    const r = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, VIRTKEEPER_HOST_PROGRAMS: tsv } });
    rmSync(dir, { recursive: true, force: true });
    expect(r.stdout).toContain('missing: vk-no-such-program — needed by: the frobnicator tests — fix: apt-get install vk-pkg');
    expect(r.stdout).toMatch(/run: bash scripts\/setup-host.sh \(or apt-get install vk-pkg \)/);
    expect(r.status).toBe(1);
  });
});
