// The cloud-init seeds virtkeeper wrote on one host, by volume key: what the image holds, so the
// plan of a domain's next seed can show each file's change against the seed the guest has now.
// Written when a seed volume's upload succeeded, deleted with the volume's record.
import type { SeedImageSource } from '../resources/storage-volume/schema.js';
import { KeyedBook } from './keyed-book.js';
import type { StateStore } from './store.js';

export interface SeedRecord {
  domain: string;
  sha256: string;
  files: SeedImageSource['files'];
}

export function seedBook(store: StateStore, host: string, owner: string): KeyedBook<SeedRecord> {
  return new KeyedBook(store, host, owner, 'seed', parseSeed);
}

function parseSeed(value: unknown): SeedRecord | undefined {
  const v = value as Partial<SeedRecord> | null;
  const filesOk = Array.isArray(v?.files) && v.files.every((f) => typeof f?.name === 'string' && typeof f?.text === 'string');
  return v && typeof v.domain === 'string' && typeof v.sha256 === 'string' && filesOk
    ? { domain: v.domain, sha256: v.sha256, files: v.files! }
    : undefined;
}
