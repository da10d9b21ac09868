// Public surface of src/manifests.
export * from './types.js';
export { cachedManifestLoader, loadManifests, type LoadOptions } from './loader.js';
export { loadFromSources, type LoadResult, type SourceFile } from './load-sources.js';
export { ManifestRootError } from './walk.js';
export { formatError, formatWarning, sortErrors } from './errors.js';
export { identityKey, kindKey } from './identity.js';
export { createDesiredState, getManifest, manifestsOfKind } from './desired-state.js';
export { parseSize, formatSize, SizeError } from './units.js';
export { formatPath } from './paths.js';
export { findKind, readSchemaText, readKindSchema } from './schemas.js';
