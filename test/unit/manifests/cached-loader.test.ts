import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedManifestLoader } from '../../../src/manifests/loader.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const network = (name: string) => `apiVersion: virtkeeper.io/v1\nkind: Network\nmetadata: {name: ${name}}\nspec: {forward: {mode: nat}}\n`;

describe('cachedManifestLoader', () => {
  it('returns the previous result for identical bytes and loads afresh when a file changes', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vk-cached-'));
    await writeFile(path.join(dir, 'a.yaml'), network('lan'));
    const load = cachedManifestLoader();
    const first = await load(dir);
    expect(first.errors).toEqual([]);
    // The same validated state, not a second parse of it.
    expect((await load(dir)).state).toBe(first.state);
    await writeFile(path.join(dir, 'a.yaml'), network('wan'));
    const changed = await load(dir);
    expect(changed.state).not.toBe(first.state);
    expect(changed.state.manifests.map((m) => m.key)).toEqual(['Network/wan']);
  });
});

describe('loadManifests: when the tree last changed', () => {
  it('reports the newest change of a file or directory, for the daemon to skip its settle wait', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vk-quiet-'));
    const load = cachedManifestLoader();
    await writeFile(path.join(dir, 'a.yaml'), network('lan'));
    const before = await load(dir);
    expect(Math.abs(Date.now() - before.lastChangeMs)).toBeLessThan(5_000);
    // Backdate everything: a tree nobody touched for an hour.
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(path.join(dir, 'a.yaml'), hourAgo, hourAgo);
    await utimes(dir, hourAgo, hourAgo);
    // Modification times say an hour ago, but setting them is a change (ctime): still recent.
    expect((await load(dir)).lastChangeMs).toBeGreaterThanOrEqual(before.lastChangeMs);
    await new Promise((r) => setTimeout(r, 20));
    await mkdir(path.join(dir, 'sub'));
    const added = await load(dir);
    expect(added.lastChangeMs).toBeGreaterThan(before.lastChangeMs);
  });
});
