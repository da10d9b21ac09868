// I/O: reading host interfaces and carrying out planned steps.
import type { LibvirtClient } from '../../libvirt/client.js';
import { VIR_ERR_NO_INTERFACE } from '../../libvirt/errors.js';
import { mapBounded, READ_CONCURRENCY, unlessGone } from '../common/bounded.js';
import { kindKey } from '../../manifests/identity.js';
import type { LiveResource, ResourceChange, Step } from '../types.js';
import { inactiveXmlOrLive } from '../common/live-xml.js';
import { payloadString, unknownStep } from '../common/payload.js';
import { interfaceFromXml } from './from-xml.js';

export async function readInterfaces(client: LibvirtClient): Promise<Array<LiveResource<'Interface'>>> {
  const [refs, active] = await Promise.all([client.listInterfaces(), client.listInterfaces({ active: true })]);
  const activeNames = new Set(active.map((r) => r.name));
  return mapBounded(refs, READ_CONCURRENCY, async (ref) => {
    const xml = await unlessGone(
      inactiveXmlOrLive((inactive) => client.getInterfaceXml(ref, { inactive })),
      VIR_ERR_NO_INTERFACE,
    );
    if (xml === undefined) return undefined;
    const isActive = activeNames.has(ref.name);
    return {
      key: kindKey('Interface', ref.name),
      kind: 'Interface' as const,
      name: ref.name,
      xml,
      spec: interfaceFromXml(xml, { active: isActive }),
      active: isActive,
      persistent: true,
      markedOwned: false,
    };
  });
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
