// Cloud-init seeds in the state store: recorded when a seed volume is written, read by the next
// plan (another process), and gone with the volume's record.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostIdentity } from '../../../src/reconciler/inventory.js';
import { StateStore } from '../../../src/state/index.js';

const host = hostIdentity('kvm01', 'qemu:///system');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vk-seeds-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('seeds in the state store', () => {
  it("keeps a seed's files for another process and forgets them with the volume", async () => {
    const writer = StateStore.open(dir);
    const reader = StateStore.open(dir);
    try {
      const key = 'StorageVolume/seeds/web-1-cidata-0123456789ab.iso';
      const state = writer.host(host, 'repo-a');
      const files = [
        { name: 'user-data', text: '#cloud-config\npackages: [nginx]\n' },
        { name: 'meta-data', text: 'instance-id: i-1\n' },
      ];
      state.record(key, { kind: 'StorageVolume', name: 'web-1-cidata-0123456789ab.iso', origin: 'created', pruneDisabled: false });
      state.recordSeed(key, { domain: 'web-1', sha256: 'ab'.repeat(32), files });
      await state.flush();
      expect(reader.host(host, 'repo-b').seeds.all().get(key)).toEqual({ domain: 'web-1', sha256: 'ab'.repeat(32), files });

      state.forget(key);
      await state.flush();
      expect(reader.host(host, 'repo-b').seeds.all().size).toBe(0);
    } finally {
      writer.close();
      reader.close();
    }
  });
});
