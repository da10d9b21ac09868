// The daemon's empty-tree guard: a swap to an empty tree (or one that drops most objects) with
// --prune deletes nothing, and says why in /status and virtkeeper_prune_blocked.
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  domainState,
  domainYaml,
  fetchMetrics,
  sample,
  until,
  useDaemonTest,
  useKeptPrivateLibvirtd,
  virsh,
  writeManifest,
} from './harness.js';

const fx = useKeptPrivateLibvirtd();
const daemon = useDaemonTest();

describe('virtkeeper run --prune and the empty-tree guard', () => {
  it('an emptied tree deletes nothing and is reported; a tree that keeps half prunes again', async () => {
    const dirs = await daemon.dirs();
    await writeManifest(dirs.manifests, 'g1.yaml', domainYaml('guard-1'));
    await writeManifest(dirs.manifests, 'g2.yaml', domainYaml('guard-2'));
    const c = await daemon.start({ dir: dirs.manifests, uri: fx.daemon.testUri, stateDir: dirs.state, prune: true });
    await c.whenReady(20_000);
    expect(c.status().pruneBlocked).toBeNull();
    expect(sample(await fetchMetrics(c.url!), 'virtkeeper_prune_blocked')).toBe(0);

    await rm(`${dirs.manifests}/g1.yaml`);
    await rm(`${dirs.manifests}/g2.yaml`);
    await until(() => c.status().pruneBlocked !== null, 15_000, 'prune blocked');
    expect(c.status().pruneBlocked).toMatch(
      /^prune refused: the manifests are empty and prune would delete 2 recorded objects of .*; pass --allow-empty/,
    );
    expect(sample(await fetchMetrics(c.url!), 'virtkeeper_prune_blocked')).toBe(1);
    const status = (await (await fetch(`${c.url}/status`)).json()) as { pruneBlocked: string | null };
    expect(status.pruneBlocked).toBe(c.status().pruneBlocked);
    await c.whenIdle();
    expect(await domainState(fx.daemon.testUri, 'guard-1')).toBe('running');
    expect(await domainState(fx.daemon.testUri, 'guard-2')).toBe('running');

    // One of two back: deleting the other is half, within the default --prune-max 50%.
    await writeManifest(dirs.manifests, 'g1.yaml', domainYaml('guard-1'));
    await until(async () => !(await virsh(fx.daemon.testUri, 'list', '--all', '--name')).includes('guard-2'), 15_000, 'guard-2 pruned');
    await until(() => c.status().pruneBlocked === null, 10_000, 'guard cleared');
    expect(sample(await fetchMetrics(c.url!), 'virtkeeper_prune_blocked')).toBe(0);
    expect(await domainState(fx.daemon.testUri, 'guard-1')).toBe('running');
  });
});
