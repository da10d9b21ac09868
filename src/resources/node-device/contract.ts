// The NodeDevice kind's contract (see src/resources/contract.ts). Pure.
import { nodeDeviceSpecSchema, type NodeDeviceManifest } from './schema.js';
import { kindKey } from '../../manifests/keys.js';
import type { DesiredState, IdentityKey, PciAddress } from '../../manifests/types.js';
import { documentName, type KindDefinition } from '../contract.js';
import { checkNodeDevicesAcross } from './check-across.js';

export const NODE_DEVICE_KIND = 'NodeDevice';

export const nodeDeviceDefinition: KindDefinition<NodeDeviceManifest> = {
  kind: NODE_DEVICE_KIND,
  schema: { file: 'nodedevice.schema.json', spec: nodeDeviceSpecSchema },
  keyName: documentName,
  references: () => [],
  checkAcross: checkNodeDevicesAcross,
  xmlRoot: 'device',
  events: { source: 'nodeDevice', keys: (name, desired) => nodeDeviceKeys(name, desired) },
  export: { filePrefix: 'node-device', hostHardware: true },
};

/**
 * NodeDevice manifests are named by the user, not by libvirt: a device event matches a
 * manifest of the same name, or one whose PCI address is the one libvirt encodes in the device
 * name (`pci_0000_06_12_5`).
 */
export function nodeDeviceKeys(deviceName: string, desired: DesiredState | null): IdentityKey[] {
  const keys = [kindKey(NODE_DEVICE_KIND, deviceName)];
  const address = parsePciDeviceName(deviceName);
  for (const loaded of desired?.manifests ?? []) {
    if (loaded.manifest.kind !== NODE_DEVICE_KIND) continue;
    const pci = (loaded.manifest as NodeDeviceManifest).spec.pci;
    if (address && pci && samePci(pci, address)) keys.push(loaded.key);
  }
  return keys;
}

/** libvirt names PCI node devices `pci_DDDD_BB_SS_F` (hex). */
export function parsePciDeviceName(name: string): Required<PciAddress> | null {
  const m = /^pci_([0-9a-f]{4})_([0-9a-f]{2})_([0-9a-f]{2})_([0-7])$/i.exec(name);
  if (!m) return null;
  return { domain: parseInt(m[1]!, 16), bus: parseInt(m[2]!, 16), slot: parseInt(m[3]!, 16), function: parseInt(m[4]!, 16) };
}

function samePci(a: PciAddress, b: Required<PciAddress>): boolean {
  return (a.domain ?? 0) === b.domain && a.bus === b.bus && a.slot === b.slot && a.function === b.function;
}
