// The ownership record as the planner sees it: every object one source (owner) created or
// adopted on one host, so that `apply --prune` can tell "ours, left the manifests" from "never
// ours". Only recorded objects are ever pruned, so a missing record errs on the side of deleting
// nothing. The records live in the state store (src/state/); this module holds the pure shapes
// and the JSON format of earlier versions' inventory.json, which the store imports once.
import type { IdentityKey, ManifestKind } from '../manifests/types.js';

export const INVENTORY_VERSION = 1;

/** Which host (and which driver on it) an inventory belongs to. */
export interface HostIdentity {
  /** File-system safe, e.g. "kvm01_qemu_system". */
  key: string;
  /** libvirt's hostname of the host. */
  hostname: string;
  /** Canonical URI libvirt reports for the connection ("qemu:///system"). */
  uri: string;
}

export interface InventoryEntry {
  kind: ManifestKind;
  name: string;
  /**
   * The object's key in the live view when it differs from the manifest's (a NodeDevice's libvirt
   * name: `NodeDevice/pci_0000_06_00_0` for `NodeDevice/nvme0`), so prune can find it once the
   * manifest is gone. Absent in entries written before it existed and for kinds keyed alike.
   */
  liveKey?: IdentityKey;
  /** created: virtkeeper defined it; adopted: it existed and a manifest took it over. */
  origin: 'created' | 'adopted';
  /** The manifest said `virtkeeper.io/prune: disabled`; remembered because prune runs after the manifest is gone. */
  pruneDisabled: boolean;
  /** When the entry was first recorded (ISO 8601). */
  recordedAt: string;
}

export interface Inventory {
  version: typeof INVENTORY_VERSION;
  host: HostIdentity;
  /** The source these records belong to (absent in inventory.json files of earlier versions). */
  owner?: string;
  objects: Record<IdentityKey, InventoryEntry>;
}

/** A key another source (owner) has recorded on the same host: never pruned or changed by this one. */
export interface ForeignRecord {
  owner: string;
  liveKey?: IdentityKey;
}

export class InventoryError extends Error {
  override name = 'InventoryError';
}

export function emptyInventory(host: HostIdentity): Inventory {
  return { version: INVENTORY_VERSION, host, objects: {} };
}

/**
 * Builds the host identity from what libvirt reports. The transport is left out on purpose
 * (qemu+ssh://kvm01/system and qemu:///system on kvm01 are the same objects), the driver and
 * its path are kept (qemu:///system and qemu:///session are not).
 */
export function hostIdentity(hostname: string, canonicalUri: string): HostIdentity {
  const match = /^([A-Za-z0-9.-]+?)(?:\+[A-Za-z0-9]+)?:\/\/[^/]*(\/[^?#]*)?/.exec(canonicalUri);
  const driver = match?.[1] ?? canonicalUri;
  const driverPath = (match?.[2] ?? '').replace(/^\/+|\/+$/g, '');
  const key = [hostname, driver, driverPath]
    .filter((p) => p !== '')
    .join('_')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '_');
  return { key, hostname, uri: canonicalUri };
}

// ------------------------------------------------------------------ pure updates

/** Records an object as ours; keeps its original origin and date, refreshes the prune flag and live key. */
export function recordObject(
  inv: Inventory,
  key: IdentityKey,
  entry: Omit<InventoryEntry, 'recordedAt'>,
  now: Date = new Date(),
): Inventory {
  const previous = inv.objects[key];
  const next: InventoryEntry = previous
    ? { ...previous, kind: entry.kind, name: entry.name, pruneDisabled: entry.pruneDisabled, ...liveKeyOf(entry) }
    : { ...entry, recordedAt: now.toISOString() };
  return { ...inv, objects: { ...inv.objects, [key]: next } };
}

// An entry without a live key keeps the one it had: the key only ever gets more precise.
function liveKeyOf(entry: Pick<InventoryEntry, 'liveKey'>): Pick<InventoryEntry, 'liveKey'> {
  return entry.liveKey === undefined ? {} : { liveKey: entry.liveKey };
}

export function forgetObject(inv: Inventory, key: IdentityKey): Inventory {
  if (!(key in inv.objects)) return inv;
  const objects = { ...inv.objects };
  delete objects[key];
  return { ...inv, objects };
}

/** Stable text: sorted keys, so the file diffs cleanly and tests can compare it. */
export function serializeInventory(inv: Inventory): string {
  const objects: Record<IdentityKey, InventoryEntry> = {};
  for (const key of Object.keys(inv.objects).sort()) {
    const e = inv.objects[key];
    // liveKey only when set, so entries of kinds keyed alike are written exactly as before.
    objects[key] = {
      kind: e.kind,
      name: e.name,
      ...liveKeyOf(e),
      origin: e.origin,
      pruneDisabled: e.pruneDisabled,
      recordedAt: e.recordedAt,
    };
  }
  return JSON.stringify({ version: inv.version, host: inv.host, objects }, null, 2) + '\n';
}

export function parseInventory(text: string, file: string): Inventory {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InventoryError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (!isRecord(raw) || raw.version !== INVENTORY_VERSION) {
    throw new InventoryError(`${file}: unsupported inventory format (want version ${INVENTORY_VERSION})`);
  }
  const host = raw.host;
  if (!isRecord(host) || typeof host.key !== 'string' || typeof host.hostname !== 'string' || typeof host.uri !== 'string') {
    throw new InventoryError(`${file}: missing host identity`);
  }
  if (!isRecord(raw.objects)) throw new InventoryError(`${file}: missing objects`);
  const objects: Record<IdentityKey, InventoryEntry> = {};
  for (const [key, value] of Object.entries(raw.objects)) {
    if (
      !isRecord(value) ||
      typeof value.kind !== 'string' ||
      typeof value.name !== 'string' ||
      (value.origin !== 'created' && value.origin !== 'adopted') ||
      typeof value.pruneDisabled !== 'boolean' ||
      (value.liveKey !== undefined && typeof value.liveKey !== 'string')
    ) {
      throw new InventoryError(`${file}: malformed entry ${JSON.stringify(key)}`);
    }
    objects[key] = {
      kind: value.kind as ManifestKind,
      name: value.name,
      ...(typeof value.liveKey === 'string' ? { liveKey: value.liveKey } : {}),
      origin: value.origin,
      pruneDisabled: value.pruneDisabled,
      recordedAt: typeof value.recordedAt === 'string' ? value.recordedAt : '',
    };
  }
  return { version: INVENTORY_VERSION, host: { key: host.key, hostname: host.hostname, uri: host.uri }, objects };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
