import { createHash } from 'node:crypto';
import { sortErrors } from './errors.js';
import { loadFromSources, type LoadResult, type SourceOptions } from './load-sources.js';
import { readManifestTree, type WalkOptions } from './walk.js';

export type LoadOptions = WalkOptions & SourceOptions;

export interface TreeLoadResult extends LoadResult {
  /** When anything in the tree last changed (see WalkResult.lastChangeMs). */
  lastChangeMs: number;
}

/**
 * Reads every *.yaml / *.yml under dir and validates it all: syntax, schemas, semantic rules,
 * duplicate identities and references. Throws ManifestRootError only when dir itself is unusable.
 */
export async function loadManifests(dir: string, options: LoadOptions = {}): Promise<TreeLoadResult> {
  const tree = await readManifestTree(dir, options);
  const result = loadFromSources(dir, tree.files, options);
  return { ...result, errors: sortErrors([...tree.errors, ...result.errors]), lastChangeMs: tree.lastChangeMs };
}

/**
 * loadManifests for a caller that reads the same tree again and again (the daemon reads it
 * twice per reload to see that it settled): when every file's bytes are those of the previous
 * call, the previous result is returned without parsing and validating it all again (a second
 * or more for thousands of manifests).
 */
export function cachedManifestLoader(): (dir: string, options?: LoadOptions) => Promise<TreeLoadResult> {
  let last: { dir: string; digest: string; result: LoadResult } | undefined;
  return async (dir, options = {}) => {
    const tree = await readManifestTree(dir, options);
    const hash = createHash('sha256');
    for (const f of tree.files) hash.update(`${f.file}\0${f.bytes.length}\0`).update(f.bytes);
    for (const e of tree.errors) hash.update(`error\0${e.file}\0${e.message}\0`);
    const digest = hash.digest('hex');
    if (last && last.dir === dir && last.digest === digest) return { ...last.result, lastChangeMs: tree.lastChangeMs };
    const result = loadFromSources(dir, tree.files, options);
    const full = { ...result, errors: sortErrors([...tree.errors, ...result.errors]) };
    last = { dir, digest, result: full };
    return { ...full, lastChangeMs: tree.lastChangeMs };
  };
}
