// Annotations that unlock destructive actions. They are opt-in per object: a plan never destroys
// data (a volume, a pool's storage, a device's partition table) because of an implied change.
import { ANNOTATION_ALLOW_REPLACE, type Metadata } from '../../manifests/types.js';

export { ANNOTATION_ALLOW_REPLACE };
/** "true" on a StoragePool: volumes of that pool that leave the manifests may be deleted by prune. */
export const ANNOTATION_ALLOW_DELETE = 'virtkeeper.io/allow-delete';
/** "true" on a logical/disk/fs StoragePool: `build` may write to its devices (vgcreate, partition table, mkfs). */
export const ANNOTATION_ALLOW_FORMAT = 'virtkeeper.io/allow-format';

export function annotationIsTrue(manifest: { metadata: Metadata } | undefined, name: string): boolean {
  return manifest?.metadata.annotations?.[name] === 'true';
}
