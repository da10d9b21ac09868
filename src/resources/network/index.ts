// The Network resource kind: libvirt virtual networks (virsh net-*).
import type { ResourceKind } from '../types.js';
import { networkDefinition } from './contract.js';
import { networkFromXml } from './from-xml.js';
import { executeNetworkStep, readNetworks, readNetwork } from './live.js';
import { planNetwork } from './plan.js';
import { networkToXml } from './to-xml.js';

export const networkKind: ResourceKind<'Network'> = {
  kind: 'Network',
  definition: networkDefinition,
  toXml: (manifest, live) => networkToXml(manifest, live?.xml),
  fromXml: networkFromXml,
  plan: planNetwork,
  readLive: readNetworks,
  readOne: readNetwork,
  execute: executeNetworkStep,
};

export { networkToXml, networkFromXml, planNetwork };
