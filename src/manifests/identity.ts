// Identity keys of documents. What the key name is (a volume's is "pool/name") is the
// kind's to say, in its contract.
import { definitionOf, KIND_DEFINITIONS, type KindDefinitions } from '../resources/definitions.js';
import type { AnyManifest, IdentityKey } from './types.js';
import { kindKey } from './keys.js';

// The key format itself lives in keys.ts (a leaf the kind contracts can import); re-exported here.
export { kindKey, splitKey } from './keys.js';

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
