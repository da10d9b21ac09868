import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderChecks } from '../../../src/cli/commands/doctor.js';
import { checkNode, checkStateDir, runChecks } from '../../../src/doctor/checks.js';

describe('virtkeeper doctor checks', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-doctor-'));
  afterAll(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails an old Node.js with the fix', () => {
    expect(checkNode('18.19.0')).toMatchObject({ status: 'fail', fix: 'install Node.js 20 or newer' });
    expect(checkNode('20.11.1').status).toBe('ok');
  });

  it('catches a mistyped driver path before anything connects', async () => {
    const results = await runChecks({ uri: 'qemu:///sytem', stateDir: dir, env: {} });
    const uri = results.find((r) => r.name === 'uri');
    expect(uri).toMatchObject({ status: 'fail', fix: 'did you mean qemu:///system?' });
    expect(uri?.detail).toContain("no path '/sytem'");
    expect(results.some((r) => r.name === 'connect' && r.status === 'ok')).toBe(false);
  });

  it('reports an unwritable state directory with the fix', async () => {
    if (process.getuid?.() === 0) {
      // root writes anywhere; a path under a regular file cannot be created by anyone.
      const file = path.join(dir, 'plain-file');
      (await import('node:fs')).writeFileSync(file, '');
      const r = await checkStateDir(path.join(file, 'state'));
      expect(r).toMatchObject({ status: 'fail' });
      expect(r.fix).toContain('--state-dir');
    } else {
      chmodSync(dir, 0o500);
      const r = await checkStateDir(path.join(dir, 'state'));
      expect(r.status).toBe('fail');
    }
    expect((await checkStateDir(path.join(os.tmpdir(), `vk-doctor-ok-${process.pid}`))).status).toBe('ok');
  });

  it('fails on a socket that does not exist, naming it, and exits non-zero in the rendering', async () => {
    const results = await runChecks({ uri: `test+unix:///default?socket=${path.join(dir, 'nope-sock')}`, stateDir: path.join(dir, 's') });
    const socket = results.find((r) => r.name === 'socket');
    expect(socket).toMatchObject({ status: 'fail' });
    expect(socket?.detail).toContain('nope-sock does not exist');
    expect(renderChecks(results)).toMatch(/doctor: 1 problem to fix/);
  });
});
