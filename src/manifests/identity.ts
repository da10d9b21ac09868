import type { AnyManifest, IdentityKey, ManifestKind } from './types.js';

/** Identity of a manifest: kind/name, volumes kind/pool/name (a volume name is unique only within its pool). */
export function identityKey(m: AnyManifest): IdentityKey {
  if (m.kind === 'StorageVolume') return volumeKey(m.spec.pool, m.metadata.name);
  return kindKey(m.kind, m.metadata.name);
}

export function kindKey(kind: ManifestKind, name: string): IdentityKey {
  return `${kind}/${name}`;
}

export function volumeKey(pool: string, name: string): IdentityKey {
  return `StorageVolume/${pool}/${name}`;
}
