// THE list of kinds: every kind's pure contract, in creation order (things other objects refer to
// come first). Adding a kind is one line here (and its libvirt side in registry.ts, which the type
// checker demands). Everything else that once named every kind reads this list: ManifestKind,
// AnyManifest and SpecOfKind are derived from its type (manifests/types.ts), MANIFEST_KINDS and the
// JSON Schemas (manifests/schema/kinds.ts) from its value; validation, the planner's ordering, the
// daemon's event routing and export find a kind's rules here, by kind name.
//
// Kind contracts must not import this module back at run time (they use manifests/keys.ts, not
// identity.ts): the list is built while they load, and a contract still loading would be a
// ReferenceError here. test/unit/resources/definitions.test.ts loads each contract first to check.
import type { KindDefinition } from './contract.js';
import { domainDefinition } from './domain/contract.js';
import { interfaceDefinition } from './interface/contract.js';
import { networkDefinition } from './network/contract.js';
import { nodeDeviceDefinition } from './node-device/contract.js';
import { secretDefinition } from './secret/contract.js';
import { storagePoolDefinition } from './storage-pool/contract.js';
import { storageVolumeDefinition } from './storage-volume/contract.js';

export const KIND_LIST = [
  secretDefinition,
  networkDefinition,
  nodeDeviceDefinition,
  interfaceDefinition,
  storagePoolDefinition,
  storageVolumeDefinition,
  domainDefinition,
] as const;

/** The manifest type of one definition of the list: the kind literal with its spec type. */
export type ManifestOfDefinition<D> = D extends KindDefinition<infer M> ? M : never;
/** Every kind's manifest type, as a union; manifests/types.ts re-exports it as AnyManifest. */
export type ListedManifest = ManifestOfDefinition<(typeof KIND_LIST)[number]>;
export type ListedKind = ListedManifest['kind'];

/** Every kind name, in creation order; manifests name their kind with one of these. */
export const MANIFEST_KINDS: readonly ListedKind[] = KIND_LIST.map((d) => d.kind);

/** Kind definitions in creation order (deletions run in the reverse order). */
export interface KindDefinitions {
  readonly ordered: readonly KindDefinition[];
}

/** A set of kinds: the real ones, or a test's own (see test/unit/reconciler/test-kind.test.ts). */
export function kindDefinitions(ordered: readonly KindDefinition[]): KindDefinitions {
  return { ordered };
}

export const KIND_DEFINITIONS: KindDefinitions = kindDefinitions(KIND_LIST);

export function definitionOf(definitions: KindDefinitions, kind: string): KindDefinition | undefined {
  return definitions.ordered.find((d) => d.kind === kind);
}

/** Position in creation order; unknown kinds last. */
export function kindRankIn(definitions: KindDefinitions, kind: string): number {
  const rank = definitions.ordered.findIndex((d) => d.kind === kind);
  return rank === -1 ? definitions.ordered.length : rank;
}
