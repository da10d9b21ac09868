import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../../..');

describe('virtkeeper --version', () => {
  it('prints the package version (from the compiled CLI)', () => {
    const { version } = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      expect(execFileSync(process.execPath, [path.join(repo, 'bin/virtkeeper.js'), flag], { encoding: 'utf8' })).toBe(`${version}\n`);
    }
  });
});
