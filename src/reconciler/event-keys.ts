// libvirt lifecycle event → the queue keys it concerns. Pure, so the mapping (in particular
// node device names ↔ NodeDevice manifests) is unit-tested without a daemon.
import type { LifecycleKind } from '../libvirt/events.js';
import type { DesiredState, IdentityKey, NodeDeviceManifest, PciAddress } from '../manifests/types.js';
import type { ResourceChange } from '../resources/types.js';

/** The part of a lifecycle event the mapping needs; src/libvirt/events.ts events satisfy it. */
export interface LifecycleEventRef {
  kind: LifecycleKind;
  name: string;
  /** What happened ("started", "defined", ...), when known. */
  event?: string;
}

/**
 * The lifecycle events a change's steps make libvirt send, one entry per event: the echo of our
 * own work, which the daemon need not reconcile again. Anything else about the object is news.
 */
export function expectedEvents(change: Pick<ResourceChange, 'steps'>): string[] {
  const out: string[] = [];
  for (const step of change.steps) out.push(...(STEP_EVENTS[step.op] ?? []));
  return out;
}

const STEP_EVENTS: Record<string, readonly string[]> = {
  define: ['defined'],
  undefine: ['undefined'],
  start: ['started'],
  destroy: ['stopped'],
  shutdown: ['shutdown', 'stopped'],
  suspend: ['suspended'],
  resume: ['resumed'],
  build: ['created'],
  delete: ['deleted'],
};

/**
 * Keys to reconcile after an event. Objects nobody manages are ignored: an event about a
 * foreign domain must not cost a reconcile. `managed` holds every key the daemon reconciles
 * (desired, plus owned ones under --prune).
 */
export function keysForEvent(event: LifecycleEventRef, desired: DesiredState | null, managed: ReadonlySet<IdentityKey>): IdentityKey[] {
  const keep = (keys: IdentityKey[]): IdentityKey[] => [...new Set(keys.filter((k) => managed.has(k)))].sort();
  switch (event.kind) {
    case 'domain':
      return keep([`Domain/${event.name}`]);
    case 'network':
      return keep([`Network/${event.name}`]);
    case 'storagePool': {
      // A pool that was destroyed or re-created takes its volumes with it: check them too.
      const prefix = `StorageVolume/${event.name}/`;
      return keep([`StoragePool/${event.name}`, ...[...managed].filter((k) => k.startsWith(prefix))]);
    }
    case 'nodeDevice':
      return keep(nodeDeviceKeys(event.name, desired));
  }
}

/**
 * NodeDevice manifests are named by the user, not by libvirt: a device event matches a
 * manifest of the same name, or one whose PCI address is the one libvirt encodes in the device
 * name (`pci_0000_06_12_5`).
 */
export function nodeDeviceKeys(deviceName: string, desired: DesiredState | null): IdentityKey[] {
  const keys = [`NodeDevice/${deviceName}`];
  const address = parsePciDeviceName(deviceName);
  for (const loaded of desired?.manifests ?? []) {
    if (loaded.manifest.kind !== 'NodeDevice') continue;
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
