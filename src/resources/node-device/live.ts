// I/O: reading PCI and USB node devices and detaching/reattaching them. Listing uses capability
// filters (the test driver rejects other list flags).
import type { LibvirtClient } from '../../libvirt/client.js';
import { kindKey } from '../../manifests/identity.js';
import type { LiveResource, ResourceChange, Step } from '../types.js';
import { payloadOptionalString, payloadString, unknownStep } from '../common/payload.js';
import { nodeDeviceFromXml } from './xml.js';

export async function readNodeDevices(client: LibvirtClient): Promise<Array<LiveResource<'NodeDevice'>>> {
  const out: Array<LiveResource<'NodeDevice'>> = [];
  for (const ref of await client.listNodeDevices({ capabilities: ['pci', 'usb_device'] })) {
    const xml = await client.getNodeDeviceXml(ref);
    const spec = nodeDeviceFromXml(xml, {});
    out.push({
      key: kindKey('NodeDevice', ref.name),
      kind: 'NodeDevice',
      name: ref.name,
      xml,
      spec,
      active: spec.detached ?? false,
      persistent: true,
      markedOwned: false,
    });
  }
  return out;
}

export async function executeNodeDeviceStep(step: Step, _change: ResourceChange<'NodeDevice'>, client: LibvirtClient): Promise<void> {
  const name = payloadString(step, 'name');
  switch (step.op) {
    case 'detach': {
      const driver = payloadOptionalString(step, 'driver');
      return client.detachNodeDevice(name, driver ? { driver } : {});
    }
    case 'reattach':
      return client.reattachNodeDevice(name);
    default:
      throw unknownStep('NodeDevice', step);
  }
}
