// Stall verdicts in the state store: written by the daemon, read by plan and apply in other
// processes (a second store opened on the same file stands in for them).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostIdentity } from '../../../src/reconciler/inventory.js';
import { StateStore } from '../../../src/state/index.js';

const host = hostIdentity('kvm01', 'qemu:///system');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vk-stalls-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stall = (digest: string, retryAt = new Date('2026-12-02T12:00:00Z')) => ({
  manifestDigest: digest,
  message: 'libvirt does not keep spec.xml',
  retryAt,
});

describe('StallBook', () => {
  it('keeps a verdict for other processes, with its first date while the manifest stays the same', async () => {
    const daemon = StateStore.open(dir);
    const reader = StateStore.open(dir);
    try {
      const book = daemon.host(host, 'repo-a').stalls;
      book.mark('Domain/web', stall('d1'));
      await daemon.host(host, 'repo-a').flush();
      const first = reader.host(host, 'repo-b').stalls.all().get('Domain/web');
      expect(first).toMatchObject({ manifestDigest: 'd1', message: 'libvirt does not keep spec.xml', retryAt: '2026-12-02T12:00:00.000Z' });

      await new Promise((r) => setTimeout(r, 5));
      book.mark('Domain/web', stall('d1', new Date('2026-12-02T13:00:00Z')));
      daemon.commitPending();
      const again = reader.host(host, 'repo-b').stalls.all().get('Domain/web');
      expect(again).toMatchObject({ since: first!.since, retryAt: '2026-12-02T13:00:00.000Z' });

      book.mark('Domain/web', stall('d2'));
      daemon.commitPending();
      expect(reader.host(host, 'repo-b').stalls.all().get('Domain/web')?.since).not.toBe(first!.since);

      book.clear('Domain/web');
      daemon.commitPending();
      expect(reader.host(host, 'repo-b').stalls.all().size).toBe(0);
    } finally {
      daemon.close();
      reader.close();
    }
  });

  it("lets a daemon starting afresh clear its own verdicts and no other owner's", () => {
    const store = StateStore.open(dir);
    try {
      store.host(host, 'repo-a').stalls.mark('Domain/a', stall('x'));
      store.host(host, 'repo-b').stalls.mark('Domain/b', stall('y'));
      store.commitPending();
      store.host(host, 'repo-a').stalls.clearOwn();
      expect([...store.host(host, 'repo-a').stalls.all().keys()]).toEqual(['Domain/b']);
    } finally {
      store.close();
    }
  });
});
