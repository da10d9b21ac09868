// ssh's own diagnostics reach the operator instead of "the daemon closed the connection". The
// stand-in prints what OpenSSH prints for each failure and exits 255 as it does (a real sshd
// peer is not in the test matrix yet: docs/libvirt-client.md).
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConnection } from '../../../src/libvirt/connect.js';

async function fakeSsh(stderrLine: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-fakessh-'));
  const file = path.join(dir, 'ssh');
  await writeFile(file, `#!/bin/sh\necho ${JSON.stringify(stderrLine)} >&2\nexit 255\n`);
  await chmod(file, 0o755);
  return file;
}

describe('ssh failures', () => {
  for (const line of [
    'Host key verification failed.',
    'root@127.0.0.1: Permission denied (publickey).',
    'sh: 1: exec: virt-ssh-helper: not found',
  ]) {
    it(`reports "${line}"`, async () => {
      const err = await openConnection('qemu+ssh://root@127.0.0.1:2222/system', { sshCommand: await fakeSsh(line) }).then(
        () => new Error('connected although ssh failed'),
        (e: Error) => e,
      );
      expect(err.name).toBe('TransportError');
      expect(err.message).toBe(`qemu+ssh://root@127.0.0.1:2222/system: ssh to 127.0.0.1 failed: ${line}`);
    });
  }
});
