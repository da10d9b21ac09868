// The identity key format, "Kind/keyName": the one format manifests, live objects, the
// inventory, the daemon's queue and its status all use. A leaf module on purpose: kind contracts
// build keys with it while the kind list (resources/definitions.ts) is still loading, so it must
// not reach back to that list.
import type { IdentityKey } from './types.js';

/** The one key builder: `kind` and the kind's key name. */
export function kindKey(kind: string, keyName: string): IdentityKey {
  return `${kind}/${keyName}`;
}

/** Splits a key at the first `/` only: volume key names are `pool/name`. */
export function splitKey(key: IdentityKey): { kind: string; keyName: string } | undefined {
  const i = key.indexOf('/');
  if (i <= 0 || i === key.length - 1) return undefined;
  return { kind: key.slice(0, i), keyName: key.slice(i + 1) };
}
