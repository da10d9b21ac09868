// Pure: does the host itself use a PCI device, and may it therefore not be detached? Facts in
// (what libvirt's node-device API and, on the local machine only, /proc and sysfs said), a
// refusal out. Detaching the function that carries the host's own eth0 or its root disk cuts
// the machine off or crashes it, so the plan refuses unless the manifest says it knows
// (`virtkeeper.io/allow-host-device: "true"`). Functions of one IOMMU group reset together and
// must be assigned together, so a group member the host uses blocks the whole group.

export const ANNOTATION_ALLOW_HOST_DEVICE = 'virtkeeper.io/allow-host-device';

/** A network interface on the device, from a `net` child: <interface> and <link state=…>. */
export interface NetUse {
  interface: string;
  linkState?: string;
  /** Addresses the interface has; undefined when they could not be read (a remote host). */
  addresses?: readonly string[];
}

/** A block device on the device (a `storage` child's <block>, e.g. /dev/vda). */
export interface BlockUse {
  device: string;
  /** Mount points of the device or its partitions; undefined when they could not be read. */
  mountedOn?: readonly string[];
  /** True when it (or a partition) is swapped on; undefined when that could not be read. */
  swap?: boolean;
}

/** Everything known about how the host uses one PCI device. */
export interface DeviceHostUse {
  nets: readonly NetUse[];
  blocks: readonly BlockUse[];
  /** libvirt names of the members of the device's IOMMU group (itself included); empty: no IOMMU group reported. */
  iommuGroup?: { number: number; members: readonly string[] };
  /** Checks that could not be made, said in the plan ("mounts: the host is remote"). */
  unchecked: readonly string[];
}

/** One use the host makes of a device, in words for the plan ("network interface eth0 (link up)"). */
export function hostUses(use: DeviceHostUse): string[] {
  const found: string[] = [];
  for (const net of use.nets) {
    const up = net.linkState === 'up';
    const addressed = (net.addresses?.length ?? 0) > 0;
    if (!up && !addressed) continue;
    const why = [up ? 'link up' : undefined, addressed ? `address ${net.addresses!.join(', ')}` : undefined].filter(Boolean).join(', ');
    found.push(`network interface ${net.interface} (${why})`);
  }
  for (const block of use.blocks) {
    const mounts = block.mountedOn ?? [];
    if (mounts.includes('/')) found.push(`${block.device}, which holds the root filesystem`);
    const others = mounts.filter((m) => m !== '/');
    if (others.length > 0) found.push(`${block.device}, mounted on ${others.join(', ')}`);
    if (block.swap) found.push(`${block.device}, used as swap`);
  }
  return found;
}

export interface RefusalInput {
  /** libvirt name of the device to detach. */
  device: string;
  use: DeviceHostUse | undefined;
  /** The host use of every other PCI device, by libvirt name (for the IOMMU group). */
  useOf: (name: string) => DeviceHostUse | undefined;
  allowed: boolean;
}

export interface HostDeviceVerdict {
  /** Set when detaching must be refused. */
  refused?: string;
  /** Checks that could not be made, for the plan's reason even when nothing was refused. */
  unchecked: string[];
}

const ALLOW_HINT = `annotate ${ANNOTATION_ALLOW_HOST_DEVICE}: "true" if the host really can do without it`;

export function judgeDetach(input: RefusalInput): HostDeviceVerdict {
  const unchecked = [...(input.use?.unchecked ?? [])];
  if (input.allowed) return { unchecked };
  const own = input.use ? hostUses(input.use) : [];
  if (own.length > 0) {
    return {
      refused: `the host uses ${input.device}: ${own.join('; ')}; detaching it would take that away from the host (${ALLOW_HINT})`,
      unchecked,
    };
  }
  const group = input.use?.iommuGroup;
  if (group) {
    const busy = group.members
      .filter((m) => m !== input.device)
      .map((m) => ({ name: m, uses: hostUses(input.useOf(m) ?? { nets: [], blocks: [], unchecked: [] }) }))
      .filter((m) => m.uses.length > 0);
    if (busy.length > 0) {
      const list = busy.map((m) => `${m.name} (${m.uses.join('; ')})`).join(', ');
      return {
        refused:
          `${input.device} is in IOMMU group ${group.number} (${group.members.join(', ')}), whose devices reset together and must be assigned together, ` +
          `and the host uses ${list} (${ALLOW_HINT})`,
        unchecked,
      };
    }
  }
  return { unchecked };
}
