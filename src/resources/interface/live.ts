// I/O: the libvirt calls of host interfaces, for the persistent-object template
// (common/persistent-object.ts). Interfaces are always persistent and have no autostart (their
// start mode is in the XML); their listings filter on active only.
import type { InterfaceRef, LibvirtClient } from '../../libvirt/client.js';
import { VIR_ERR_NO_INTERFACE } from '../../libvirt/errors.js';
import type { LiveResource } from '../types.js';
import { objectStepExecutor, readObjects, type ObjectReadAdapter } from '../common/persistent-object.js';
import { payloadString } from '../common/payload.js';
import { interfaceFromXml } from './from-xml.js';

const interfaceReading: ObjectReadAdapter<'Interface', InterfaceRef> = {
  kind: 'Interface',
  list: (client, filter) => client.listInterfaces(filter?.active ? { active: true } : {}),
  lookup: (client, name) => client.lookupInterface(name),
  facts: (client) => ({
    active: (ref) => client.isInterfaceActive(ref),
    persistent: async () => true,
    autostart: async () => false,
  }),
  bulkFacts: async (client) => {
    const active = new Set((await client.listInterfaces({ active: true })).map((r) => r.name));
    return async (ref) => ({ active: active.has(ref.name), persistent: true, autostart: false });
  },
  xml: (client, ref, inactive) => client.getInterfaceXml(ref, { inactive }),
  fromXml: interfaceFromXml,
  goneCode: VIR_ERR_NO_INTERFACE,
};

export function readInterfaces(client: LibvirtClient): Promise<Array<LiveResource<'Interface'>>> {
  return readObjects(interfaceReading, client);
}

export const executeInterfaceStep = objectStepExecutor<'Interface', InterfaceRef>({
  kind: 'Interface',
  calls: (client) => ({
    define: (xml) => client.defineInterface(xml),
    find: (step) => client.getInterface(payloadString(step, 'name')),
    start: (ref) => client.startInterface(ref),
    destroy: (ref) => client.destroyInterface(ref),
    undefine: (ref) => client.undefineInterface(ref),
  }),
});
