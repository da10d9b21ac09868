// Small stand-in ResourceKinds for pure planner/executor tests: a spec is compared as JSON, and
// `spec.refs` lists the identity keys an object refers to.
import { createDesiredState } from '../../../src/manifests/desired-state.js';
import { identityKey } from '../../../src/manifests/identity.js';
import { custom } from '../../../src/manifests/schema/dsl.js';
import type { AnyManifest, DesiredState, IdentityKey, ManifestKind, ManifestOfKind } from '../../../src/manifests/types.js';
import type { KindRegistry } from '../../../src/resources/registry.js';
import { field, type KindDefinition } from '../../../src/resources/contract.js';
import { definitionOf, KIND_DEFINITIONS } from '../../../src/resources/definitions.js';
import type { LiveResource, ResourceChange, ResourceKind, Step, StepOfKind } from '../../../src/resources/types.js';
import type { LibvirtClient } from '../../../src/libvirt/client.js';

export interface FakeSpec {
  refs?: IdentityKey[];
  value?: number;
  pool?: string;
  refuse?: string;
  /** The live object this manifest stands for, when live objects are keyed by another name (as NodeDevices are). */
  liveKey?: IdentityKey;
  /** Live only: deleting it has nothing to do (like a NodeDevice already back on its host driver). */
  released?: boolean;
}

export type ExecuteHook = (step: Step, change: ResourceChange) => Promise<void>;

export function manifest(kind: ManifestKind, name: string, spec: FakeSpec = {}, annotations?: Record<string, string>): AnyManifest {
  return {
    apiVersion: 'virtkeeper.io/v1',
    kind,
    metadata: annotations ? { name, annotations } : { name },
    spec,
  } as unknown as AnyManifest;
}

export function desiredOf(...manifests: AnyManifest[]): DesiredState {
  return createDesiredState(
    '/manifests',
    manifests.map((m, i) => ({ manifest: m, source: { file: `m${i}.yaml`, line: 1, column: 1 } })),
  );
}

export function liveOf(...manifests: AnyManifest[]): Map<IdentityKey, LiveResource> {
  const map = new Map<IdentityKey, LiveResource>();
  for (const m of manifests) {
    const key = identityKey(m);
    map.set(key, {
      key,
      kind: m.kind,
      name: m.metadata.name,
      spec: m.spec,
      active: true,
      persistent: true,
      markedOwned: false,
    } as LiveResource);
  }
  return map;
}

/** How a fake kind writes its two steps, in a shape its real kind plans (only descriptions are looked at). */
interface FakeSteps<K extends ManifestKind> {
  define(description: string): StepOfKind<K>;
  remove(description: string): StepOfKind<K>;
}

const named = {
  define: (description: string) => ({ op: 'define' as const, description, payload: { name: 'fake', xml: '<fake/>' } }),
  remove: (description: string) => ({ op: 'undefine' as const, description, payload: { name: 'fake' } }),
};

const FAKE_STEPS: { [K in ManifestKind]: FakeSteps<K> } = {
  Domain: {
    define: (description) => ({ op: 'define', description, payload: { xml: '<fake/>' } }),
    remove: (description) => ({ op: 'destroy', description }),
  },
  Network: named,
  StoragePool: named,
  Interface: named,
  StorageVolume: {
    define: (description) => ({ op: 'createXml', description, payload: { pool: 'fake', name: 'fake', xml: '<fake/>' } }),
    remove: (description) => ({ op: 'delete', description, payload: { pool: 'fake', name: 'fake' } }),
  },
  NodeDevice: {
    define: (description) => ({ op: 'detach', description, payload: { name: 'fake', driver: 'vfio-pci' } }),
    remove: (description) => ({ op: 'reattach', description, payload: { name: 'fake' } }),
  },
  Secret: {
    define: (description) => ({ op: 'define', description, payload: { xml: '<fake/>' } }),
    remove: (description) => ({ op: 'undefine', description, payload: { usageType: 'ceph', usageId: 'fake' } }),
  },
};

/** A fake kind's contract: the real kind's identity, and `spec.refs` as its (required) references. */
export function fakeDefinition<K extends ManifestKind>(kind: K): KindDefinition<ManifestOfKind<K>> {
  const real = definitionOf(KIND_DEFINITIONS, kind);
  return {
    // TypeScript cannot see that the kind of Extract<AnyManifest, { kind: K }> is K for a generic K.
    kind: kind as ManifestOfKind<K>['kind'],
    // Fakes are never validated: a schema that takes any object.
    schema: { file: 'fake.schema.json', spec: custom<ManifestOfKind<K>['spec']>({ type: 'object' }) },
    keyName: (document) => real?.keyName(document),
    references: (document) =>
      ((field(document, 'spec') as FakeSpec | undefined)?.refs ?? []).map((key, i) => ({
        path: ['spec', 'refs', i],
        key,
        need: 'required' as const,
      })),
    export: { filePrefix: kind.toLowerCase() },
  };
}

function fakeKind<K extends ManifestKind>(kind: K, hook: { current?: ExecuteHook }): ResourceKind<K> {
  const steps: FakeSteps<K> = FAKE_STEPS[kind];
  const refsOf = (spec: unknown): IdentityKey[] => ((spec as FakeSpec | undefined)?.refs ?? []).slice();
  return {
    kind,
    definition: fakeDefinition(kind),
    toXml: () => '<fake/>',
    fromXml: () => ({}) as never,
    plan(desired, given, ctx) {
      // Like NodeDevice: a manifest that names its live object finds it in the context, not by key.
      const named = (desired?.manifest.spec as FakeSpec | undefined)?.liveKey;
      const live = named !== undefined ? ctx.live.get(named) : given;
      const onLive = named !== undefined && live ? { liveKey: named } : {};
      const key = desired?.key ?? live!.key;
      const name = desired?.manifest.metadata.name ?? live!.name;
      const base = { key, kind, name, restartRequired: false, changes: [] as ResourceChange['changes'] };
      if (!desired) {
        if ((live!.spec as FakeSpec).released) return { ...base, action: 'no-op', reason: 'nothing to delete', steps: [], dependsOn: [] };
        return {
          ...base,
          action: 'delete',
          reason: 'left the manifests',
          steps: [steps.remove(`delete ${key}`)],
          dependsOn: refsOf(live!.spec),
        };
      }
      const spec = desired.manifest.spec as FakeSpec;
      const refused = spec.refuse;
      const common = { dependsOn: refsOf(spec), ...(refused ? { refused } : {}) };
      if (!live) {
        return {
          ...base,
          ...common,
          action: 'create',
          reason: 'absent on the host',
          changes: [{ path: 'spec.value', after: spec.value, class: 'redefine' }],
          steps: [steps.define(`define ${key}`)],
        };
      }
      const liveValue = (live.spec as FakeSpec).value;
      if (liveValue === spec.value) return { ...base, ...common, ...onLive, action: 'no-op', reason: 'matches', steps: [] };
      return {
        ...base,
        ...common,
        ...onLive,
        action: 'update',
        reason: 'spec.value differs',
        restartRequired: live.active,
        changes: [{ path: 'spec.value', before: liveValue, after: spec.value, class: 'redefine' }],
        steps: [steps.define(`redefine ${key}`)],
      };
    },
    readLive: async () => [],
    async execute(step, change) {
      await hook.current?.(step, change as ResourceChange);
    },
  };
}

export function fakeRegistry(hook: { current?: ExecuteHook } = {}): KindRegistry {
  return {
    Domain: fakeKind('Domain', hook),
    Network: fakeKind('Network', hook),
    StoragePool: fakeKind('StoragePool', hook),
    StorageVolume: fakeKind('StorageVolume', hook),
    Interface: fakeKind('Interface', hook),
    NodeDevice: fakeKind('NodeDevice', hook),
    Secret: fakeKind('Secret', hook),
  };
}

export const fakeClient = {} as LibvirtClient;
