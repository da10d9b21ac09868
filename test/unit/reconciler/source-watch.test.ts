import { mkdir, mkdtemp, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  readGitRevision,
  resolveSource,
  watchSource,
  type SourceChange,
  type SourceWatcher,
} from '../../../src/reconciler/source-watch.js';

const HASH1 = '1111111111111111111111111111111111111111';
const HASH2 = '2222222222222222222222222222222222222222';
const DEBOUNCE = 100;
// Long enough after the debounce for any stray second call to show up.
const SETTLE = DEBOUNCE * 5;

let tmp: string;
let watchers: SourceWatcher[] = [];

beforeEach(async () => {
  tmp = await realpath(await mkdtemp(join(tmpdir(), 'vk-source-watch-')));
});

afterEach(async () => {
  await Promise.all(watchers.map((w) => w.close()));
  watchers = [];
  await rm(tmp, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await sleep(20);
  }
}

async function start(path: string): Promise<SourceChange[]> {
  const changes: SourceChange[] = [];
  const errors: unknown[] = [];
  const w = await watchSource({
    path,
    debounceMs: DEBOUNCE,
    onChange: (c) => {
      changes.push(c);
    },
    onError: (e) => errors.push(e),
  });
  watchers.push(w);
  return changes;
}

/** A git-sync-like layout: <tmp>/.worktrees/<hash> and <tmp>/current → .worktrees/<hash>. */
async function worktree(hash: string, files: Record<string, string> = { 'net.yaml': 'kind: Network\n' }): Promise<string> {
  const dir = join(tmp, '.worktrees', hash);
  await mkdir(dir, { recursive: true });
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body);
  return dir;
}

/** What git-sync does: `ln -s target tmp && mv -T tmp link` (rename(2) replaces atomically). */
async function swapLink(link: string, target: string): Promise<void> {
  const staging = `${link}.tmp-${Date.now()}`;
  await symlink(target, staging);
  await rename(staging, link);
}

describe('watchSource', () => {
  it('fires once after a burst of plain edits, with the real root', async () => {
    const dir = join(tmp, 'manifests');
    await mkdir(dir);
    await writeFile(join(dir, 'a.yaml'), 'v: 0\n');
    const changes = await start(dir);

    for (let i = 1; i <= 5; i++) await writeFile(join(dir, 'a.yaml'), `v: ${i}\n`);
    await writeFile(join(dir, 'b.yaml'), 'new: true\n');
    await rm(join(dir, 'a.yaml'));

    await waitFor(() => changes.length >= 1);
    await sleep(SETTLE);
    expect(changes).toEqual([{ root: dir, revision: null }]);
  });

  it('reports the new root and revision after an atomic symlink swap, and follows the new target', async () => {
    const old = await worktree(HASH1);
    const link = join(tmp, 'current');
    await symlink(join('.worktrees', HASH1), link);
    const changes = await start(link);

    const next = await worktree(HASH2, { 'net.yaml': 'kind: Network\nspec: {}\n' });
    await swapLink(link, join('.worktrees', HASH2));
    await waitFor(() => changes.length >= 1);
    await sleep(SETTLE);
    expect(changes).toEqual([{ root: next, revision: HASH2 }]);

    // git-sync then deletes the old worktree: the watch has moved on, so nothing fires.
    await rm(old, { recursive: true });
    await sleep(SETTLE);
    expect(changes).toHaveLength(1);

    // Plain edits in the new target are seen.
    await writeFile(join(next, 'net.yaml'), 'kind: Network\nspec: {bridge: br0}\n');
    await waitFor(() => changes.length >= 2);
    expect(changes[1]).toEqual({ root: next, revision: HASH2 });
  });

  it('ignores files under .git and hidden directories', async () => {
    const dir = join(tmp, 'repo');
    await mkdir(join(dir, '.git', 'refs', 'heads'), { recursive: true });
    await mkdir(join(dir, '.cache'), { recursive: true });
    await writeFile(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(join(dir, '.git', 'refs', 'heads', 'main'), `${HASH1}\n`);
    await writeFile(join(dir, 'a.yaml'), 'v: 0\n');
    const changes = await start(dir);

    await writeFile(join(dir, '.git', 'refs', 'heads', 'main'), `${HASH2}\n`);
    await writeFile(join(dir, '.git', 'index'), 'x');
    await mkdir(join(dir, '.git', 'objects', 'ab'), { recursive: true });
    await writeFile(join(dir, '.git', 'objects', 'ab', 'cdef'), 'x');
    await writeFile(join(dir, '.cache', 'x.yaml'), 'x');
    await writeFile(join(dir, '.a.yaml.swp'), 'x');
    await sleep(SETTLE);
    expect(changes).toEqual([]);

    // The watch is alive: a visible edit fires, and the revision is read from .git.
    await writeFile(join(dir, 'a.yaml'), 'v: 1\n');
    await waitFor(() => changes.length >= 1);
    expect(changes).toEqual([{ root: dir, revision: HASH2 }]);
  });

  it('does not let a continuous stream of edits postpone onChange past maxWaitMs', async () => {
    const dir = join(tmp, 'busy');
    await mkdir(dir);
    const changes: SourceChange[] = [];
    watchers.push(await watchSource({ path: dir, debounceMs: 200, maxWaitMs: 300, onChange: (c) => void changes.push(c) }));
    // An edit every 50 ms for ~1 s never leaves the 200 ms of quiet the debounce waits for.
    for (let i = 0; i < 20; i++) {
      await writeFile(join(dir, 'a.yaml'), `v: ${i}\n`);
      await sleep(50);
    }
    expect(changes.length).toBeGreaterThanOrEqual(2);
  });

  it('does not fire after close', async () => {
    const dir = join(tmp, 'm');
    await mkdir(dir);
    const changes = await start(dir);
    await writeFile(join(dir, 'a.yaml'), 'x');
    await watchers.pop()!.close();
    await sleep(SETTLE);
    expect(changes).toEqual([]);
  });
});

describe('resolveSource / readGitRevision', () => {
  it('reads a loose ref through a symbolic HEAD', async () => {
    await mkdir(join(tmp, '.git', 'refs', 'heads'), { recursive: true });
    await writeFile(join(tmp, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(join(tmp, '.git', 'refs', 'heads', 'main'), `${HASH1.toUpperCase()}\n`);
    expect(await readGitRevision(tmp)).toBe(HASH1);
  });

  it('reads a detached HEAD and a packed ref', async () => {
    await mkdir(join(tmp, 'a', '.git'), { recursive: true });
    await writeFile(join(tmp, 'a', '.git', 'HEAD'), `${HASH2}\n`);
    expect(await readGitRevision(join(tmp, 'a'))).toBe(HASH2);

    await mkdir(join(tmp, 'b', '.git'), { recursive: true });
    await writeFile(join(tmp, 'b', '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(
      join(tmp, 'b', '.git', 'packed-refs'),
      `# pack-refs with: peeled\n${HASH2} refs/heads/other\n${HASH1} refs/heads/main\n`,
    );
    expect(await readGitRevision(join(tmp, 'b'))).toBe(HASH1);
  });

  it('follows a .git file to a linked worktree gitdir and its common dir', async () => {
    const common = join(tmp, 'repo.git');
    const gitdir = join(common, 'worktrees', 'wt');
    await mkdir(join(common, 'refs', 'heads'), { recursive: true });
    await mkdir(gitdir, { recursive: true });
    await writeFile(join(gitdir, 'HEAD'), 'ref: refs/heads/deploy\n');
    await writeFile(join(gitdir, 'commondir'), '../..\n');
    await writeFile(join(common, 'refs', 'heads', 'deploy'), `${HASH2}\n`);
    const wt = join(tmp, 'wt');
    await mkdir(join(wt, 'hosts', 'h1'), { recursive: true });
    await writeFile(join(wt, '.git'), `gitdir: ../repo.git/worktrees/wt\n`);
    // The manifests directory is a subfolder of the worktree.
    expect(await readGitRevision(join(wt, 'hosts', 'h1'))).toBe(HASH2);
  });

  it('falls back to the hash in the link target name, else null', async () => {
    const target = await worktree(HASH1);
    await symlink(target, join(tmp, 'current'));
    expect(await resolveSource(join(tmp, 'current'))).toEqual({ root: target, revision: HASH1, link: join(tmp, 'current') });

    await mkdir(join(tmp, 'release'));
    await symlink(join(tmp, 'release'), join(tmp, 'named'));
    expect((await resolveSource(join(tmp, 'named'))).revision).toBeNull();
  });

  it('resolves a manifests folder below the git-sync link', async () => {
    const target = await worktree(HASH2, {});
    await mkdir(join(target, 'hosts'));
    await symlink(join('.worktrees', HASH2), join(tmp, 'current'));
    expect(await resolveSource(join(tmp, 'current', 'hosts'))).toEqual({
      root: join(target, 'hosts'),
      revision: HASH2,
      link: join(tmp, 'current'),
    });
  });
});
