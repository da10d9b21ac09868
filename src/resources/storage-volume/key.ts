// A volume's identity: its name is unique only within its pool, so its key is StorageVolume/pool/name.
import { kindKey } from '../../manifests/keys.js';
import type { IdentityKey } from '../../manifests/types.js';

export const VOLUME_KIND = 'StorageVolume';

export function volumeKeyName(pool: string, name: string): string {
  return `${pool}/${name}`;
}

export function volumeKey(pool: string, name: string): IdentityKey {
  return kindKey(VOLUME_KIND, volumeKeyName(pool, name));
}
