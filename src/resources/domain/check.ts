// A Domain's rules a JSON Schema cannot express (memory arithmetic, CPU topology, duplicates inside the document). Pure.
import type { DomainManifest, DomainSpec } from './schema.js';
import { isGroupMac } from '../../manifests/ip.js';
import type { CheckIssue } from '../contract.js';
import { firstDuplicate, GROUP_MAC_MESSAGE, prefixed, size } from '../common/checks.js';

export function checkDomain(m: DomainManifest): CheckIssue[] {
  return checkDomainSpec(m.spec).map(prefixed(['spec']));
}

function checkDomainSpec(spec: DomainSpec): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const memory = size(['memory'], spec.memory, issues);
  const current = size(['currentMemory'], spec.currentMemory, issues);
  if (memory !== undefined && memory < 1024 * 1024) issues.push({ path: ['memory'], message: 'must be at least 1MiB' });
  if (memory !== undefined && current !== undefined && current > memory)
    issues.push({ path: ['currentMemory'], message: 'must not be more than memory' });

  const topo = spec.cpu?.topology;
  if (topo && topo.sockets * topo.cores * topo.threads !== (spec.vcpus ?? 1))
    issues.push({
      path: ['cpu', 'topology'],
      message: `sockets × cores × threads is ${topo.sockets * topo.cores * topo.threads}, but vcpus is ${spec.vcpus ?? 1}`,
    });
  if (spec.cpu?.mode === 'custom' && !spec.cpu.model) issues.push({ path: ['cpu', 'model'], message: 'is required with mode custom' });
  if (spec.cpu?.model && spec.cpu.mode && spec.cpu.mode !== 'custom')
    issues.push({ path: ['cpu', 'model'], message: 'is only used with mode custom' });

  if (spec.os && (spec.os.initrd || spec.os.cmdline) && !spec.os.kernel)
    issues.push({ path: ['os', spec.os.initrd ? 'initrd' : 'cmdline'], message: 'needs os.kernel (direct kernel boot)' });

  firstDuplicate(
    spec.disks ?? [],
    (d) => d.target,
    (i, first) => issues.push({ path: ['disks', i, 'target'], message: `is already used by disks[${first}]` }),
  );
  (spec.disks ?? []).forEach((d, i) => {
    if (d.device === 'cdrom' && d.bus === 'virtio')
      issues.push({ path: ['disks', i, 'bus'], message: 'a cdrom cannot be on the virtio bus; use sata, scsi or ide' });
  });
  firstDuplicate(
    spec.interfaces ?? [],
    (n) => n.mac?.toLowerCase(),
    (i, first) => issues.push({ path: ['interfaces', i, 'mac'], message: `is already used by interfaces[${first}]` }),
  );
  (spec.interfaces ?? []).forEach((n, i) => {
    if (n.mac !== undefined && isGroupMac(n.mac)) issues.push({ path: ['interfaces', i, 'mac'], message: GROUP_MAC_MESSAGE });
  });
  firstDuplicate(spec.hostdevs ?? [], hostdevKey, (i, first) =>
    issues.push({ path: ['hostdevs', i], message: `passes through the same device as hostdevs[${first}]` }),
  );
  (spec.graphics ?? []).forEach((g, i) => {
    if (g.port !== undefined && g.port < 5900 && g.type === 'vnc')
      issues.push({ path: ['graphics', i, 'port'], message: 'must be 5900 or more for vnc' });
  });
  return issues;
}

function hostdevKey(h: NonNullable<DomainSpec['hostdevs']>[number]): string | undefined {
  if (h.nodeDevice) return `nd:${h.nodeDevice}`;
  if (h.pci) return `pci:${h.pci.domain ?? 0}:${h.pci.bus}:${h.pci.slot}:${h.pci.function}`;
  if (h.usb) return `usb:${JSON.stringify(h.usb)}`;
  return undefined;
}
