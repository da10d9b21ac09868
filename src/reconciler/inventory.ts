// The ownership record: every object virtkeeper created or adopted on one host, kept in a JSON
// file so that `apply --prune` can later tell "ours, left the manifests" from "never ours".
// Only recorded objects are ever pruned, so a lost or foreign inventory errs on the side of
// deleting nothing.
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
  objects: Record<IdentityKey, InventoryEntry>;
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

/** `$XDG_STATE_HOME/virtkeeper/<host-key>/inventory.json`, XDG_STATE_HOME defaulting to ~/.local/state. */
export function defaultInventoryPath(host: HostIdentity, stateDir?: string): string {
  const base =
    stateDir ?? path.join(process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'virtkeeper');
  return path.join(base, host.key, 'inventory.json');
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
    objects[key] = { kind: e.kind, name: e.name, ...liveKeyOf(e), origin: e.origin, pruneDisabled: e.pruneDisabled, recordedAt: e.recordedAt };
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

// ------------------------------------------------------------------ file I/O

/**
 * Loads the inventory of `host`; a missing file is an empty inventory (nothing recorded, so
 * nothing prunable). A file written for another host is an error rather than a silent
 * fresh start: pruning with the wrong record could delete someone else's objects.
 */
export async function loadInventory(file: string, host: HostIdentity): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyInventory(host);
    throw err;
  }
  const inv = parseInventory(text, file);
  if (inv.host.key !== host.key) {
    throw new InventoryError(
      `${file} records host ${JSON.stringify(inv.host.key)} (${inv.host.uri}), but the connection is to ${JSON.stringify(host.key)} (${host.uri})`,
    );
  }
  return inv;
}

/** Writes a temp file next to the target, fsyncs it, then renames: readers see the old or the new file, never half of one. */
export async function saveInventory(file: string, inv: Inventory): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(serializeInventory(inv), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * The inventory as apply mutates it: every change is written through at once (serialised), so
 * an apply killed half-way still remembers what it created.
 */
export class PersistentInventory {
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    readonly file: string,
    private current: Inventory,
  ) {}

  get snapshot(): Inventory {
    return this.current;
  }

  has(key: IdentityKey): boolean {
    return key in this.current.objects;
  }

  record(key: IdentityKey, entry: Omit<InventoryEntry, 'recordedAt'>): void {
    this.update(recordObject(this.current, key, entry));
  }

  forget(key: IdentityKey): void {
    this.update(forgetObject(this.current, key));
  }

  /** Waits for pending writes; rethrows the first write failure. */
  async flush(): Promise<void> {
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  private update(next: Inventory): void {
    if (next === this.current) return;
    this.current = next;
    const toWrite = next;
    this.chain = this.chain.then(() =>
      saveInventory(this.file, toWrite).catch((err: unknown) => {
        this.failure ??= err;
      }),
    );
  }
}
