import { describe, expect, it } from 'vitest';
import { LibvirtError } from '../../../src/libvirt/errors.js';
import { DEFAULT_CONCURRENCY, executePlan, type ExecutorEvent } from '../../../src/reconciler/executor.js';
import { emptyInventory, recordObject, type InventoryEntry } from '../../../src/reconciler/inventory.js';
import { buildPlan } from '../../../src/reconciler/planner.js';
import type { AnyManifest, IdentityKey } from '../../../src/manifests/types.js';
import type { LiveResource } from '../../../src/resources/types.js';
import { desiredOf, fakeClient, fakeRegistry, liveOf, manifest, type ExecuteHook } from './planner-fakes.js';

const host = { key: 'h_test_default', hostname: 'h', uri: 'test:///default' };

/** A recorder that only keeps memory (the state store's HostState writes SQLite). */
class MemoryOwnership {
  inv = emptyInventory(host);
  has(key: IdentityKey): boolean {
    return key in this.inv.objects;
  }
  record(key: IdentityKey, entry: Omit<InventoryEntry, 'recordedAt'>): void {
    this.inv = recordObject(this.inv, key, entry);
  }
  forget(key: IdentityKey): void {
    const objects = { ...this.inv.objects };
    delete objects[key];
    this.inv = { ...this.inv, objects };
  }
}

async function run(
  manifests: AnyManifest[],
  hook: ExecuteHook,
  opts: { concurrency?: number; live?: Map<IdentityKey, LiveResource>; ownership?: MemoryOwnership } = {},
) {
  const registry = fakeRegistry({ current: hook });
  const desired = desiredOf(...manifests);
  const plan = buildPlan({
    desired,
    live: opts.live ?? new Map(),
    inventory: opts.ownership?.inv ?? emptyInventory(host),
    registry,
    options: { prune: true },
  });
  const events: ExecutorEvent[] = [];
  const report = await executePlan(plan, {
    registry,
    client: fakeClient,
    desired,
    concurrency: opts.concurrency,
    ownership: opts.ownership,
    onEvent: (e) => events.push(e),
  });
  return { plan, report, events };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('executePlan', () => {
  it('runs a change only after everything it waits for', async () => {
    const finished: string[] = [];
    const { report } = await run(
      [
        manifest('Domain', 'web', { refs: ['StorageVolume/images/root', 'Network/lan'] }),
        manifest('StorageVolume', 'root', { pool: 'images', refs: ['StoragePool/images'] }),
        manifest('StoragePool', 'images'),
        manifest('Network', 'lan'),
      ],
      async (_step, change) => {
        await sleep(change.kind === 'Network' ? 30 : 1);
        finished.push(change.key);
      },
    );
    expect(report.ok).toBe(true);
    expect(finished.indexOf('Domain/web')).toBe(3);
    expect(finished.indexOf('StorageVolume/images/root')).toBeGreaterThan(finished.indexOf('StoragePool/images'));
    expect(report.counts).toMatchObject({ succeeded: 4, failed: 0 });
  });

  it('skips dependents of a failed change and finishes independent ones', async () => {
    const err = new LibvirtError({ code: 38, domain: 18, level: 2, message: "cannot create directory '/nope': Permission denied" });
    const { report } = await run(
      [
        manifest('StoragePool', 'images'),
        manifest('StorageVolume', 'root', { pool: 'images', refs: ['StoragePool/images'] }),
        manifest('Domain', 'web', { refs: ['StorageVolume/images/root'] }),
        manifest('Network', 'lan'),
        manifest('Domain', 'db', { refs: ['Network/lan'] }),
      ],
      async (_step, change) => {
        if (change.key === 'StoragePool/images') throw err;
      },
    );
    const byKey = Object.fromEntries(report.results.map((r) => [r.key, r]));
    expect(byKey['StoragePool/images']).toMatchObject({
      outcome: 'failed',
      error: {
        code: 38,
        codeName: 'VIR_ERR_SYSTEM_ERROR',
        message: "cannot create directory '/nope': Permission denied",
        step: 'define StoragePool/images',
      },
    });
    expect(byKey['StorageVolume/images/root']).toMatchObject({
      outcome: 'skipped',
      error: { message: 'dependency StoragePool/images failed' },
    });
    expect(byKey['Domain/web']).toMatchObject({
      outcome: 'skipped',
      error: { message: 'dependency StorageVolume/images/root was skipped' },
    });
    expect(byKey['Network/lan'].outcome).toBe('succeeded');
    expect(byKey['Domain/db'].outcome).toBe('succeeded');
    expect(report.ok).toBe(false);
    expect(report.counts).toMatchObject({ succeeded: 2, failed: 1, skipped: 2 });
  });

  it('does not skip a no-op whose dependency failed', async () => {
    const live = liveOf(manifest('Domain', 'web', { refs: ['Network/lan'], value: 1 }));
    const { report } = await run(
      [manifest('Network', 'lan'), manifest('Domain', 'web', { refs: ['Network/lan'], value: 1 })],
      async () => {
        throw new Error('nope');
      },
      { live },
    );
    expect(report.results.map((r) => [r.key, r.outcome])).toEqual([
      ['Network/lan', 'failed'],
      ['Domain/web', 'unchanged'],
    ]);
  });

  it('does not run refused changes and skips their dependents', async () => {
    const ran: string[] = [];
    const { report } = await run(
      [manifest('Network', 'lan', { refuse: 'shrinking is not supported' }), manifest('Domain', 'web', { refs: ['Network/lan'] })],
      async (_s, change) => void ran.push(change.key),
    );
    expect(ran).toEqual([]);
    expect(report.results.map((r) => [r.key, r.outcome, r.error?.message])).toEqual([
      ['Network/lan', 'refused', 'shrinking is not supported'],
      ['Domain/web', 'skipped', 'dependency Network/lan was refused'],
    ]);
  });

  it('never runs more changes at once than the concurrency bound', async () => {
    let running = 0;
    let peak = 0;
    const manifests = Array.from({ length: 12 }, (_, i) => manifest('Network', `n${i}`));
    const { report } = await run(
      manifests,
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(5);
        running -= 1;
      },
      { concurrency: 3 },
    );
    expect(report.ok).toBe(true);
    expect(peak).toBe(3);
  });

  it('defaults to DEFAULT_CONCURRENCY at a time', async () => {
    let running = 0;
    let peak = 0;
    await run(
      Array.from({ length: DEFAULT_CONCURRENCY + 6 }, (_, i) => manifest('Network', `n${i}`)),
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(5);
        running -= 1;
      },
    );
    expect(peak).toBe(DEFAULT_CONCURRENCY);
  });

  it('records created and adopted objects with their prune annotation, forgets deleted ones', async () => {
    const ownership = new MemoryOwnership();
    ownership.record('Domain/old', { kind: 'Domain', name: 'old', origin: 'created', pruneDisabled: false });
    ownership.record('Network/gone', { kind: 'Network', name: 'gone', origin: 'created', pruneDisabled: false });
    const live = liveOf(manifest('Network', 'existing'), manifest('Domain', 'old'));
    const { report } = await run(
      [manifest('Network', 'existing'), manifest('Domain', 'new', {}, { 'virtkeeper.io/prune': 'disabled' })],
      async () => {},
      { live, ownership },
    );
    expect(report.ok).toBe(true);
    expect(Object.keys(ownership.inv.objects).sort()).toEqual(['Domain/new', 'Network/existing']);
    expect(ownership.inv.objects['Domain/new']).toMatchObject({ origin: 'created', pruneDisabled: true });
    expect(ownership.inv.objects['Network/existing']).toMatchObject({ origin: 'adopted', pruneDisabled: false });
  });

  it('does not record a change that failed', async () => {
    const ownership = new MemoryOwnership();
    await run(
      [manifest('Network', 'lan')],
      async () => {
        throw new Error('no');
      },
      { ownership },
    );
    expect(ownership.inv.objects).toEqual({});
  });

  it('runs the steps of a change in order and reports progress', async () => {
    const { events } = await run([manifest('Network', 'lan')], async () => {});
    expect(events.map((e) => e.type)).toEqual(['start', 'step', 'done']);
  });

  it('finishes at once for an empty plan', async () => {
    const { report } = await run([], async () => {});
    expect(report).toEqual({ results: [], counts: { succeeded: 0, unchanged: 0, failed: 0, refused: 0, skipped: 0 }, ok: true });
  });

  it('refuses a plan with errors', async () => {
    const registry = fakeRegistry();
    const desired = desiredOf(manifest('Domain', 'a', { refs: ['Domain/b'] }), manifest('Domain', 'b', { refs: ['Domain/a'] }));
    const plan = buildPlan({ desired, live: new Map(), inventory: emptyInventory(host), registry, options: { prune: false } });
    await expect(executePlan(plan, { registry, client: fakeClient, desired })).rejects.toThrow(/dependency cycle/);
  });
});
