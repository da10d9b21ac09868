// The life every "persistent libvirt object" kind shares (networks, storage pools, host
// interfaces, secrets): defined from XML, started and stopped, maybe set to autostart, undefined.
// This module holds that life once — reading the objects, the skeleton of a plan, and the
// execution of its lifecycle steps — over a small adapter per kind that names the libvirt calls
// for its object type and adds what only it does (network live updates, pool builds, secret
// values). What a kind's fields mean stays in the kind's folder.
import type { LibvirtClient } from '../../libvirt/client.js';
import type { IdentityKey, LoadedManifest, ManifestKind, ManifestOfKind, SpecOfKind } from '../../manifests/types.js';
import { kindKey } from '../../manifests/keys.js';
import type { LiveResource, PlanContext, ResourceChange, RuntimeFacts, StepOfKind, StepRecords } from '../types.js';
import type { DestroyStep, UndefineStep } from './lifecycle-steps.js';
import { buildChange, changeIdentity, createChanges, noOp, type ChangeIdentity } from './change.js';
import { stopStep, undefineStep } from './lifecycle.js';
import { readAllWithFacts, readOneWithFacts, type LifecycleFacts, type LifecycleKindReader, type PerObjectFacts } from './list-facts.js';
import { inactiveXmlOrLive } from './live-xml.js';
import { payloadBoolean, payloadString, StepPayloadError, unknownStep, type PayloadCarrier } from './payload.js';
import { StepRefs } from './step-refs.js';

// ---------------------------------------------------------------------------------------------
// Reading

/** How one kind's objects are listed and read; R is libvirt's handle (NetworkRef, ...). */
export interface ObjectReadAdapter<K extends ManifestKind, R extends { name: string }> {
  kind: K;
  list(client: LibvirtClient, filter?: { active?: boolean; persistent?: boolean; autostart?: boolean }): Promise<R[]>;
  lookup(client: LibvirtClient, name: string): Promise<R | null>;
  /** Per-object runtime facts, for one object or a driver that rejects filtered listings. */
  facts(client: LibvirtClient): PerObjectFacts<R>;
  /**
   * Facts of every object at once. Default: three filtered listings (networks, pools). Kinds
   * whose listings filter on less (interfaces: active only) give their own.
   */
  bulkFacts?(client: LibvirtClient): Promise<(ref: R) => Promise<LifecycleFacts>>;
  /** The object's XML; `inactive` asks for the persistent definition. */
  xml(client: LibvirtClient, ref: R, inactive: boolean): Promise<string>;
  fromXml(xml: string, runtime: RuntimeFacts): SpecOfKind<K>;
  /**
   * The live object with the running configuration of an active object, where it can differ
   * from the persistent one (networks): compared with the manifest so a redefine not yet running
   * shows as pending.
   */
  withRunning?(client: LibvirtClient, ref: R, facts: LifecycleFacts, live: LiveResource<K>): Promise<LiveResource<K>>;
  /** libvirt's "no such object" code: one removed between listing and reading is left out. */
  goneCode: number;
}

function kindReader<K extends ManifestKind, R extends { name: string }>(
  adapter: ObjectReadAdapter<K, R>,
  client: LibvirtClient,
): LifecycleKindReader<R, LiveResource<K>> {
  return {
    list: (filter) => adapter.list(client, filter),
    lookup: (name) => adapter.lookup(client, name),
    facts: adapter.facts(client),
    ...(adapter.bulkFacts ? { bulkFacts: () => adapter.bulkFacts!(client) } : {}),
    read: async (ref, facts) => {
      const { active, persistent, autostart } = facts;
      // Diffs compare against the persistent definition (the live one where the driver has no other).
      const xml = await inactiveXmlOrLive((inactive) => adapter.xml(client, ref, inactive));
      const live: LiveResource<K> = {
        key: kindKey(adapter.kind, ref.name),
        kind: adapter.kind,
        name: ref.name,
        xml,
        spec: adapter.fromXml(xml, { active, autostart }),
        active,
        persistent,
        markedOwned: false,
      };
      return adapter.withRunning ? adapter.withRunning(client, ref, facts, live) : live;
    },
    goneCode: adapter.goneCode,
  };
}

/** Every object of the kind, read through its adapter. */
export function readObjects<K extends ManifestKind, R extends { name: string }>(
  adapter: ObjectReadAdapter<K, R>,
  client: LibvirtClient,
): Promise<Array<LiveResource<K>>> {
  return readAllWithFacts(kindReader(adapter, client));
}

/** The one object `name` names, undefined when there is none. */
export function readObject<K extends ManifestKind, R extends { name: string }>(
  adapter: ObjectReadAdapter<K, R>,
  client: LibvirtClient,
  name: string,
): Promise<LiveResource<K> | undefined> {
  return readOneWithFacts(kindReader(adapter, client), name);
}

// ---------------------------------------------------------------------------------------------
// Planning

/** What a kind adds to the plan skeleton: how it comes to exist and how it is brought in line. */
export interface ObjectPlanAdapter<K extends ManifestKind> {
  kind: K;
  /** The word plans use for the object ("network", "pool", "interface"). */
  noun: string;
  /** Why a delete ("network left the manifests"). */
  deleteReason: string;
  /** The steps taking the object away: removeSteps(noun, live) for every kind today, typed as the kind's steps. */
  deleteSteps(live: LiveResource<K>): Array<StepOfKind<K>>;
  /** Keys this manifest waits for; none when absent. */
  dependsOn?(manifest: ManifestOfKind<K>, ctx: PlanContext): IdentityKey[];
  /** The manifest as the kind plans with it (pools: login secrets resolved to usage ids). */
  prepare?(manifest: ManifestOfKind<K>, ctx: PlanContext): ManifestOfKind<K>;
  /** The steps creating the object, in the kind's order (define, build, start, autostart, ...). */
  createSteps(manifest: ManifestOfKind<K>, ctx: PlanContext): Array<StepOfKind<K>>;
  /** The change bringing an existing object to the manifest (no-op included). */
  planUpdate(id: ChangeIdentity<K>, manifest: ManifestOfKind<K>, live: LiveResource<K>, ctx: PlanContext): ResourceChange<K>;
}

/** Taking an object away: stopped when active, undefined when persistent. Its storage, if any, stays. */
export function removeSteps(noun: string, live: Pick<LiveResource, 'name' | 'active' | 'persistent'>): Array<DestroyStep | UndefineStep> {
  const label = `${noun} ${live.name}`;
  const payload = { name: live.name };
  const steps: Array<DestroyStep | UndefineStep> = [];
  if (live.active) steps.push(stopStep(label, payload));
  if (live.persistent) steps.push(undefineStep(label, payload));
  return steps;
}

/** The plan skeleton: delete (desired absent), create (live absent), else the kind's update. */
export function planObject<K extends ManifestKind>(
  adapter: ObjectPlanAdapter<K>,
  desired: LoadedManifest<ManifestOfKind<K>> | undefined,
  live: LiveResource<K> | undefined,
  ctx: PlanContext,
): ResourceChange<K> {
  const id = changeIdentity(adapter.kind, desired, live, desired && adapter.dependsOn ? adapter.dependsOn(desired.manifest, ctx) : []);
  if (!desired) {
    if (!live) return noOp(id, 'absent on both sides');
    return buildChange(id, { action: 'delete', reason: adapter.deleteReason, steps: adapter.deleteSteps(live) });
  }
  const manifest = adapter.prepare ? adapter.prepare(desired.manifest, ctx) : desired.manifest;
  if (!live) {
    return buildChange(id, {
      action: 'create',
      reason: `${adapter.noun} does not exist`,
      changes: createChanges(manifest.spec),
      steps: adapter.createSteps(manifest, ctx),
    });
  }
  return adapter.planUpdate(id, manifest, live, ctx);
}

// ---------------------------------------------------------------------------------------------
// Executing

/** The libvirt calls for one object type, on one connection. Absent ones: the kind has no such step. */
export interface ObjectCalls<R> {
  define(xml: string): Promise<R>;
  /** The object a step acts on, from its payload; null when there is none. */
  find(step: PayloadCarrier): Promise<R | null>;
  start?(ref: R): Promise<void>;
  destroy?(ref: R): Promise<void>;
  undefine(ref: R): Promise<void>;
  setAutostart?(ref: R, autostart: boolean): Promise<void>;
}

/** What a kind-specific step gets: the object it acts on (looked up once per change), and where to record. */
export interface ExtraStepContext<K extends ManifestKind, R> {
  client: LibvirtClient;
  change: ResourceChange<K>;
  /** The object the step acts on, null when there is none. */
  object(): Promise<R | null>;
  records?: StepRecords;
}

export type ExtraStep<K extends ManifestKind, R> = (step: StepOfKind<K>, ctx: ExtraStepContext<K, R>) => Promise<void>;

export interface ObjectExecuteAdapter<K extends ManifestKind, R> {
  kind: K;
  calls(client: LibvirtClient): ObjectCalls<R>;
  /** Steps only this kind plans (networkUpdate, build, setValue), by op. */
  extraSteps?: Readonly<Record<string, ExtraStep<K, R>>>;
  /**
   * Whether an undefine of an object that is already gone succeeds (secrets: the goal is met).
   * Otherwise find() failing is the step failing.
   */
  undefineGoneIsDone?: boolean;
}

export type ObjectStepExecutor<K extends ManifestKind> = (
  step: StepOfKind<K>,
  change: ResourceChange<K>,
  client: LibvirtClient,
  progress?: unknown,
  records?: StepRecords,
) => Promise<void>;

/**
 * The kind's execute(). The handle a define returns is kept for the change's later steps (start,
 * autostart), so they do not ask libvirt for it again by name; an undefine forgets it.
 */
export function objectStepExecutor<K extends ManifestKind, R>(adapter: ObjectExecuteAdapter<K, R>): ObjectStepExecutor<K> {
  const refs = new StepRefs<R>();
  return async (step, change, client, _progress, records) => {
    const calls = adapter.calls(client);
    const object = async (): Promise<R | null> => {
      const known = refs.known(change);
      if (known !== undefined) return known;
      const found = await calls.find(step);
      if (found !== null) refs.remember(change, found);
      return found;
    };
    const required = async (): Promise<R> => {
      const found = await object();
      if (found === null) throw new StepPayloadError(`step ${step.op}: no ${adapter.kind} to act on`);
      return found;
    };
    const extra = adapter.extraSteps?.[step.op];
    if (extra) return extra(step, { client, change, object, ...(records ? { records } : {}) });
    switch (step.op) {
      case 'define':
        refs.remember(change, await calls.define(payloadString(step, 'xml')));
        return;
      case 'undefine': {
        const ref = adapter.undefineGoneIsDone ? await object() : await required();
        refs.forget(change);
        if (ref !== null) await calls.undefine(ref);
        return;
      }
      case 'start':
        if (calls.start) return calls.start(await required());
        break;
      case 'destroy':
        if (calls.destroy) return calls.destroy(await required());
        break;
      case 'setAutostart':
        if (calls.setAutostart) return calls.setAutostart(await required(), payloadBoolean(step, 'autostart'));
        break;
    }
    throw unknownStep(adapter.kind, step);
  };
}
