// I/O: reading storage pools and carrying out planned steps.
import type { LibvirtClient, StoragePoolRef } from '../../libvirt/client.js';
import { VIR_ERR_NO_STORAGE_POOL } from '../../libvirt/errors.js';
import { StepRefs } from '../common/step-refs.js';
import { readAllWithFacts, readOneWithFacts, type LifecycleKindReader } from '../common/list-facts.js';
import { kindKey } from '../../manifests/identity.js';
import type { LiveResource, ResourceChange, Step } from '../types.js';
import { inactiveXmlOrLive } from '../common/live-xml.js';
import { payloadBoolean, payloadString, unknownStep } from '../common/payload.js';
import { poolFromXml } from './from-xml.js';

function poolReader(client: LibvirtClient): LifecycleKindReader<StoragePoolRef, LiveResource<'StoragePool'>> {
  return {
    list: (filter) => client.listStoragePools(filter),
    lookup: (name) => client.lookupStoragePool(name),
    facts: {
      active: (ref) => client.isStoragePoolActive(ref),
      persistent: (ref) => client.isStoragePoolPersistent(ref),
      autostart: (ref) => client.getStoragePoolAutostart(ref),
    },
    read: async (ref, { active, persistent, autostart }) => {
      const xml = await inactiveXmlOrLive((inactive) => client.getStoragePoolXml(ref, { inactive }));
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
    },
    goneCode: VIR_ERR_NO_STORAGE_POOL,
  };
}

export function readPools(client: LibvirtClient): Promise<Array<LiveResource<'StoragePool'>>> {
  return readAllWithFacts(poolReader(client));
}

/** One pool by name, undefined when there is none. */
export function readPool(client: LibvirtClient, name: string): Promise<LiveResource<'StoragePool'> | undefined> {
  return readOneWithFacts(poolReader(client), name);
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
