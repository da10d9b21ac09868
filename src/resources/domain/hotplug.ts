// Devices a running guest gains or loses without a restart (the guide's "Live configuration
// change"): disks and NICs attached and detached, and a cdrom's medium changed. Pure: it says
// which device lists of the manifest the running guest can reach by hotplug, with the steps, or
// why not. What libvirt's QEMU driver allows (qemu_hotplug.c, 9.0): disks on virtio, scsi and
// usb buses plug and unplug, ide/sata/fdc do not, a cdrom only changes its medium; any NIC
// plugs and unplugs. The diff matches devices by identity (disks by target, NICs by MAC), so
// where libvirt puts a plugged device in its lists is not drift.
import type { DomainDisk, DomainInterface, DomainSpec } from './schema.js';
import type { DomainStep } from './steps.js';
import { toXmlString } from '../xml.js';
import { diskElement, interfaceElement } from './devices.js';
import { diffDomain } from './diff.js';
import { matchNics } from './nic-match.js';

export type DeviceList = 'disks' | 'interfaces';

export type DeviceListPlan = { live: true; steps: DomainStep[] } | { live: false; reason: string };

/** Disk buses whose devices QEMU can add to and remove from a running guest. */
const HOTPLUG_BUSES = new Set(['virtio', 'scsi', 'usb']);
/** What differs between two media of one cdrom drive. */
const MEDIUM_FIELDS = new Set(['volume', 'file', 'block', 'format']);

/** The bus libvirt gives a disk without one, from its target's prefix (virDomainDiskGetDefaultBus). */
export function diskBus(disk: DomainDisk): string | undefined {
  if (disk.bus) return disk.bus;
  const prefix = /^(vd|sd|hd|xvd|ubd|fd)/.exec(disk.target)?.[1];
  return prefix ? { vd: 'virtio', sd: 'scsi', hd: 'ide', xvd: 'xen', ubd: 'uml', fd: 'fdc' }[prefix] : undefined;
}

/** Fields of one device that differ (paths relative to the device). */
function differingFields<T extends DomainDisk | DomainInterface>(list: DeviceList, want: T, have: T): string[] {
  const wrap = (d: T): DomainSpec => ({ [list]: [d] }) as unknown as DomainSpec;
  const prefix = `spec.${list}[0]`;
  return diffDomain(wrap(want), wrap(have)).map((c) => (c.path === prefix ? '(all)' : c.path.slice(prefix.length + 1)));
}

const flags = (config: boolean) => ({ live: true, config });

/** How long a detach waits for the guest to release the device, unless spec.detachTimeout says otherwise. */
export const DETACH_TIMEOUT_MS = 30_000;

function diskXml(disk: DomainDisk): string {
  return toXmlString(diskElement(disk)).trim();
}

function diskSource(disk: DomainDisk): string {
  return disk.volume ? `volume ${disk.volume.pool}/${disk.volume.name}` : (disk.file ?? disk.block ?? 'no medium');
}

/**
 * Disks are matched by target. `config` says whether each step also changes the persistent
 * config (false when it already has what the manifest says).
 */
export function planDiskHotplug(
  name: string,
  desired: readonly DomainDisk[],
  running: readonly DomainDisk[],
  config: boolean,
  detachTimeoutMs = DETACH_TIMEOUT_MS,
): DeviceListPlan {
  const runningByTarget = new Map(running.map((d) => [d.target, d]));
  const wanted = new Set(desired.map((d) => d.target));
  const steps: DomainStep[] = [];
  for (const r of running) {
    if (wanted.has(r.target)) continue;
    const bus = diskBus(r);
    if (r.device === 'cdrom' || !bus || !HOTPLUG_BUSES.has(bus)) {
      return {
        live: false,
        reason: `disk ${r.target} (${bus ?? 'unknown bus'}${r.device === 'cdrom' ? ' cdrom' : ''}) cannot be unplugged from a running guest`,
      };
    }
    steps.push({
      op: 'detachDevice',
      description: `detach disk ${r.target} from running domain ${name} (hot-unplug)`,
      payload: { device: 'disk', target: r.target, xml: diskXml(r), timeoutMs: detachTimeoutMs, ...flags(config) },
    });
  }
  for (const d of desired) {
    const r = runningByTarget.get(d.target);
    if (!r) {
      const bus = diskBus(d);
      if (d.device === 'cdrom' || !bus || !HOTPLUG_BUSES.has(bus)) {
        return {
          live: false,
          reason: `disk ${d.target} (${bus ?? 'unknown bus'}${d.device === 'cdrom' ? ' cdrom' : ''}) cannot be plugged into a running guest`,
        };
      }
      steps.push({
        op: 'attachDevice',
        description: `attach disk ${d.target} (${diskSource(d)}) to running domain ${name} (hotplug)`,
        payload: { xml: diskXml(d), ...flags(config) },
      });
      continue;
    }
    const fields = differingFields('disks', d, r);
    if (fields.length === 0) continue;
    if (d.device === 'cdrom' && r.device === 'cdrom' && fields.every((f) => MEDIUM_FIELDS.has(f))) {
      steps.push({
        op: 'updateDevice',
        description: `change the medium of cdrom ${d.target} of running domain ${name} to ${diskSource(d)}`,
        payload: { xml: diskXml(d), ...flags(config) },
      });
      continue;
    }
    return {
      live: false,
      reason: `disk ${d.target} changes in place (${fields.join(', ')}); a running guest can only gain or lose disks or change a cdrom's medium`,
    };
  }
  return { live: true, steps };
}

function describeNic(n: DomainInterface): string {
  return `NIC ${n.mac ? `${n.mac} ` : ''}on ${n.bridge !== undefined ? `bridge ${n.bridge}` : `network ${n.network ?? ''}`}`;
}

export function planNicHotplug(
  name: string,
  desired: readonly DomainInterface[],
  running: readonly DomainInterface[],
  config: boolean,
  detachTimeoutMs = DETACH_TIMEOUT_MS,
): DeviceListPlan {
  const matches = matchNics(desired, running);
  const claimed = new Set(matches.filter((j): j is number => j !== undefined));
  for (const [i, j] of matches.entries()) {
    if (j === undefined) continue;
    const fields = differingFields('interfaces', desired[i]!, running[j]!);
    if (fields.length)
      return { live: false, reason: `NIC ${i} changes in place (${fields.join(', ')}); a running guest can only gain or lose NICs` };
  }
  const steps: DomainStep[] = [];
  running.forEach((r, j) => {
    if (claimed.has(j)) return;
    steps.push({
      op: 'detachDevice',
      description: `detach ${describeNic(r)} from running domain ${name} (hot-unplug)`,
      payload: {
        device: 'interface',
        mac: r.mac,
        xml: toXmlString(interfaceElement(r, r.mac)).trim(),
        timeoutMs: detachTimeoutMs,
        ...flags(config),
      },
    });
  });
  matches.forEach((j, i) => {
    if (j !== undefined) return;
    const n = desired[i]!;
    steps.push({
      op: 'attachDevice',
      description: `attach ${describeNic(n)} to running domain ${name} (hotplug)`,
      payload: { xml: toXmlString(interfaceElement(n, n.mac)).trim(), ...flags(config) },
    });
  });
  return { live: true, steps };
}
