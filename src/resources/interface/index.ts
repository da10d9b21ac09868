// The Interface resource kind: host network interfaces through libvirt's netcf backend (virsh iface-*).
import type { ResourceKind } from '../types.js';
import { interfaceDefinition } from './contract.js';
import { interfaceFromXml } from './from-xml.js';
import { executeInterfaceStep, readInterfaces } from './live.js';
import { planInterface } from './plan.js';
import { interfaceToXml } from './to-xml.js';

export const interfaceKind: ResourceKind<'Interface'> = {
  kind: 'Interface',
  definition: interfaceDefinition,
  toXml: (manifest, _live, ctx) => interfaceToXml(manifest, ctx),
  fromXml: interfaceFromXml,
  plan: planInterface,
  readLive: readInterfaces,
  execute: executeInterfaceStep,
};

export { interfaceToXml, interfaceFromXml, planInterface };
