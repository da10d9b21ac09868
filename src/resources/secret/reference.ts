// How other kinds' documents refer to a Secret: by the Secret manifest's name, or, in a spec read
// back from libvirt, by usage ("usage:<id>", the live secret's key). Pure; used by the contracts
// of the kinds that refer to secrets.
import { kindKey } from '../../manifests/keys.js';
import type { FieldPath } from '../../manifests/paths.js';
import type { KindReference } from '../contract.js';
import { secretRefKeys } from './usage.js';

export const SECRET_KIND = 'Secret';

/**
 * The reference `ref` at `path`. With the usage type libvirt looks the secret up by, a live
 * spec's "usage:<id>" names the live secret; without one only a manifest name is a key.
 */
export function secretReference(path: FieldPath, ref: string, usage?: NonNullable<KindReference['secretUsage']>): KindReference[] {
  const keys = usage ? secretRefKeys(ref, usage.type) : ref.includes(':') ? [] : [kindKey(SECRET_KIND, ref)];
  return keys.map((key) => ({ path, key, need: 'required', ...(usage ? { secretUsage: usage } : {}) }));
}
