// The StoragePool kind's contract (see src/resources/contract.ts). Pure.
import { storagePoolSpecSchema, type StoragePoolManifest } from './schema.js';
import { kindKey } from '../../manifests/keys.js';
import type { IdentityKey } from '../../manifests/types.js';
import { documentName, field, text, type KindDefinition, type KindReference } from '../contract.js';
import { secretReference } from '../secret/reference.js';
import { authUsageType } from '../secret/usage.js';
import { volumeKey } from '../storage-volume/key.js';
import { checkPool } from './check.js';

export const POOL_KIND = 'StoragePool';

export const storagePoolDefinition: KindDefinition<StoragePoolManifest> = {
  kind: POOL_KIND,
  schema: { file: 'storagepool.schema.json', spec: storagePoolSpecSchema },
  keyName: documentName,
  references: poolReferences,
  check: checkPool,
  xmlRoot: 'pool',
  // A pool that was destroyed or re-created takes its volumes with it: check them too.
  events: { source: 'storagePool', echoes: true, keys: (name, _desired, managed) => poolEventKeys(name, managed) },
  export: { filePrefix: 'storage-pool', residual: { skip: new Set(['name', 'uuid', 'capacity', 'allocation', 'available']) } },
};

/** The Secret of its login. */
export function poolReferences(document: unknown): KindReference[] {
  const auth = field(field(field(document, 'spec'), 'source'), 'auth');
  const login = text(auth, 'secret');
  if (!login) return [];
  const usage = authUsageType(text(auth, 'type'));
  return secretReference(
    ['spec', 'source', 'auth', 'secret'],
    login,
    usage ? { type: usage, for: `${text(auth, 'type')} auth` } : undefined,
  );
}

function poolEventKeys(name: string, managed: ReadonlySet<IdentityKey>): IdentityKey[] {
  const volumes = volumeKey(name, '');
  return [kindKey(POOL_KIND, name), ...[...managed].filter((k) => k.startsWith(volumes))];
}
