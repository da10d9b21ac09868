// Which ResourceKind (the libvirt side) handles which manifest kind. The reconciler only ever
// reaches a kind's logic through a KindRegistry, so tests can swap in fakes. Kept apart from the
// kind list (definitions.ts) so validation never loads libvirt code; the KindRegistry type makes
// the two agree: a kind in the list without an entry here does not compile.
import type { ManifestKind } from '../manifests/types.js';
import { kindDefinitions, MANIFEST_KINDS, type KindDefinitions } from './definitions.js';
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
 * Creation order: things other objects refer to come first (the kind list's order). Used as the
 * tie-break of the planner's topological sort (deletions run in the reverse order), so plans
 * print the same way every time.
 */
export const KIND_ORDER: readonly ManifestKind[] = MANIFEST_KINDS;

/** The kind that handles `kind`, typed for it: `kindOf(registry, m.kind).plan(m, ...)` needs no cast. */
export function kindOf<K extends ManifestKind>(registry: KindRegistry, kind: K): ResourceKind<K> {
  return registry[kind];
}

/** The pure contracts of a registry's kinds, in creation order (a test registry's fakes bring their own). */
export function definitionsOf(registry: KindRegistry): KindDefinitions {
  return kindDefinitions(KIND_ORDER.map((kind) => kindOf(registry, kind).definition));
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
