// Pure: turns what libvirt's node-device API returned (every device's XML) and, on the local
// machine, what /proc and sysfs said, into the host use of each PCI device. libvirt knows the
// device tree (a `net` child's <interface> and <link state>, a `storage` child's <block>, a PCI
// device's <iommuGroup>) on any host; mounts, swap and addresses only the host itself knows.
import { attr, child, children, parseXml, text, type XmlElement } from '../xml.js';
import { parseIntAttr } from '../common/normalize.js';
import type { BlockUse, DeviceHostUse, NetUse } from './host-use.js';

/** What only the machine itself can tell; absent when the connection goes to another host. */
export interface LocalHostFacts {
  /** Disk name (vda, nvme0n1, sda) → mount points of it or its partitions/holders. */
  mountsByDisk: ReadonlyMap<string, readonly string[]>;
  /** Disk names that hold an active swap area. */
  swapDisks: ReadonlySet<string>;
  /** Interface name → its addresses. */
  addresses: ReadonlyMap<string, readonly string[]>;
}

interface ParsedDevice {
  name: string;
  parent?: string;
  caps: XmlElement[];
}

function parseDevice(xml: string): ParsedDevice {
  const root = parseXml(xml);
  return { name: text(child(root, 'name')) ?? '', parent: text(child(root, 'parent')), caps: children(root, 'capability') };
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

function iommuGroupOf(pciCap: XmlElement): DeviceHostUse['iommuGroup'] {
  const group = child(pciCap, 'iommuGroup');
  if (!group) return undefined;
  const members = children(group, 'address').map((a) => {
    const n = (k: string) => parseIntAttr(attr(a, k)) ?? 0;
    return `pci_${n('domain').toString(16).padStart(4, '0')}_${hex2(n('bus'))}_${hex2(n('slot'))}_${n('function')}`;
  });
  return { number: parseIntAttr(attr(group, 'number')) ?? 0, members };
}

/** Disk name of a block path: /dev/vda → vda. */
const diskName = (block: string): string => block.replace(/^\/dev\//, '');

/**
 * The host use of every PCI device in `deviceXml` (all node devices' XML), by libvirt name.
 * `local` undefined: the host is remote, and the checks only it could answer are listed as unchecked.
 */
export function hostUseByDevice(deviceXml: readonly string[], local: LocalHostFacts | undefined): Map<string, DeviceHostUse> {
  const devices = deviceXml.map(parseDevice);
  const byName = new Map(devices.map((d) => [d.name, d] as const));
  const pciAncestor = (d: ParsedDevice): string | undefined => {
    const seen = new Set<string>();
    for (let p = d.parent; p !== undefined && !seen.has(p); p = byName.get(p)?.parent) {
      seen.add(p);
      const parent = byName.get(p);
      if (parent?.caps.some((c) => attr(c, 'type') === 'pci')) return p;
    }
    return undefined;
  };
  const nets = new Map<string, NetUse[]>();
  const blocks = new Map<string, BlockUse[]>();
  for (const d of devices) {
    const owner = pciAncestor(d);
    if (owner === undefined) continue;
    for (const cap of d.caps) {
      const type = attr(cap, 'type');
      if (type === 'net') {
        const ifname = text(child(cap, 'interface'));
        if (ifname === undefined) continue;
        const use: NetUse = {
          interface: ifname,
          linkState: attr(child(cap, 'link'), 'state'),
          addresses: local ? (local.addresses.get(ifname) ?? []) : undefined,
        };
        nets.set(owner, [...(nets.get(owner) ?? []), use]);
      } else if (type === 'storage') {
        const block = text(child(cap, 'block'));
        if (block === undefined) continue;
        const disk = diskName(block);
        const use: BlockUse = local
          ? { device: block, mountedOn: local.mountsByDisk.get(disk) ?? [], swap: local.swapDisks.has(disk) }
          : { device: block };
        blocks.set(owner, [...(blocks.get(owner) ?? []), use]);
      }
    }
  }
  const unchecked = local
    ? []
    : ['interface addresses, mounts, swap and the root filesystem: the host is remote and libvirt does not report them'];
  const out = new Map<string, DeviceHostUse>();
  for (const d of devices) {
    const pciCap = d.caps.find((c) => attr(c, 'type') === 'pci');
    if (!pciCap) continue;
    out.set(d.name, { nets: nets.get(d.name) ?? [], blocks: blocks.get(d.name) ?? [], iommuGroup: iommuGroupOf(pciCap), unchecked });
  }
  return out;
}

/** /proc/mounts text → [source, mount point] of every mount whose source is a /dev path. */
export function parseMounts(procMounts: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of procMounts.split('\n')) {
    const [source, target] = line.split(' ');
    if (source?.startsWith('/dev/') && target) out.push([source, target.replace(/\\040/g, ' ')]);
  }
  return out;
}

/** /proc/swaps text → the /dev paths in use as swap (swap files are skipped). */
export function parseSwaps(procSwaps: string): string[] {
  return procSwaps
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((s) => s.startsWith('/dev/'));
}
