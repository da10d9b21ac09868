import { createHash } from 'node:crypto';
import { sortErrors } from './errors.js';
import { loadFromSources, type LoadResult, type SourceOptions } from './load-sources.js';
import { includesUnchanged, treeIncluder, type IncludedFile } from './includes.js';
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
  const { result, included } = loadWithIncludes(dir, tree.files, options);
  return { ...result, errors: sortErrors([...tree.errors, ...result.errors]), lastChangeMs: lastChange(tree.lastChangeMs, included) };
}

function loadWithIncludes(
  dir: string,
  files: Parameters<typeof loadFromSources>[1],
  options: LoadOptions,
): { result: LoadResult; included: readonly IncludedFile[] } {
  const includer = treeIncluder(dir, options.maxFileBytes);
  const result = loadFromSources(dir, files, { include: includer.include, ...options });
  return { result, included: includer.files };
}

/** A file a manifest includes is part of the source: editing it is a change like editing the manifest. */
function lastChange(treeMs: number, included: readonly IncludedFile[]): number {
  return included.reduce((ms, f) => Math.max(ms, f.ctimeMs), treeMs);
}

/**
 * loadManifests for a caller that reads the same tree again and again (the daemon reads it
 * twice per reload to see that it settled): when every file's bytes are those of the previous
 * call, the previous result is returned without parsing and validating it all again (a second
 * or more for thousands of manifests).
 */
export function cachedManifestLoader(): (dir: string, options?: LoadOptions) => Promise<TreeLoadResult> {
  let last: { dir: string; digest: string; result: LoadResult; included: readonly IncludedFile[] } | undefined;
  return async (dir, options = {}) => {
    const tree = await readManifestTree(dir, options);
    const hash = createHash('sha256');
    for (const f of tree.files) hash.update(`${f.file}\0${f.bytes.length}\0`).update(f.bytes);
    for (const e of tree.errors) hash.update(`error\0${e.file}\0${e.message}\0`);
    const digest = hash.digest('hex');
    if (last && last.dir === dir && last.digest === digest && includesUnchanged(last.included)) {
      return { ...last.result, lastChangeMs: lastChange(tree.lastChangeMs, last.included) };
    }
    const { result, included } = loadWithIncludes(dir, tree.files, options);
    const full = { ...result, errors: sortErrors([...tree.errors, ...result.errors]) };
    last = { dir, digest, result: full, included };
    return { ...full, lastChangeMs: lastChange(tree.lastChangeMs, included) };
  };
}
