// Two NodeDevice manifests of one host device. Pure.
import type { NodeDeviceManifest } from './schema.js';
import type { Candidate, CrossFindings, CrossIssue, CrossScope } from '../contract.js';
import { pciText } from './identity.js';

export function checkNodeDevicesAcross({ mine }: CrossScope<NodeDeviceManifest>): CrossFindings {
  return { errors: duplicateNodeDevices(mine), warnings: [] };
}

function duplicateNodeDevices(candidates: ReadonlyArray<Candidate<NodeDeviceManifest>>): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const seen = new Map<string, string>();
  for (const c of candidates) {
    const s = c.manifest.spec;
    const key = s.pci ? `PCI device ${pciText(s.pci)}` : `USB device ${JSON.stringify(s.usb)}`;
    const prev = seen.get(key);
    if (prev)
      issues.push({ candidate: c, path: ['spec', s.pci ? 'pci' : 'usb'], message: `${key} is already declared by NodeDevice "${prev}"` });
    else seen.set(key, c.manifest.metadata.name);
  }
  return issues;
}
