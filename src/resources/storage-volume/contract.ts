// The StorageVolume kind's contract (see src/resources/contract.ts). Pure.
import { storageVolumeSpecSchema, volumeName, type StorageVolumeManifest } from './schema.js';
import { kindKey } from '../../manifests/keys.js';
import type { FieldPath } from '../../manifests/paths.js';
import { documentName, field, list, text, type KindDefinition, type KindReference } from '../contract.js';
import { secretReference } from '../secret/reference.js';
import { checkVolume } from './check.js';
import { checkVolumesAcross } from './check-across.js';
import { VOLUME_KIND, volumeKey, volumeKeyName } from './key.js';

export const storageVolumeDefinition: KindDefinition<StorageVolumeManifest> = {
  kind: VOLUME_KIND,
  schema: {
    file: 'storagevolume.schema.json',
    spec: storageVolumeSpecSchema,
    name: volumeName('Name of the volume in its pool (a file name in a directory pool).'),
  },
  keyName: (document) => {
    const name = documentName(document);
    const pool = text(field(document, 'spec'), 'pool');
    return name !== undefined && pool !== undefined ? volumeKeyName(pool, name) : undefined;
  },
  references: volumeReferences,
  check: checkVolume,
  checkAcross: checkVolumesAcross,
  xmlRoot: 'volume',
  // Volume events come with their pool's (see the StoragePool contract): libvirt sends none of their own.
  export: {
    filePrefix: 'storage-volume',
    fileStem: (object) => `${text(object.spec, 'pool') ?? ''}-${object.name}`,
    residual: {
      skip: new Set(['name', 'key', 'capacity', 'allocation', 'physical']),
      strip: ['target/timestamps', 'backingStore/timestamps'],
    },
  },
};

/** Its pool, LUKS secret, download header secrets, backing volume and clone source. */
export function volumeReferences(document: unknown): KindReference[] {
  const spec = field(document, 'spec');
  const refs: KindReference[] = [];
  const pool = text(spec, 'pool');
  if (pool) refs.push({ path: ['spec', 'pool'], key: kindKey('StoragePool', pool), need: 'required' });
  const luks = text(field(spec, 'encryption'), 'secret');
  if (luks) refs.push(...secretReference(['spec', 'encryption', 'secret'], luks, { type: 'volume', for: 'LUKS encryption' }));
  list(field(spec, 'source'), 'headers').forEach((h, i) => {
    const secret = text(h, 'secret');
    if (secret) refs.push(...secretReference(['spec', 'source', 'headers', i, 'secret'], secret));
  });
  const volumeRef = (ref: unknown, path: FieldPath): void => {
    const name = text(ref, 'name');
    const refPool = text(ref, 'pool') ?? pool;
    if (name && refPool) refs.push({ path, key: volumeKey(refPool, name), need: 'required' });
  };
  volumeRef(field(field(spec, 'backingStore'), 'volume'), ['spec', 'backingStore', 'volume']);
  volumeRef(field(spec, 'cloneFrom'), ['spec', 'cloneFrom']);
  return refs;
}
