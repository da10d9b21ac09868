// I/O: reading storage pools and carrying out planned steps.
import type { LibvirtClient, StoragePoolRef } from '../../libvirt/client.js';
import { VIR_ERR_NO_STORAGE_POOL } from '../../libvirt/errors.js';
import { mapBounded, READ_CONCURRENCY, unlessGone } from '../common/bounded.js';
import { StepRefs } from '../common/step-refs.js';
import { lifecycleFacts, type LifecycleFacts } from '../common/list-facts.js';
import { kindKey } from '../../manifests/identity.js';
import type { LiveResource, ResourceChange, Step } from '../types.js';
import { inactiveXmlOrLive } from '../common/live-xml.js';
import { payloadBoolean, payloadString, unknownStep } from '../common/payload.js';
import { poolFromXml } from './from-xml.js';

export async function readPools(client: LibvirtClient): Promise<Array<LiveResource<'StoragePool'>>> {
  const [refs, factsOf] = await Promise.all([
    client.listStoragePools(),
    lifecycleFacts((filter) => client.listStoragePools(filter), {
      active: (ref) => client.isStoragePoolActive(ref),
      persistent: (ref) => client.isStoragePoolPersistent(ref),
      autostart: (ref) => client.getStoragePoolAutostart(ref),
    }),
  ]);
  return mapBounded(refs, READ_CONCURRENCY, (ref) => unlessGone(readOne(client, ref, factsOf), VIR_ERR_NO_STORAGE_POOL));
}

/** One pool by name, undefined when there is none. */
export async function readPool(client: LibvirtClient, name: string): Promise<LiveResource<'StoragePool'> | undefined> {
  const ref = await client.lookupStoragePool(name);
  if (!ref) return undefined;
  const factsOf = async (r: StoragePoolRef): Promise<LifecycleFacts> => {
    const [active, persistent, autostart] = await Promise.all([
      client.isStoragePoolActive(r),
      client.isStoragePoolPersistent(r),
      client.getStoragePoolAutostart(r),
    ]);
    return { active, persistent, autostart };
  };
  return unlessGone(readOne(client, ref, factsOf), VIR_ERR_NO_STORAGE_POOL);
}

async function readOne(
  client: LibvirtClient,
  ref: StoragePoolRef,
  factsOf: (ref: StoragePoolRef) => Promise<LifecycleFacts>,
): Promise<LiveResource<'StoragePool'>> {
  const [xml, { active, persistent, autostart }] = await Promise.all([inactiveXmlOrLive((inactive) => client.getStoragePoolXml(ref, { inactive })), factsOf(ref)]);
  return {
    key: kindKey('StoragePool', ref.name),
    kind: 'StoragePool',
    name: ref.name,
    xml,
    spec: poolFromXml(xml, { active, autostart }),
    active,
    persistent,
    markedOwned: false,
  };
}

/** Handles of pools defined by the change being executed, for its later steps. */
const poolRefs = new StepRefs<StoragePoolRef>();

export async function executePoolStep(step: Step, change: ResourceChange<'StoragePool'>, client: LibvirtClient): Promise<void> {
  if (step.op === 'define') {
    poolRefs.remember(change, await client.defineStoragePool(payloadString(step, 'xml')));
    return;
  }
  const ref = await poolRefs.get(change, () => client.getStoragePool(payloadString(step, 'name')));
  switch (step.op) {
    case 'build':
      return client.buildStoragePool(ref, payloadBoolean(step, 'noOverwrite') ? { noOverwrite: true } : {});
    case 'start':
      return client.startStoragePool(ref);
    case 'destroy':
      return client.destroyStoragePool(ref);
    case 'undefine':
      poolRefs.forget(change);
      return client.undefineStoragePool(ref);
    case 'setAutostart':
      return client.setStoragePoolAutostart(ref, payloadBoolean(step, 'autostart'));
    default:
      throw unknownStep('StoragePool', step);
  }
}
