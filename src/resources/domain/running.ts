// The running half of a domain's diff. libvirt keeps two configs of a running domain: the
// persistent one (what the next start uses) and the live one (what the guest runs with). A
// redefine changes only the first, so after it the plan must still see the difference in the
// second — "restart pending" — instead of "no changes". Some fields can be changed in the
// running guest itself (ballooning, vCPU hotplug): those become live steps. Pure.
import type { DomainSpec } from './schema.js';
import type { FieldChange, PendingRestart } from '../types.js';
import type { DomainStep } from './steps.js';
import { diffDomain } from './diff.js';
import { sizeToKiB } from './memory.js';
import { bytesToSize } from './memory.js';
import { DETACH_TIMEOUT_MS, planDiskHotplug, planNicHotplug, type DeviceList } from './hotplug.js';
import { durationMs } from './duration.js';

/**
 * Fields compared between the manifest and the running config. Left out on purpose: what the
 * live XML reports differently from the config without any change (graphics ports, pty paths
 * of serials and consoles, the expanded CPU model of host-model), and what is not guest
 * hardware (state, autostart, title, description, the xml overlay).
 */
export const RUNNING_FIELDS = [
  'memory',
  'currentMemory',
  'vcpus',
  'maxVcpus',
  'os',
  'features',
  'clock',
  'disks',
  'interfaces',
  'hostdevs',
  'onPoweroff',
  'onReboot',
  'onCrash',
] as const satisfies ReadonlyArray<keyof DomainSpec>;

function pickRunningFields(spec: DomainSpec): DomainSpec {
  const out = { memory: spec.memory } as DomainSpec;
  const record = out as unknown as Record<string, unknown>;
  for (const field of RUNNING_FIELDS) if (spec[field] !== undefined) record[field] = spec[field];
  return out;
}

/** Differences between the (resolved) manifest and what the guest runs with, on RUNNING_FIELDS the manifest sets. */
export function diffRunning(desired: DomainSpec, running: DomainSpec): FieldChange[] {
  return diffDomain(pickRunningFields(desired), running);
}

export interface LivePlan {
  /** Steps that change the running guest (and, where `config`, its persistent config). */
  steps: DomainStep[];
  /** Whether those steps bring the field at `path` to the manifest's value, running and defined. */
  covers(path: string): boolean;
  /** Why a running difference at `path` could not be applied live (it then needs a restart). */
  whyNotLive(path: string): string | undefined;
}

function kib(size: string | number | undefined): number | undefined {
  if (size === undefined) return undefined;
  try {
    return sizeToKiB(size);
  } catch {
    return undefined;
  }
}

const DEVICE_LISTS: readonly DeviceList[] = ['disks', 'interfaces'];

/** The device list a path is in ("spec.disks[1].file" → disks), if any. */
function deviceListOf(path: string): DeviceList | undefined {
  return DEVICE_LISTS.find((l) => path === `spec.${l}` || path.startsWith(`spec.${l}[`));
}

/** Whether `have` holds the devices `want` lists, on the fields `want` sets (a manifest sets few; libvirt fills in the rest). */
function sameDevices(list: DeviceList, want: DomainSpec, have: DomainSpec): boolean {
  const pick = (s: DomainSpec): DomainSpec => ({ [list]: s[list] ?? [] }) as unknown as DomainSpec;
  return diffDomain(pick(want), pick(have)).length === 0;
}

/**
 * Which running differences the guest can take without a restart. Memory: the balloon moves
 * within the running maximum (`<memory>`), so `currentMemory` up to the running `memory` is
 * live. vCPUs: hotplug up to the running maximum (`maxVcpus`). Disks and NICs: hotplug
 * (hotplug.ts). `config` says whether the steps may also write the persistent config; it is
 * false when the plan redefines the domain anyway, and then device lists are left to that
 * redefine (a device attached to the config as well would be there twice). `persistent` is the
 * defined config: a device list it already has as the manifest says is plugged live only.
 */
export function planLiveChanges(
  name: string,
  desired: DomainSpec,
  running: DomainSpec,
  persistent: DomainSpec,
  differences: readonly FieldChange[],
  config: boolean,
): LivePlan {
  const steps: DomainStep[] = [];
  const paths = new Set<string>();
  const lists = new Set<DeviceList>();
  const notLive = new Map<string, string>();
  const notLiveLists = new Map<DeviceList, string>();
  const differs = (path: string): boolean => differences.some((d) => d.path === path);

  if (differs('spec.currentMemory') && desired.currentMemory !== undefined) {
    const want = kib(desired.currentMemory);
    const max = kib(running.memory);
    if (differs('spec.memory')) notLive.set('spec.currentMemory', `the running maximum (spec.memory) changes too`);
    else if (want !== undefined && max !== undefined && want <= max) {
      steps.push({
        op: 'setMemory',
        description: `set memory of running domain ${name} to ${bytesToSize(want * 1024)} (balloon)`,
        payload: { kib: want, live: true, config },
      });
      paths.add('spec.currentMemory');
    } else notLive.set('spec.currentMemory', `more than the running maximum ${String(running.memory)}`);
  }
  if (differs('spec.vcpus') && desired.vcpus !== undefined) {
    const max = running.maxVcpus ?? running.vcpus ?? 1;
    if (differs('spec.maxVcpus')) notLive.set('spec.vcpus', 'the running maximum (spec.maxVcpus) changes too');
    else if (desired.vcpus <= max) {
      steps.push({
        op: 'setVcpus',
        description: `set vCPUs of running domain ${name} to ${desired.vcpus} (hotplug)`,
        payload: { count: desired.vcpus, live: true, config },
      });
      paths.add('spec.vcpus');
    } else notLive.set('spec.vcpus', `more than the running maximum of ${max} (spec.maxVcpus)`);
  }
  for (const list of DEVICE_LISTS) {
    if (!differences.some((d) => deviceListOf(d.path) === list) || desired[list] === undefined) continue;
    if (!config) {
      notLiveLists.set(list, 'the domain is redefined for other changes, which a restart applies');
      continue;
    }
    // The config as the running guest has it: plug both. The config as the manifest says (an
    // earlier redefine): plug the guest only. Neither: one redefine says it all.
    const alsoConfig = sameDevices(list, running, persistent) ? true : sameDevices(list, desired, persistent) ? false : undefined;
    if (alsoConfig === undefined) {
      notLiveLists.set(list, `the defined ${list} differ from both the manifest and the running guest`);
      continue;
    }
    const timeoutMs = durationMs(desired.detachTimeout, DETACH_TIMEOUT_MS);
    const plan =
      list === 'disks'
        ? planDiskHotplug(name, desired.disks ?? [], running.disks ?? [], alsoConfig, timeoutMs)
        : planNicHotplug(name, desired.interfaces ?? [], running.interfaces ?? [], alsoConfig, timeoutMs);
    if (!plan.live) {
      notLiveLists.set(list, plan.reason);
      continue;
    }
    steps.push(...plan.steps);
    lists.add(list);
  }
  return {
    steps,
    covers: (path) => paths.has(path) || lists.has(deviceListOf(path) as DeviceList),
    whyNotLive: (path) => {
      const list = deviceListOf(path);
      return notLive.get(path) ?? (list ? notLiveLists.get(list) : undefined);
    },
  };
}

/** Running differences nothing in this plan applies: the guest keeps running with the old value. */
export function pendingRestarts(differences: readonly FieldChange[], handledLive: (path: string) => boolean): PendingRestart[] {
  return differences.filter((d) => !handledLive(d.path)).map((d) => ({ path: d.path, running: d.before, defined: d.after }));
}

export { describePending } from '../common/pending.js';
