// The completion scripts, generated from the real command tree and run by the real shells.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../../..');
const script = (shell: string) =>
  execFileSync(process.execPath, [path.join(repo, 'bin/virtkeeper.js'), 'completion', shell], { encoding: 'utf8' });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vk-completion-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What bash completes for the words typed so far (the last one is being completed). */
function bashComplete(...typed: string[]): string[] {
  const file = path.join(tmp, 'virtkeeper.bash');
  writeFileSync(file, script('bash'));
  const words = ['virtkeeper', ...typed].map((w) => `'${w}'`).join(' ');
  const r = spawnSync(
    'bash',
    ['-c', `source '${file}'; COMP_WORDS=(${words}); COMP_CWORD=${typed.length}; _virtkeeper; printf '%s\\n' "\${COMPREPLY[@]}"`],
    {
      encoding: 'utf8',
      cwd: tmp,
    },
  );
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('virtkeeper completion', () => {
  it('bash completes commands, their options, kinds and directories', () => {
    expect(bashComplete('pl')).toEqual(['plan']);
    expect(bashComplete('do')).toEqual(['doctor']);
    expect(bashComplete('plan', '--det')).toEqual(['--detailed-exitcode']);
    expect(bashComplete('apply', '--pr')).toEqual(['--prune', '--prune-max']);
    expect(bashComplete('schema', 'Stor')).toEqual(['StoragePool', 'StorageVolume']);
    mkdirSync(path.join(tmp, 'manifests'), { recursive: true });
    expect(bashComplete('validate', 'mani')).toEqual(['manifests']);
  });

  it('zsh and fish accept their scripts and name every command', () => {
    for (const shell of ['zsh', 'fish']) {
      const text = script(shell);
      for (const command of ['validate', 'plan', 'apply', 'run', 'export', 'doctor']) expect(text).toContain(command);
      const file = path.join(tmp, `virtkeeper.${shell}`);
      writeFileSync(file, text);
      // spawns: zsh, fish
      const r = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      expect(r.error, `${shell} missing: bash scripts/setup-host.sh`).toBeUndefined();
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('fish completes a subcommand option', () => {
    const file = path.join(tmp, 'virtkeeper.fish');
    writeFileSync(file, script('fish'));
    const r = spawnSync('fish', ['--no-config', '-c', `source '${file}'; complete -C 'virtkeeper plan --detailed'`], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^--detailed-exitcode\t/m);
  });

  it('refuses an unknown shell', () => {
    const r = spawnSync(process.execPath, [path.join(repo, 'bin/virtkeeper.js'), 'completion', 'tcsh'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/'tcsh' is invalid for argument 'shell'\. Allowed choices are bash, zsh, fish/);
  });
});
