import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
    expect(await load(dir)).toBe(first);
    await writeFile(path.join(dir, 'a.yaml'), network('wan'));
    const changed = await load(dir);
    expect(changed).not.toBe(first);
    expect(changed.state.manifests.map((m) => m.key)).toEqual(['Network/wan']);
  });
});
