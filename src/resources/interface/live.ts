// I/O: reading host interfaces and carrying out planned steps.
import type { LibvirtClient } from '../../libvirt/client.js';
import { kindKey } from '../../manifests/identity.js';
import type { LiveResource, ResourceChange, Step } from '../types.js';
import { inactiveXmlOrLive } from '../common/live-xml.js';
import { payloadString, unknownStep } from '../common/payload.js';
import { interfaceFromXml } from './from-xml.js';

export async function readInterfaces(client: LibvirtClient): Promise<Array<LiveResource<'Interface'>>> {
  const out: Array<LiveResource<'Interface'>> = [];
  for (const ref of await client.listInterfaces()) {
    const [xml, active] = await Promise.all([
      inactiveXmlOrLive((inactive) => client.getInterfaceXml(ref, { inactive })),
      client.isInterfaceActive(ref),
    ]);
    out.push({
      key: kindKey('Interface', ref.name),
      kind: 'Interface',
      name: ref.name,
      xml,
      spec: interfaceFromXml(xml, { active }),
      active,
      persistent: true,
      markedOwned: false,
    });
  }
  return out;
}

export async function executeInterfaceStep(step: Step, _change: ResourceChange<'Interface'>, client: LibvirtClient): Promise<void> {
  if (step.op === 'define') {
    await client.defineInterface(payloadString(step, 'xml'));
    return;
  }
  const ref = await client.getInterface(payloadString(step, 'name'));
  switch (step.op) {
    case 'start':
      return client.startInterface(ref);
    case 'destroy':
      return client.destroyInterface(ref);
    case 'undefine':
      return client.undefineInterface(ref);
    default:
      throw unknownStep('Interface', step);
  }
}
