import { describe, expect, it } from 'vitest';
import { SyncGate } from '../../../src/reconciler/sync-gate.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('SyncGate', () => {
  it('runs shared work side by side', async () => {
    const gate = new SyncGate();
    let running = 0;
    let peak = 0;
    const job = () =>
      gate.shared(async () => {
        peak = Math.max(peak, ++running);
        await tick();
        running--;
      });
    await Promise.all([job(), job(), job()]);
    expect(peak).toBe(3);
  });

  it('runs exclusive work only after shared work in progress, and holds new shared work back', async () => {
    const gate = new SyncGate();
    const log: string[] = [];
    const first = gate.shared(async () => {
      log.push('shared-1 start');
      await tick(10);
      log.push('shared-1 end');
    });
    await tick(1);
    const sync = gate.exclusive(async () => {
      log.push('sync start');
      await tick(10);
      log.push('sync end');
    });
    await tick(1);
    const second = gate.shared(async () => void log.push('shared-2'));
    await Promise.all([first, sync, second]);
    expect(log).toEqual(['shared-1 start', 'shared-1 end', 'sync start', 'sync end', 'shared-2']);
  });

  it('releases the gate when the work throws', async () => {
    const gate = new SyncGate();
    await expect(gate.exclusive(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.shared(async () => 'ran')).resolves.toBe('ran');
  });
});
