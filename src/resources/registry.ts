// Which ResourceKind handles which manifest kind, and the order kinds are created in. The
// reconciler only ever reaches a kind's logic through a KindRegistry, so tests can swap in fakes.
import type { ManifestKind } from '../manifests/types.js';
import { domainKind } from './domain/index.js';
import { interfaceKind } from './interface/index.js';
import { networkKind } from './network/index.js';
import { nodeDeviceKind } from './node-device/index.js';
import { storagePoolKind } from './storage-pool/index.js';
import { storageVolumeKind } from './storage-volume/index.js';
import { secretKind } from './secret/index.js';
import type { ResourceKind } from './types.js';

export type KindRegistry = { readonly [K in ManifestKind]: ResourceKind<K> };

/**
 * Creation order: things other objects refer to come first. Used as the tie-break of the
 * planner's topological sort (deletions run in the reverse order), so plans print the same way
 * every time.
 */
export const KIND_ORDER: readonly ManifestKind[] = [
  'Secret',
  'Network',
  'NodeDevice',
  'Interface',
  'StoragePool',
  'StorageVolume',
  'Domain',
];

export function kindRank(kind: ManifestKind): number {
  const rank = KIND_ORDER.indexOf(kind);
  return rank === -1 ? KIND_ORDER.length : rank;
}

/** The real kinds, as the CLI and the daemon use them. */
export const defaultRegistry: KindRegistry = {
  Domain: domainKind,
  Network: networkKind,
  StoragePool: storagePoolKind,
  StorageVolume: storageVolumeKind,
  Interface: interfaceKind,
  NodeDevice: nodeDeviceKind,
  Secret: secretKind,
};
