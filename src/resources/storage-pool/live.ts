// I/O: the libvirt calls of storage pools, for the persistent-object template
// (common/persistent-object.ts), and the one step only pools have: build.
import type { LibvirtClient, StoragePoolRef } from '../../libvirt/client.js';
import { VIR_ERR_NO_STORAGE_POOL } from '../../libvirt/errors.js';
import type { LiveResource } from '../types.js';
import { objectStepExecutor, readObject, readObjects, type ObjectReadAdapter } from '../common/persistent-object.js';
import { payloadBoolean, payloadString, StepPayloadError } from '../common/payload.js';
import { poolFromXml } from './from-xml.js';

const poolReading: ObjectReadAdapter<'StoragePool', StoragePoolRef> = {
  kind: 'StoragePool',
  list: (client, filter) => client.listStoragePools(filter),
  lookup: (client, name) => client.lookupStoragePool(name),
  facts: (client) => ({
    active: (ref) => client.isStoragePoolActive(ref),
    persistent: (ref) => client.isStoragePoolPersistent(ref),
    autostart: (ref) => client.getStoragePoolAutostart(ref),
  }),
  xml: (client, ref, inactive) => client.getStoragePoolXml(ref, { inactive }),
  fromXml: poolFromXml,
  goneCode: VIR_ERR_NO_STORAGE_POOL,
};

export function readPools(client: LibvirtClient): Promise<Array<LiveResource<'StoragePool'>>> {
  return readObjects(poolReading, client);
}

/** One pool by name, undefined when there is none. */
export function readPool(client: LibvirtClient, name: string): Promise<LiveResource<'StoragePool'> | undefined> {
  return readObject(poolReading, client, name);
}

export const executePoolStep = objectStepExecutor<'StoragePool', StoragePoolRef>({
  kind: 'StoragePool',
  calls: (client) => ({
    define: (xml) => client.defineStoragePool(xml),
    find: (step) => client.getStoragePool(payloadString(step, 'name')),
    start: (ref) => client.startStoragePool(ref),
    destroy: (ref) => client.destroyStoragePool(ref),
    undefine: (ref) => client.undefineStoragePool(ref),
    setAutostart: (ref, on) => client.setStoragePoolAutostart(ref, on),
  }),
  extraSteps: {
    build: async (step, { client, object }) => {
      const ref = await object();
      if (ref === null) throw new StepPayloadError(`step ${step.op}: no pool to build`);
      return client.buildStoragePool(ref, payloadBoolean(step, 'noOverwrite') ? { noOverwrite: true } : {});
    },
  },
});
