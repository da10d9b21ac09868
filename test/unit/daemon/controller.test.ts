import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { Controller, type ControllerOptions } from '../../../src/reconciler/controller.js';
import { virtkeeperVersion } from '../../../src/version.js';
import { FakeEngine } from './fake-engine.js';
import { desiredOf, domain, manifest, network } from './helpers.js';

const logger = createLogger({ level: 'silent' });
let controllers: Controller[] = [];

afterEach(async () => {
  await Promise.all(controllers.map((c) => c.stop()));
  controllers = [];
});

async function start(engine: FakeEngine, opts: Partial<ControllerOptions> = {}): Promise<Controller> {
  const c = await Controller.start({
    dir: '/m',
    uri: 'test:///default',
    engine,
    logger,
    listen: null,
    settleMs: 0,
    resyncIntervalMs: 0,
    reconnect: { baseMs: 10, maxMs: 50 },
    retry: { baseMs: 20, maxMs: 100, jitter: 0 },
    ...opts,
  });
  controllers.push(c);
  return c;
}

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function metric(c: Controller, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const m = await c.metrics.registry.getSingleMetric(name)?.get();
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => String(x.labels[k]) === val));
  return v?.value;
}

describe('Controller (fake host)', () => {
  it('creates what is missing on the first full sync and becomes ready', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(network('lan'), domain('web')));
    const c = await start(engine);
    await c.whenReady(3000);
    expect([...engine.live.keys()].sort()).toEqual(['Domain/web', 'Network/lan']);
    expect(c.status().counts.synced).toBe(2);
    expect(await metric(c, 'virtkeeper_reconcile_total', { kind: 'Domain', result: 'changed' })).toBe(1);
    expect(await metric(c, 'virtkeeper_libvirt_connection_up')).toBe(1);
    expect(await metric(c, 'virtkeeper_git_revision_info', { revision: 'rev1' })).toBe(1);
  });

  it('a full sync reads the host once and runs one plan; an event re-reads only its object', async () => {
    const engine = new FakeEngine();
    const domains = Array.from({ length: 30 }, (_, i) => domain(`vm-${i}`));
    engine.setTree(desiredOf(network('lan'), ...domains));
    const c = await start(engine);
    await c.whenReady(3000);
    expect(engine.fullReads).toBe(1);
    expect(engine.readsFor).toEqual([]);
    expect(engine.executed).toHaveLength(31);
    engine.executed = [];
    engine.tamper('Domain/vm-7', 'domain', 'vm-7');
    await until(() => engine.executed.length === 1);
    await c.whenIdle();
    expect(engine.executed).toEqual([{ key: 'Domain/vm-7', action: 'update' }]);
    expect(engine.readsFor).toEqual(['Domain/vm-7']);
    expect(engine.fullReads).toBe(1);
  });

  it('does not reconcile again what the full sync itself just changed (its events are echoes)', async () => {
    const engine = new FakeEngine();
    engine.echoEvents = true;
    engine.setTree(desiredOf(network('lan'), domain('a'), domain('b')));
    const c = await start(engine);
    await c.whenReady(3000);
    await c.whenIdle();
    expect(engine.executed).toHaveLength(3);
    expect(engine.readsFor).toEqual([]);
  });

  it('stalls an object libvirt does not keep instead of redefining it at every sync; a manifest change retries it', async () => {
    const engine = new FakeEngine();
    engine.echoEvents = true;
    engine.dropsChanges.add('Domain/web');
    engine.setTree(desiredOf(domain('web')));
    const c = await start(engine);
    await c.whenReady(3000);
    for (let i = 0; i < 4; i++) await c.fullSync('resync');
    await c.whenIdle();
    // The create and one repeat; every later plan found the same fields different again, with nobody else involved.
    expect(engine.executed.filter((e) => e.key === 'Domain/web')).toHaveLength(2);
    const web = () => c.status().objects.find((o) => o.name === 'web');
    expect(web()?.state).toBe('stalled');
    expect(web()?.lastError?.message).toMatch(/^libvirt does not keep/);
    expect(await metric(c, 'virtkeeper_stalled_objects')).toBe(1);

    engine.revision = 'rev2';
    engine.dropsChanges.clear();
    engine.setTree(desiredOf(domain('web', { memory: '2GiB' })));
    await engine.changeSource();
    await until(() => web()?.state === 'synced');
    expect(engine.executed.filter((e) => e.key === 'Domain/web')).toHaveLength(3);
    expect(await metric(c, 'virtkeeper_stalled_objects')).toBe(0);
  });

  it('waits for dependencies before acting on a key', async () => {
    const engine = new FakeEngine();
    engine.deps['Domain/web'] = ['Network/lan'];
    engine.setTree(desiredOf(domain('web'), network('lan')));
    const c = await start(engine, { concurrency: 1 });
    await c.whenReady(3000);
    await until(() => engine.live.has('Domain/web'));
    const order = engine.executed.map((e) => e.key);
    expect(order.indexOf('Network/lan')).toBeLessThan(order.indexOf('Domain/web'));
  });

  it('applies a changed manifest and only enqueues what changed', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(network('lan'), domain('web')));
    const c = await start(engine);
    await c.whenReady(3000);
    engine.executed = [];
    engine.revision = 'rev2';
    engine.setTree(desiredOf(network('lan'), domain('web', { memory: '2GiB' })));
    await engine.changeSource();
    await until(() => engine.executed.length === 1);
    await c.whenIdle();
    expect(engine.executed).toEqual([{ key: 'Domain/web', action: 'update' }]);
    expect(c.status().revision).toBe('rev2');
  });

  it('reports a revision applied in /status once each of its changes was tried, failed ones too', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(network('lan'), domain('web')));
    const c = await start(engine, { retry: { baseMs: 60_000, maxMs: 60_000, jitter: 0 } });
    await c.whenReady(3000);
    expect(c.status().appliedRevision).toBe('rev1');
    expect(c.status().version).toBe(virtkeeperVersion());
    expect(virtkeeperVersion()).toMatch(/^\d+\.\d+\.\d+/);

    engine.revision = 'rev2';
    engine.failKeys.add('Domain/web');
    engine.setTree(desiredOf(network('lan', { autostart: true }), domain('web', { memory: '2GiB' })));
    const reload = engine.changeSource();
    expect(c.status().appliedRevision).toBe('rev1');
    await reload;
    await until(() => c.status().appliedRevision === 'rev2');
    // Applied, and the failure is there for wait-applied to report (its retry is a minute away).
    expect(c.status().objects.find((o) => o.name === 'web')?.state).toBe('failed');
    expect(c.status().objects.find((o) => o.name === 'lan')?.state).toBe('synced');
    // For `virtkeeper status`: every outcome goes to the store, a failure with its message (the
    // store itself skips rewriting what it holds: test/unit/state/outcomes.test.ts).
    expect(engine.outcomes.filter((o) => o.key === 'Domain/web')).toEqual([
      { key: 'Domain/web', outcome: 'succeeded' },
      { key: 'Domain/web', outcome: 'failed', message: 'boom' },
    ]);
    await c.fullSync('resync');
    expect(engine.outcomes.filter((o) => o.key === 'Network/lan').at(-1)).toEqual({ key: 'Network/lan', outcome: 'unchanged' });

    // A reload that changes nothing is applied at once.
    engine.revision = 'rev3';
    await engine.changeSource();
    expect(c.status().appliedRevision).toBe('rev3');
  });

  it('keeps the last valid state when the tree turns invalid, and never deletes', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(network('lan'), domain('web')));
    const c = await start(engine, { prune: true });
    await c.whenReady(3000);
    engine.executed = [];
    engine.setInvalid([{ file: 'web.yaml', line: 3, column: 5, path: 'spec.memory', message: 'must be a size' }]);
    await engine.changeSource();
    const s = c.status();
    expect(s.source.valid).toBe(false);
    expect(s.source.errors[0]?.message).toBe('must be a size');
    expect(s.revision).toBe('rev1');
    expect(await metric(c, 'virtkeeper_manifests_valid')).toBe(0);
    // Drift is still corrected against the last valid state.
    engine.tamper('Domain/web', 'domain', 'web');
    await until(() => engine.executed.length === 1);
    expect(engine.executed).toEqual([{ key: 'Domain/web', action: 'update' }]);
    expect(engine.live.has('Network/lan')).toBe(true);
  });

  it('prunes owned objects only with --prune', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(network('lan'), domain('web')));
    const c = await start(engine, { prune: true });
    await c.whenReady(3000);
    engine.setTree(desiredOf(network('lan')));
    await engine.changeSource();
    await until(() => !engine.live.has('Domain/web'));
    await c.whenIdle();
    expect(c.status().objects.map((o) => `${o.kind}/${o.name}`)).toEqual(['Network/lan']);
  });

  it('corrects drift signalled by an event and counts it', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(domain('web')));
    const c = await start(engine);
    await c.whenReady(3000);
    engine.tamper('Domain/web', 'domain', 'web');
    await until(() => engine.executed.length === 2);
    await c.whenIdle();
    expect(await metric(c, 'virtkeeper_drift_detected_total', { kind: 'Domain' })).toBe(1);
    // Events about objects nobody manages cost nothing.
    engine.tamper('Domain/stranger', 'domain', 'stranger');
    await c.whenIdle();
    expect(engine.executed).toHaveLength(2);
  });

  it('reports a refused change as refused, not failed, and does not retry it until the manifest changes', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(network('lan', { bridge: 'br0' })));
    const c = await start(engine);
    await c.whenReady(3000);
    engine.refuseKeys.set('Network/lan', 'changing the bridge needs allow-replace');
    engine.setTree(desiredOf(network('lan', { bridge: 'br1' })));
    engine.revision = 'rev2';
    await engine.changeSource();
    await until(() => c.status().objects[0]?.state === 'refused');
    const status = c.status();
    expect(status.objects[0]).toMatchObject({
      kind: 'Network',
      name: 'lan',
      state: 'refused',
      lastError: { code: 'refused', message: 'changing the bridge needs allow-replace' },
    });
    expect(status.counts).toMatchObject({ refused: 1, failed: 0 });
    expect(await metric(c, 'virtkeeper_managed_objects', { kind: 'Network', state: 'refused' })).toBe(1);
    // Not retried: a retry would find the same refusal (the retry base is 20 ms).
    const refusals = engine.outcomes.filter((o) => o.outcome === 'refused').length;
    await new Promise((r) => setTimeout(r, 200));
    expect(engine.outcomes.filter((o) => o.outcome === 'refused')).toHaveLength(refusals);
    // The manifest edit that allows it moves it on.
    engine.refuseKeys.clear();
    engine.setTree(desiredOf(network('lan', { bridge: 'br2' })));
    engine.revision = 'rev3';
    await engine.changeSource();
    await until(() => c.status().objects[0]?.state === 'synced');
  });

  it('does not count a key waiting for its dependency as failing', async () => {
    const lines: string[] = [];
    const debugLog = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
    const engine = new FakeEngine();
    engine.deps['Domain/web'] = ['Network/lan'];
    engine.failKeys.add('Network/lan');
    engine.setTree(desiredOf(domain('web'), network('lan')));
    const c = await start(engine, { logger: debugLog });
    await c.whenReady(3000);
    // lan keeps failing (its retries back off: 20, 40, 80, 100 ms); web keeps waiting for it.
    await new Promise((r) => setTimeout(r, 500));
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; key?: string; attempt?: number; reason?: string });
    const retried = (key: string) => logged.filter((l) => l.msg === 'reconcile retry scheduled' && l.key === key).map((l) => l.attempt);
    expect(retried('Network/lan').length).toBeGreaterThan(2);
    // web's one counted failure is the full sync's (its change was skipped behind lan's);
    // every per-key look since found it waiting, which counts nothing.
    expect(retried('Domain/web')).toEqual([1]);
    expect(
      logged.filter((l) => l.msg === 'reconcile requeued' && l.key === 'Domain/web' && l.reason === 'waiting for Network/lan').length,
    ).toBeGreaterThan(0);
    expect(c.status().objects.find((o) => o.name === 'web')?.state).not.toBe('refused');
    engine.failKeys.clear();
    await until(() => engine.live.has('Domain/web'));
  });

  it('retries failing keys with backoff and reports them', async () => {
    const engine = new FakeEngine();
    engine.failKeys.add('Domain/web');
    engine.setTree(desiredOf(domain('web')));
    const c = await start(engine);
    await c.whenReady(3000);
    expect(c.status().objects[0]).toMatchObject({ state: 'failed', lastError: { message: 'boom' } });
    engine.failKeys.clear();
    await until(() => c.status().objects[0]?.state === 'synced');
  });

  it('reconnects after losing libvirt and resyncs', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(domain('web')));
    const c = await start(engine);
    await c.whenReady(3000);
    engine.connectable = false;
    engine.dropConnection();
    engine.live.clear(); // the daemon came back empty
    await until(() => !c.connected && engine.connects >= 3);
    expect(await metric(c, 'virtkeeper_libvirt_connection_up')).toBe(0);
    expect(c.ready).toBe(false);
    expect(await metric(c, 'virtkeeper_ready')).toBe(0);
    engine.connectable = true;
    await until(() => c.ready && engine.live.has('Domain/web'));
    expect(await metric(c, 'virtkeeper_libvirt_connection_up')).toBe(1);
    expect(await metric(c, 'virtkeeper_ready')).toBe(1);
  });

  it('starts with an invalid tree, reconciles nothing, and picks up the fix', async () => {
    const engine = new FakeEngine();
    engine.setInvalid([{ file: 'a.yaml', line: 1, column: 1, path: '', message: 'bad' }]);
    const c = await start(engine);
    await until(() => c.connected);
    expect(c.ready).toBe(false);
    expect(engine.executed).toEqual([]);
    engine.setTree(desiredOf(domain('web')));
    await engine.changeSource();
    await c.whenReady(3000);
    expect(engine.live.has('Domain/web')).toBe(true);
  });

  it('stops gracefully: in-flight work finishes, nothing new starts', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(domain('web')));
    const c = await start(engine);
    await c.whenReady(3000);
    await c.stop();
    expect(c.connected).toBe(false);
    engine.setTree(desiredOf(domain('web', { vcpus: 4 })));
    await engine.changeSource();
    expect(engine.executed).toHaveLength(1);
  });

  it('lets an action in flight finish on stop', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(domain('web')));
    const c = await start(engine);
    await c.whenReady(3000);
    engine.executeDelayMs = 200;
    engine.tamper('Domain/web', 'domain', 'web');
    await until(() => engine.executing === 1);
    await c.stop();
    expect(engine.executing).toBe(0);
    expect(engine.executed).toHaveLength(2);
    expect(engine.live.get('Domain/web')).not.toBe('tampered');
  });

  it('acts on a reload only once two reads agree (a file caught mid-write is not used)', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(domain('web', { memory: '2GiB' })));
    const c = await start(engine, { settleMs: 20 });
    await c.whenReady(3000);
    engine.executed = [];
    // First read sees a truncated but valid value, the next ones the finished file.
    engine.loadSequence = [{ ok: true, desired: desiredOf(domain('web', { memory: 2 })) }];
    engine.setTree(desiredOf(domain('web', { memory: '4GiB' })));
    const loadsBefore = engine.loads;
    await engine.changeSource();
    await c.whenIdle();
    expect(engine.loads - loadsBefore).toBe(3);
    expect(engine.executed).toEqual([{ key: 'Domain/web', action: 'update' }]);
    expect(c.desired?.byKey.get('Domain/web')?.manifest.spec).toMatchObject({ memory: '4GiB' });
  });

  it('starts before its manifests directory exists, not ready, and begins once it appears', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(network('lan')));
    engine.sourceMissing = true;
    const c = await start(engine);
    expect(c.ready).toBe(false);
    expect(c.status().source.errors[0]?.message).toMatch(/^\/m does not exist yet; waiting for it/);
    expect(engine.connects).toBe(0);
    engine.sourceMissing = false;
    await c.whenReady(5000);
    expect(engine.live.has('Network/lan')).toBe(true);
    expect(c.status().source.valid).toBe(true);
  });

  it('stops at once while waiting for its manifests directory', async () => {
    const engine = new FakeEngine();
    engine.sourceMissing = true;
    const c = await start(engine);
    const t0 = Date.now();
    await c.stop();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(engine.connects).toBe(0);
  });

  it('reads a tree that was quiet for the whole settle time only once', async () => {
    const engine = new FakeEngine();
    // A settle time of a minute: the test times out if the controller waits for a second read.
    engine.tree = { ok: true, desired: desiredOf(domain('web')), quietForMs: 60_000 };
    const c = await start(engine, { settleMs: 60_000 });
    await c.whenReady(3000);
    expect(engine.loads).toBe(1);
    engine.tree = { ok: true, desired: desiredOf(domain('web', { memory: '4GiB' })), quietForMs: 60_000 };
    await engine.changeSource();
    await c.whenIdle();
    expect(engine.loads).toBe(2);
    expect(engine.executed.at(-1)).toEqual({ key: 'Domain/web', action: 'update' });
  });

  it('names volumes by pool/name in status, whatever the change calls them', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(manifest('StorageVolume', 'disk', { pool: 'images', capacity: '1GiB' })));
    const c = await start(engine);
    await c.whenReady(3000);
    expect(c.status().objects).toEqual([expect.objectContaining({ kind: 'StorageVolume', name: 'images/disk', state: 'synced' })]);
  });

  it('corrects changes libvirt sends no event for at the periodic resync', async () => {
    const engine = new FakeEngine();
    engine.setTree(desiredOf(domain('web')));
    const c = await start(engine, { resyncIntervalMs: 50 });
    await c.whenReady(3000);
    engine.live.set('Domain/web', 'tampered'); // no event
    await until(() => engine.live.get('Domain/web') !== 'tampered');
    expect(engine.executed.map((e) => e.action)).toEqual(['create', 'update']);
  });

  it('does not wait out a backoff when a dependency converged while the read was in flight', async () => {
    const engine = new FakeEngine();
    engine.deps['Domain/web'] = ['Network/lan'];
    engine.setTree(desiredOf(network('lan')));
    // A long backoff: only a wake-up (the blocked key re-queues lan, whose no-op run wakes it)
    // can make the deadline below.
    const c = await start(engine, { retry: { baseMs: 10_000, maxMs: 10_000, jitter: 0 } });
    await c.whenReady(3000);
    engine.executeDelayMs = 100;
    engine.readDelay = () => (engine.executing > 0 ? 300 : 0);
    engine.tamper('Network/lan', 'network', 'lan');
    await until(() => engine.executing === 1);
    // web's read starts while lan is being fixed and returns after lan's waiters were woken.
    engine.setTree(desiredOf(network('lan'), domain('web')));
    await engine.changeSource();
    await until(() => engine.live.has('Domain/web'), 2000);
  });
});
