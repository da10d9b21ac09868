import { sortErrors } from './errors.js';
import { loadFromSources, type LoadResult, type SourceOptions } from './load-sources.js';
import { readManifestTree, type WalkOptions } from './walk.js';

export type LoadOptions = WalkOptions & SourceOptions;

/**
 * Reads every *.yaml / *.yml under dir and validates it all: syntax, schemas, semantic rules,
 * duplicate identities and references. Throws ManifestRootError only when dir itself is unusable.
 */
export async function loadManifests(dir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const tree = await readManifestTree(dir, options);
  const result = loadFromSources(dir, tree.files, options);
  return { ...result, errors: sortErrors([...tree.errors, ...result.errors]) };
}
