// The NodeDevice resource kind: host PCI/USB devices kept detached for passthrough (virsh nodedev-detach/-reattach).
import type { ResourceKind } from '../types.js';
import { nodeDeviceDefinition } from './contract.js';
import { executeNodeDeviceStep, readNodeDevices } from './live.js';
import { planNodeDevice } from './plan.js';
import { nodeDeviceFromXml, nodeDeviceToXml } from './xml.js';

export const nodeDeviceKind: ResourceKind<'NodeDevice'> = {
  kind: 'NodeDevice',
  definition: nodeDeviceDefinition,
  toXml: (manifest) => nodeDeviceToXml(manifest),
  fromXml: nodeDeviceFromXml,
  plan: planNodeDevice,
  readLive: readNodeDevices,
  execute: executeNodeDeviceStep,
};

export { nodeDeviceToXml, nodeDeviceFromXml, planNodeDevice };
export { pciDeviceName, findDevices } from './identity.js';
