// A change the plan refuses, against real libvirt: a volume the manifest shrinks. The daemon
// must report it as `refused` (not `failed`) in /status and the managed_objects gauge, and leave
// it alone instead of retrying it with backoff, until the manifest changes.
import { describe, expect, it } from 'vitest';
import { fetchMetrics, sample, until, useDaemonTest, useKeptPrivateLibvirtd, writeManifest } from './harness.js';

const fx = useKeptPrivateLibvirtd();
const daemon = useDaemonTest();

function storageYaml(capacity: string): string {
  return `apiVersion: virtkeeper.io/v1
kind: StoragePool
metadata:
  name: refusal-pool
spec:
  type: dir
  path: /tmp/virtkeeper-refusal-pool
---
apiVersion: virtkeeper.io/v1
kind: StorageVolume
metadata:
  name: data.raw
spec:
  pool: refusal-pool
  capacity: ${capacity}
  format: raw
`;
}

describe('virtkeeper run and a change the plan refuses', () => {
  it('shows a volume shrink as refused, does not retry it, and moves on when the manifest is fixed', async () => {
    const dirs = await daemon.dirs();
    await writeManifest(dirs.manifests, 'storage.yaml', storageYaml('2MiB'));
    const c = await daemon.start({ dir: dirs.manifests, uri: fx.daemon.testUri, stateDir: dirs.state });
    await c.whenReady(20_000);
    const volume = () => c.status().objects.find((o) => o.kind === 'StorageVolume');
    await until(() => volume()?.state === 'synced', 10_000, 'volume created');

    await writeManifest(dirs.manifests, 'storage.yaml', storageYaml('1MiB'));
    await until(() => volume()?.state === 'refused', 10_000, 'volume refused');
    expect(volume()?.lastError).toMatchObject({ code: 'refused', message: expect.stringMatching(/volumes are never shrunk/) });
    const status = c.status();
    expect(status.counts.refused).toBe(1);
    expect(status.counts.failed).toBe(0);
    expect(sample(await fetchMetrics(c.url!), 'virtkeeper_managed_objects', { kind: 'StorageVolume', state: 'refused' })).toBe(1);

    // Not retried: the retry backoff starts at 200 ms, so a retried refusal would re-read the volume.
    const reads = async () =>
      sample(await fetchMetrics(c.url!), 'virtkeeper_reconcile_total', { kind: 'StorageVolume', result: 'error' }) ?? 0;
    const atRefusal = await reads();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await reads()).toBe(atRefusal);

    await writeManifest(dirs.manifests, 'storage.yaml', storageYaml('2MiB'));
    await until(() => volume()?.state === 'synced', 10_000, 'volume synced again');
  });
});
