// Identity keys: "Kind/keyName", the one format manifests, live objects, the inventory, the
// daemon's queue and its status all use. What the key name is (a volume's is "pool/name") is the
// kind's to say, in its contract.
import { definitionOf, KIND_DEFINITIONS, type KindDefinitions } from '../resources/definitions.js';
import type { AnyManifest, IdentityKey } from './types.js';

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

/** Identity of a valid manifest. */
export function identityKey(m: AnyManifest, definitions?: KindDefinitions): IdentityKey {
  const key = looseIdentity(m.kind, m, definitions);
  if (key === undefined) throw new Error(`${m.kind} ${JSON.stringify(m.metadata.name)}: its kind does not say its identity`);
  return key;
}

/** The identity a document seems to declare (it may have failed its schema), if the kind can read it. */
export function looseIdentity(kind: string, document: unknown, definitions: KindDefinitions = KIND_DEFINITIONS): IdentityKey | undefined {
  const keyName = definitionOf(definitions, kind)?.keyName(document);
  return keyName === undefined ? undefined : kindKey(kind, keyName);
}
