// The running half of a domain's diff. libvirt keeps two configs of a running domain: the
// persistent one (what the next start uses) and the live one (what the guest runs with). A
// redefine changes only the first, so after it the plan must still see the difference in the
// second — "restart pending" — instead of "no changes". Some fields can be changed in the
// running guest itself (ballooning, vCPU hotplug): those become live steps. Pure.
import type { DomainSpec } from '../../manifests/types.js';
import type { FieldChange, PendingRestart, Step } from '../types.js';
import { diffDomain } from './diff.js';
import { sizeToKiB } from './memory.js';
import { bytesToSize } from './memory.js';

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
  /** Steps that change the running guest (and its config). */
  steps: Step[];
  /** Paths those steps bring to the manifest's value, running and defined. */
  paths: Set<string>;
  /** Why a running difference could not be applied live, by path (it then needs a restart). */
  notLive: Map<string, string>;
}

function kib(size: string | number | undefined): number | undefined {
  if (size === undefined) return undefined;
  try {
    return sizeToKiB(size);
  } catch {
    return undefined;
  }
}

/**
 * Which running differences the guest can take without a restart. Memory: the balloon moves
 * within the running maximum (`<memory>`), so `currentMemory` up to the running `memory` is
 * live. vCPUs: hotplug up to the running maximum (`maxVcpus`). `config` says whether the step
 * also writes the persistent config (false when the plan redefines the domain anyway).
 */
export function planLiveChanges(name: string, desired: DomainSpec, running: DomainSpec, differences: readonly FieldChange[], config: boolean): LivePlan {
  const steps: Step[] = [];
  const paths = new Set<string>();
  const notLive = new Map<string, string>();
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
  return { steps, paths, notLive };
}

/** Running differences nothing in this plan applies: the guest keeps running with the old value. */
export function pendingRestarts(differences: readonly FieldChange[], handledLive: ReadonlySet<string>): PendingRestart[] {
  return differences
    .filter((d) => !handledLive.has(d.path))
    .map((d) => ({ path: d.path, running: d.before, defined: d.after }));
}

export { describePending } from '../common/pending.js';
