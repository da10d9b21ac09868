// Salted digests of the Secret values virtkeeper set on one host, by manifest key (see
// resources/secret/digest.ts). Never a value: only what tells the next plan whether it changed.
import { KeyedBook } from './keyed-book.js';
import type { StateStore } from './store.js';

export interface SecretDigestRecord {
  salt: string;
  digest: string;
}

export function secretDigestBook(store: StateStore, host: string, owner: string): KeyedBook<SecretDigestRecord> {
  return new KeyedBook(store, host, owner, 'secret-digest', (value) => {
    const v = value as Partial<SecretDigestRecord> | null;
    return v && typeof v.salt === 'string' && typeof v.digest === 'string' ? { salt: v.salt, digest: v.digest } : undefined;
  });
}
