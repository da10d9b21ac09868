// VIRTKEEPER_CALL_STATS: the peer benchmark's way to count a whole process's libvirt calls.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const script =
  "import('./src/libvirt/call-stats.ts').then((m) => { m.countCall('DOMAIN_GET_XML_DESC'); m.countCall('DOMAIN_GET_XML_DESC'); m.countCall('CONNECT_OPEN'); })";

describe('VIRTKEEPER_CALL_STATS', () => {
  it('writes the calls counted by procedure when the process exits', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vk-calls-'));
    const file = path.join(dir, 'calls.json');
    execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { env: { ...process.env, VIRTKEEPER_CALL_STATS: file } });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ calls: { CONNECT_OPEN: 1, DOMAIN_GET_XML_DESC: 2 }, total: 3 });
  });
});
