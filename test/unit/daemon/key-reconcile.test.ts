import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { AppliedRevision } from '../../../src/reconciler/applied-revision.js';
import { ObjectBookkeeping } from '../../../src/reconciler/daemon-bookkeeping.js';
import { EchoFilter } from '../../../src/reconciler/daemon-echoes.js';
import type { HostSession, OwnershipStore } from '../../../src/reconciler/daemon-engine.js';
import { KeyReconciler } from '../../../src/reconciler/daemon-key-reconcile.js';
import { createDaemonMetrics } from '../../../src/reconciler/daemon-metrics.js';
import { fingerprints } from '../../../src/reconciler/daemon-keys.js';
import { SyncGate } from '../../../src/reconciler/sync-gate.js';
import type { DesiredState, IdentityKey } from '../../../src/manifests/types.js';
import type { LiveResource } from '../../../src/resources/types.js';
import { FakeEngine } from './fake-engine.js';
import { desiredOf, domain, network } from './helpers.js';

const logger = createLogger({ level: 'silent' });

/** A KeyReconciler over a fake host, connected, with `desired` in force and the host read once. */
async function setup(desired: DesiredState, opts: { connected?: boolean } = {}) {
  const engine = new FakeEngine();
  const session: HostSession = await engine.connect();
  const inventory: OwnershipStore = await engine.openInventory();
  const enqueued: IdentityKey[] = [];
  const woken: IdentityKey[] = [];
  const prints = fingerprints(desired);
  const metrics = createMetrics();
  const book = new ObjectBookkeeping({
    metrics,
    daemonMetrics: createDaemonMetrics(metrics),
    fingerprint: (key) => prints.get(key),
    inventory: () => inventory,
    wake: (key) => void woken.push(key),
    enqueue: (key) => void enqueued.push(key),
  });
  const connection = {
    session: opts.connected === false ? null : session,
    inventory: opts.connected === false ? null : inventory,
    live: new Map<IdentityKey, LiveResource>(),
    lost: () => false,
  };
  const keys = new KeyReconciler({
    engine,
    logger,
    source: { desired },
    connection,
    book,
    echoes: new EchoFilter(),
    gate: new SyncGate(),
    applied: new AppliedRevision(),
    prune: false,
    reconnectWaitMs: 1000,
    dependencyWaitMs: 30_000,
    fullSync: () => undefined,
  });
  return { engine, keys, book, enqueued, woken };
}

describe('KeyReconciler results', () => {
  it('done: the change ran (or nothing was to do)', async () => {
    const { keys, book, engine } = await setup(desiredOf(network('lan')));
    expect(await keys.reconcile('Network/lan')).toEqual({ type: 'done' });
    expect(engine.executed).toEqual([{ key: 'Network/lan', action: 'create' }]);
    expect(book.status.get('Network', 'lan')?.state).toBe('synced');
    expect(await keys.reconcile('Network/lan')).toEqual({ type: 'done' });
  });

  it('requeueAfter: waiting for a dependency is no failure, and the dependency is enqueued', async () => {
    const { keys, book, engine, enqueued, woken } = await setup(desiredOf(network('lan'), domain('web')));
    engine.deps['Domain/web'] = ['Network/lan'];
    expect(await keys.reconcile('Domain/web')).toEqual({ type: 'requeueAfter', ms: 30_000, reason: 'waiting for Network/lan' });
    expect(enqueued).toEqual(['Network/lan']);
    expect(book.status.get('Domain', 'web')?.state).toBe('out-of-sync');
    expect(engine.executed).toEqual([]);
    // The dependency converging wakes the waiting key at once.
    expect(await keys.reconcile('Network/lan')).toEqual({ type: 'done' });
    expect(woken).toEqual(['Domain/web']);
  });

  it('requeueAfter: not connected to libvirt is no failure either', async () => {
    const { keys } = await setup(desiredOf(network('lan')), { connected: false });
    expect(await keys.reconcile('Network/lan')).toEqual({ type: 'requeueAfter', ms: 1000, reason: 'not connected to libvirt' });
  });

  it('retry: a failed change is retried, and shown failed', async () => {
    const { keys, book, engine } = await setup(desiredOf(network('lan')));
    engine.failKeys.add('Network/lan');
    expect(await keys.reconcile('Network/lan')).toEqual({ type: 'retry', error: new Error('boom') });
    expect(book.status.get('Network', 'lan')).toMatchObject({ state: 'failed', lastError: { message: 'boom' } });
  });

  it('stalled: a refused change is not retried, and shown refused', async () => {
    const { keys, book, engine } = await setup(desiredOf(network('lan')));
    engine.refuseKeys.set('Network/lan', 'shrinking is not supported');
    expect(await keys.reconcile('Network/lan')).toEqual({ type: 'stalled', reason: 'shrinking is not supported' });
    expect(book.status.get('Network', 'lan')).toMatchObject({
      state: 'refused',
      lastError: { code: 'refused', message: 'shrinking is not supported' },
    });
    expect(book.status.counts()).toMatchObject({ refused: 1, failed: 0 });
  });

  it('stalled: a change libvirt does not keep is held back by the convergence guard', async () => {
    const { keys, book, engine } = await setup(desiredOf(network('lan')));
    engine.dropsChanges.add('Network/lan');
    expect(await keys.reconcile('Network/lan')).toEqual({ type: 'done' }); // created, yet read back different
    expect(await keys.reconcile('Network/lan')).toEqual({ type: 'done' }); // changed once more: still different
    const result = await keys.reconcile('Network/lan');
    expect(result.type).toBe('stalled');
    expect(book.status.get('Network', 'lan')?.state).toBe('stalled');
  });
});
