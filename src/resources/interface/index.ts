// The Interface resource kind: host network interfaces through libvirt's netcf backend (virsh iface-*).
import type { ResourceKind } from '../types.js';
import { interfaceFromXml } from './from-xml.js';
import { executeInterfaceStep, readInterfaces } from './live.js';
import { planInterface } from './plan.js';
import { interfaceToXml } from './to-xml.js';

export const interfaceKind: ResourceKind<'Interface'> = {
  kind: 'Interface',
  // Members may be plain host NICs with no manifest, so references are resolved in plan()
  // (dependsOn lists only the members that are Interface manifests).
  dependencies: () => [],
  toXml: (manifest, _live, ctx) => interfaceToXml(manifest, ctx),
  fromXml: interfaceFromXml,
  plan: planInterface,
  readLive: readInterfaces,
  execute: executeInterfaceStep,
};

export { interfaceToXml, interfaceFromXml, planInterface };
