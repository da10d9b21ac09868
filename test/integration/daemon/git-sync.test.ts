// A git-sync style manifests directory: a symlink swapped atomically to a new revision.
import { mkdir, rename, symlink } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import {
  domainState,
  domainXml,
  domainYaml,
  fetchMetrics,
  memoryKiB,
  sample,
  startController,
  tempDirs,
  until,
  useKeptPrivateLibvirtd,
  writeManifest,
} from './harness.js';

const fx = useKeptPrivateLibvirtd();

const REV1 = '1111111111111111111111111111111111111111';
const REV2 = '2222222222222222222222222222222222222222';

/** What git-sync and examples/git-hooks/post-receive do: new link beside the old one, renamed over it. */
async function swap(root: string, rev: string): Promise<void> {
  const tmp = path.join(root, '.current.tmp');
  await symlink(path.join('revs', rev), tmp);
  await rename(tmp, path.join(root, 'current'));
}

it('converges when the manifests symlink is swapped to a new revision, and reports the revision', async () => {
  const dirs = await tempDirs();
  const root = dirs.base;
  await mkdir(path.join(root, 'revs', REV1), { recursive: true });
  await mkdir(path.join(root, 'revs', REV2), { recursive: true });
  await writeManifest(path.join(root, 'revs', REV1), 'gs.yaml', domainYaml('gitsync-1', { memory: '256MiB' }));
  await writeManifest(path.join(root, 'revs', REV2), 'gs.yaml', domainYaml('gitsync-1', { memory: '768MiB' }));
  await writeManifest(path.join(root, 'revs', REV2), 'gs2.yaml', domainYaml('gitsync-2'));
  await symlink(path.join('revs', REV1), path.join(root, 'current'));

  const c = await startController({ dir: path.join(root, 'current'), uri: fx.daemon.testUri, stateDir: dirs.state });
  try {
    await c.whenReady(20_000);
    expect(memoryKiB(await domainXml(fx.daemon.testUri, 'gitsync-1'))).toBe(256 * 1024);
    expect(c.status().revision).toBe(REV1);
    expect(sample(await fetchMetrics(c.url!), 'virtkeeper_git_revision_info', { revision: REV1 })).toBe(1);

    await swap(root, REV2);
    await until(async () => memoryKiB(await domainXml(fx.daemon.testUri, 'gitsync-1')) === 768 * 1024, 15_000, 'rev2 memory');
    await until(async () => (await domainState(fx.daemon.testUri, 'gitsync-2')) === 'running', 15_000, 'rev2 domain');
    expect(c.status().revision).toBe(REV2);
    expect(c.status().source.root).toBe(path.join(await import('node:fs/promises').then((f) => f.realpath(root)), 'revs', REV2));
    const metrics = await fetchMetrics(c.url!);
    expect(sample(metrics, 'virtkeeper_git_revision_info', { revision: REV2 })).toBe(1);
    expect(sample(metrics, 'virtkeeper_git_revision_info', { revision: REV1 })).toBeUndefined();

    // Swapping back rolls back.
    await swap(root, REV1);
    await until(async () => memoryKiB(await domainXml(fx.daemon.testUri, 'gitsync-1')) === 256 * 1024, 15_000, 'rolled back');
    expect(c.status().revision).toBe(REV1);
  } finally {
    await c.stop();
    await dirs.cleanup();
  }
});
