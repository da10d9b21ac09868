// Every kind's pure contract, in creation order: things other objects refer to come first.
// Validation, the planner's ordering, the daemon's event routing and export find a kind's rules
// here, by kind name; registry.ts pairs each with the kind's libvirt side.
import type { KindDefinition } from './contract.js';
import { domainDefinition } from './domain/contract.js';
import { interfaceDefinition } from './interface/contract.js';
import { networkDefinition } from './network/contract.js';
import { nodeDeviceDefinition } from './node-device/contract.js';
import { secretDefinition } from './secret/contract.js';
import { storagePoolDefinition } from './storage-pool/contract.js';
import { storageVolumeDefinition } from './storage-volume/contract.js';

/** Kind definitions in creation order (deletions run in the reverse order). */
export interface KindDefinitions {
  readonly ordered: readonly KindDefinition[];
}

/** A set of kinds: the real ones, or a test's own (see test/unit/reconciler/test-kind.test.ts). */
export function kindDefinitions(ordered: readonly KindDefinition[]): KindDefinitions {
  return { ordered };
}

// A getter, not a constant list: kind contracts import manifests/identity.ts, which reaches back
// here, and a list built while those modules are still loading would hold undefined entries.
export const KIND_DEFINITIONS: KindDefinitions = {
  get ordered() {
    return [secretDefinition, networkDefinition, nodeDeviceDefinition, interfaceDefinition, storagePoolDefinition, storageVolumeDefinition, domainDefinition];
  },
};

export function definitionOf(definitions: KindDefinitions, kind: string): KindDefinition | undefined {
  return definitions.ordered.find((d) => d.kind === kind);
}

/** Position in creation order; unknown kinds last. */
export function kindRankIn(definitions: KindDefinitions, kind: string): number {
  const rank = definitions.ordered.findIndex((d) => d.kind === kind);
  return rank === -1 ? definitions.ordered.length : rank;
}
