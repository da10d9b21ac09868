// The daemon in-process against a private libvirtd: file edits, out-of-band changes and invalid
// trees, observed through virsh, /status and /metrics.
import { describe, expect, it } from 'vitest';
import type { Controller } from '../../../src/reconciler/controller.js';
import {
  domainState,
  domainXml,
  domainYaml,
  fetchMetrics,
  memoryKiB,
  sample,
  until,
  useDaemonTest,
  useKeptPrivateLibvirtd,
  virsh,
  writeManifest,
  type TempDirs,
} from './harness.js';

const fx = useKeptPrivateLibvirtd();
const daemon = useDaemonTest();
let dirs: TempDirs;

async function startOn(files: Record<string, string>, extra: { prune?: boolean } = {}): Promise<Controller> {
  dirs = await daemon.dirs();
  for (const [file, text] of Object.entries(files)) await writeManifest(dirs.manifests, file, text);
  return daemon.start({ dir: dirs.manifests, uri: fx.daemon.testUri, stateDir: dirs.state, ...extra });
}

describe('virtkeeper run (in-process)', () => {
  it('creates and starts a domain, then converges a memory edit in its manifest', async () => {
    const c = await startOn({ 'edit.yaml': domainYaml('edit-1', { memory: '256MiB' }) });
    await c.whenReady(20_000);
    expect(await domainState(fx.daemon.testUri, 'edit-1')).toBe('running');
    expect(memoryKiB(await domainXml(fx.daemon.testUri, 'edit-1'))).toBe(256 * 1024);

    await writeManifest(dirs.manifests, 'edit.yaml', domainYaml('edit-1', { memory: '512MiB' }));
    await until(async () => memoryKiB(await domainXml(fx.daemon.testUri, 'edit-1')) === 512 * 1024, 15_000, 'memory edit applied');

    // A new file is picked up too.
    await writeManifest(dirs.manifests, 'added.yaml', domainYaml('added-1'));
    await until(async () => (await domainState(fx.daemon.testUri, 'added-1')) === 'running', 15_000, 'added domain running');
  });

  it('starts a state: running domain again within seconds of an out-of-band virsh destroy', async () => {
    const c = await startOn({ 'ev.yaml': domainYaml('event-1') });
    await c.whenReady(20_000);
    expect(await domainState(fx.daemon.testUri, 'event-1')).toBe('running');

    const before = sample(await fetchMetrics(c.url!), 'virtkeeper_drift_detected_total', { kind: 'Domain' }) ?? 0;
    await virsh(fx.daemon.testUri, 'destroy', 'event-1');
    const destroyedAt = Date.now();
    // No resync runs in this test (interval 0): only the lifecycle event can bring it back.
    await until(async () => (await domainState(fx.daemon.testUri, 'event-1')) === 'running', 5_000, 'domain running again');
    expect(Date.now() - destroyedAt).toBeLessThan(3_000);
    await until(
      async () => (sample(await fetchMetrics(c.url!), 'virtkeeper_drift_detected_total', { kind: 'Domain' }) ?? 0) === before + 1,
      5_000,
      'drift counted',
    );
  });

  it('keeps the last valid state in force when a manifest turns invalid, and deletes nothing', async () => {
    const c = await startOn({ 'a.yaml': domainYaml('keep-a'), 'b.yaml': domainYaml('keep-b') }, { prune: true });
    await c.whenReady(20_000);
    expect(await domainState(fx.daemon.testUri, 'keep-b')).toBe('running');

    // keep-b's file is replaced by garbage and keep-a's manifest is broken: with --prune a naive
    // daemon would delete keep-b.
    await writeManifest(dirs.manifests, 'b.yaml', 'apiVersion: virtkeeper.io/v1\nkind: Domain\nmetadata: {name: keep-b\n');
    await writeManifest(dirs.manifests, 'a.yaml', domainYaml('keep-a', { memory: 'lots' }));
    await until(() => c.status().source.valid === false, 10_000, 'invalid tree reported');

    const status = c.status();
    expect(status.source.errors.length).toBeGreaterThan(0);
    expect(status.source.errors.map((e) => e.file)).toEqual(expect.arrayContaining(['a.yaml']));
    const metrics = await fetchMetrics(c.url!);
    expect(sample(metrics, 'virtkeeper_manifests_valid')).toBe(0);
    expect(sample(metrics, 'virtkeeper_manifest_reloads_total', { result: 'invalid' })).toBeGreaterThanOrEqual(1);

    // Drift is still corrected against the last valid state: keep-b is still managed.
    await virsh(fx.daemon.testUri, 'destroy', 'keep-b');
    await until(async () => (await domainState(fx.daemon.testUri, 'keep-b')) === 'running', 5_000, 'keep-b running again');
    expect(await domainState(fx.daemon.testUri, 'keep-a')).toBe('running');
    expect(memoryKiB(await domainXml(fx.daemon.testUri, 'keep-a'))).toBe(256 * 1024);

    // Fixing the tree clears the error.
    await writeManifest(dirs.manifests, 'a.yaml', domainYaml('keep-a'));
    await writeManifest(dirs.manifests, 'b.yaml', domainYaml('keep-b'));
    await until(() => c.status().source.valid, 10_000, 'valid again');
    expect(sample(await fetchMetrics(c.url!), 'virtkeeper_manifests_valid')).toBe(1);
  });

  it('is not ready while the tree is invalid at start, and becomes ready once it is fixed', async () => {
    const c = await startOn({ 'r.yaml': domainYaml('ready-1', { memory: 'lots' }) });
    const readyz = async () => (await fetch(`${c.url}/readyz`)).status;
    await until(() => c.connected, 10_000, 'connected');
    expect(await readyz()).toBe(503);
    await writeManifest(dirs.manifests, 'r.yaml', domainYaml('ready-1'));
    await until(async () => (await readyz()) === 200, 15_000, 'ready');
    expect(await domainState(fx.daemon.testUri, 'ready-1')).toBe('running');
  });

  it('exposes reconcile counts, connection state, revision and per-object status', async () => {
    dirs = await daemon.dirs();
    // A git checkout: the revision comes from .git/HEAD.
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(`${dirs.manifests}/.git`, { recursive: true });
    const rev = 'a'.repeat(40);
    await writeFile(`${dirs.manifests}/.git/HEAD`, `${rev}\n`);
    await writeManifest(dirs.manifests, 'm.yaml', domainYaml('metrics-1'));
    const controller = await daemon.start({ dir: dirs.manifests, uri: fx.daemon.testUri, stateDir: dirs.state });
    await controller.whenReady(20_000);

    const metrics = await fetchMetrics(controller.url!);
    expect(sample(metrics, 'virtkeeper_reconcile_total', { kind: 'Domain', result: 'changed' })).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'virtkeeper_libvirt_connection_up')).toBe(1);
    expect(sample(metrics, 'virtkeeper_git_revision_info', { revision: rev })).toBe(1);
    expect(sample(metrics, 'virtkeeper_managed_objects', { kind: 'Domain', state: 'synced' })).toBe(1);
    expect(sample(metrics, 'virtkeeper_last_successful_sync_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(
      sample(metrics, 'virtkeeper_libvirt_call_duration_seconds_count', { procedure: 'DOMAIN_DEFINE_XML_FLAGS' }) ??
        sample(metrics, 'virtkeeper_libvirt_call_duration_seconds_count', { procedure: 'DOMAIN_DEFINE_XML' }),
    ).toBeGreaterThanOrEqual(1);

    const res = await fetch(`${controller.url}/status`);
    const status = (await res.json()) as { revision: string; objects: Array<{ kind: string; name: string; state: string }> };
    expect(status.revision).toBe(rev);
    expect(status.objects).toEqual([expect.objectContaining({ kind: 'Domain', name: 'metrics-1', state: 'synced' })]);
    expect((await fetch(`${controller.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${controller.url}/healthz`)).status).toBe(200);
  });

  it('creates a network before the domain that uses it', async () => {
    const net = [
      'apiVersion: virtkeeper.io/v1',
      'kind: Network',
      'metadata: {name: deps-net}',
      'spec:',
      '  forward: {mode: nat}',
      '  bridge: virbr31',
      '  ips: [{address: 192.168.131.1, prefix: 24}]',
      '',
    ].join('\n');
    const dom = `${domainYaml('deps-1')}  interfaces:\n    - network: deps-net\n      model: virtio\n`;
    const c = await startOn({ 'dom.yaml': dom, 'net.yaml': net });
    await c.whenReady(20_000);
    await until(() => c.status().counts.synced === 2, 15_000, 'both synced');
    expect(await domainState(fx.daemon.testUri, 'deps-1')).toBe('running');
    expect(await domainXml(fx.daemon.testUri, 'deps-1')).toContain("<source network='deps-net'/>");
  });

  it('deletes an owned domain whose manifest is gone only with --prune', async () => {
    const c = await startOn({ 'p1.yaml': domainYaml('prune-1'), 'p2.yaml': domainYaml('prune-2') }, { prune: true });
    await c.whenReady(20_000);
    const { rm } = await import('node:fs/promises');
    await rm(`${dirs.manifests}/p2.yaml`);
    await until(async () => !(await virsh(fx.daemon.testUri, 'list', '--all', '--name')).includes('prune-2'), 15_000, 'prune-2 deleted');
    expect(await domainState(fx.daemon.testUri, 'prune-1')).toBe('running');
    expect(c.status().objects.map((o) => o.name)).toEqual(['prune-1']);
  });

  it('leaves a domain whose manifest is gone in place without --prune', async () => {
    const c = await startOn({ 'k1.yaml': domainYaml('noprune-1'), 'k2.yaml': domainYaml('noprune-2') });
    await c.whenReady(20_000);
    const { rm } = await import('node:fs/promises');
    await rm(`${dirs.manifests}/k2.yaml`);
    await until(() => c.status().objects.length === 1, 10_000, 'status follows the manifests');
    await c.whenIdle();
    expect(await domainState(fx.daemon.testUri, 'noprune-2')).toBe('running');
  });
});
