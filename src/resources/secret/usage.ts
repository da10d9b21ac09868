// A secret's usage: the one thing libvirt identifies a secret by besides its uuid, so it is
// also how virtkeeper pairs a Secret manifest with the live secret (the manifest's name is ours
// alone: libvirt secrets have none).
import { kindKey } from '../../manifests/keys.js';
import type { SecretUsage } from './schema.js';
import type { DesiredState, IdentityKey } from '../../manifests/types.js';

export type UsageType = keyof SecretUsage;

/** The usage type libvirt looks an auth secret up by: rbd's is ceph, iscsi's is iscsi. */
export function authUsageType(protocolOrAuthType: unknown): 'ceph' | 'iscsi' | undefined {
  if (protocolOrAuthType === 'rbd' || protocolOrAuthType === 'ceph') return 'ceph';
  if (protocolOrAuthType === 'iscsi' || protocolOrAuthType === 'chap') return 'iscsi';
  return undefined;
}

export interface Usage {
  type: UsageType;
  /** The usage id: a volume path, a ceph/tls/vtpm usage name, an iscsi target. */
  id: string;
}

/**
 * The element of <usage> that holds each usage's id. (Their VIR_SECRET_USAGE_TYPE_* numbers are in
 * usage-numbers.ts, with the libvirt side: validation loads this module and need not load the
 * generated constants.)
 */
export const USAGE_TYPES: Record<UsageType, { element: string }> = {
  volume: { element: 'volume' },
  ceph: { element: 'name' },
  iscsi: { element: 'target' },
  tls: { element: 'name' },
  vtpm: { element: 'name' },
};

/** The usage, or undefined for a Secret without one (a value for other manifests only). */
export function findUsage(usage: SecretUsage | undefined): Usage | undefined {
  for (const type of Object.keys(USAGE_TYPES) as UsageType[]) {
    const id = usage?.[type];
    if (id !== undefined) return { type, id };
  }
  return undefined;
}

export function usageOf(usage: SecretUsage | undefined): Usage {
  const found = findUsage(usage);
  if (!found) throw new Error('this Secret has no usage: it is not defined in libvirt');
  return found;
}

/** Key of the live secret with this usage: "Secret/ceph:client.admin secret" (':' is not in manifest names). */
export function usageKey(u: Usage): IdentityKey {
  return kindKey('Secret', `${u.type}:${u.id}`);
}

// How a secret reference reads once it is no longer a manifest's name: in a resolved spec (from
// a Secret manifest) and in a spec read back from libvirt alike, "usage:<id>" for a reference by
// usage (what virtkeeper writes) or "uuid:<uuid>" (written by someone else). Plans show it so;
// the prefix keeps it from ever being taken for a manifest name.
const BY_USAGE = 'usage:';
const BY_UUID = 'uuid:';

/**
 * The reference libvirt XML makes to Secret manifest `name` where a secret of usage `type` is
 * looked up (`<secret usage='…'/>`). Validation checked the reference and its usage; one missing
 * here is a caller's bug.
 */
export function secretUsageRef(desired: DesiredState | undefined, name: string, type: UsageType): string {
  const found = desired?.byKey.get(kindKey('Secret', name))?.manifest;
  const id = found?.kind === 'Secret' ? found.spec.usage?.[type] : undefined;
  if (id === undefined) throw new Error(`Secret ${name} is not in the manifests with usage ${type}`);
  return `${BY_USAGE}${id}`;
}

/** The attributes of a `<secret>` element making `ref` (a resolved reference). */
export function secretRefAttrs(ref: string): { usage?: string; uuid?: string } {
  if (ref.startsWith(BY_UUID)) return { uuid: ref.slice(BY_UUID.length) };
  return { usage: ref.startsWith(BY_USAGE) ? ref.slice(BY_USAGE.length) : ref };
}

/** A `<secret>` element's reference as a resolved spec holds it, or undefined without one. */
export function readSecretRef(usage: string | undefined, uuid: string | undefined): string | undefined {
  if (usage !== undefined) return `${BY_USAGE}${usage}`;
  return uuid !== undefined ? `${BY_UUID}${uuid}` : undefined;
}

/**
 * The key of the Secret a reference names: a manifest names it by the Secret manifest's name, a
 * spec read back from libvirt by usage ("usage:<id>"), which is the live secret's key. A
 * reference by uuid names no key virtkeeper knows.
 */
export function secretRefKeys(ref: string, type: UsageType): IdentityKey[] {
  if (ref.startsWith(BY_USAGE)) return [usageKey({ type, id: ref.slice(BY_USAGE.length) })];
  return ref.startsWith(BY_UUID) ? [] : [kindKey('Secret', ref)];
}
