// How changes ended, in the state store for `virtkeeper status`: a later success replaces a
// failure, and an outcome the store already holds is not written again.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostIdentity } from '../../../src/reconciler/inventory.js';
import { StateStore } from '../../../src/state/index.js';

const host = hostIdentity('kvm01', 'qemu:///system');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vk-outcomes-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('HostState outcomes', () => {
  it('keeps the last outcome, writes unchanged as succeeded, and never rewrites what it holds', async () => {
    const store = StateStore.open(dir);
    try {
      const state = store.host(host, 'repo');
      state.recordOutcome('Domain/web', 'failed', 'libvirt error 38 (VIR_ERR_SYSTEM_ERROR): boom');
      await state.flush();
      expect(state.outcomes().get('Domain/web')).toMatchObject({
        outcome: 'failed',
        message: 'libvirt error 38 (VIR_ERR_SYSTEM_ERROR): boom',
      });

      state.recordOutcome('Domain/web', 'unchanged');
      await state.flush();
      const first = state.outcomes().get('Domain/web')!;
      expect(first).toMatchObject({ outcome: 'succeeded', message: null });

      await new Promise((r) => setTimeout(r, 5));
      state.recordOutcome('Domain/web', 'succeeded');
      state.recordOutcome('Domain/web', 'unchanged');
      await state.flush();
      expect(state.outcomes().get('Domain/web')?.at).toBe(first.at); // not written again

      // A new process starts from what is stored, not from nothing.
      const again = StateStore.open(dir);
      try {
        const later = again.host(host, 'repo');
        await new Promise((r) => setTimeout(r, 5));
        later.recordOutcome('Domain/web', 'unchanged');
        await later.flush();
        expect(later.outcomes().get('Domain/web')?.at).toBe(first.at);
      } finally {
        again.close();
      }
    } finally {
      store.close();
    }
  });
});
