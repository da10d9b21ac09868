import { identityKey } from './identity.js';
import type { AnyManifest, DesiredState, IdentityKey, LoadedManifest, ManifestKind, ManifestOfKind, SourceLocation } from './types.js';

export function compareLocations(a: SourceLocation, b: SourceLocation): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column;
}

/** Builds the lookup structure; callers guarantee keys are unique (the loader reports duplicates). */
export function createDesiredState(root: string, entries: ReadonlyArray<{ manifest: AnyManifest; source: SourceLocation }>): DesiredState {
  const manifests: LoadedManifest[] = entries
    .map((e) => ({ key: identityKey(e.manifest), manifest: e.manifest, source: e.source }))
    .sort((a, b) => compareLocations(a.source, b.source));
  const byKey = new Map<IdentityKey, LoadedManifest>();
  for (const m of manifests) if (!byKey.has(m.key)) byKey.set(m.key, m);
  return { root, manifests, byKey };
}

export function manifestsOfKind<K extends ManifestKind>(state: DesiredState, kind: K): Array<LoadedManifest<ManifestOfKind<K>>> {
  return state.manifests.filter((m): m is LoadedManifest<ManifestOfKind<K>> => m.manifest.kind === kind);
}

export function getManifest(state: DesiredState, key: IdentityKey): LoadedManifest | undefined {
  return state.byKey.get(key);
}
