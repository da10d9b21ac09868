// The cloud-init seeds virtkeeper wrote on one host, by volume key: what the image holds, so the
// plan of a domain's next seed can show each file's change against the seed the guest has now.
// Written when a seed volume's upload succeeded, deleted with the volume.
import type { Statement } from 'better-sqlite3';
import type { IdentityKey, SeedImageSource } from '../manifests/types.js';
import type { StateStore } from './store.js';

export interface SeedRecord {
  domain: string;
  sha256: string;
  files: SeedImageSource['files'];
}

interface SeedRow {
  volume_key: string;
  domain: string;
  sha256: string;
  files: string;
}

export class SeedBook {
  readonly #sql: { all: Statement; upsert: Statement; remove: Statement };

  constructor(
    private readonly store: StateStore,
    private readonly host: string,
    private readonly owner: string,
  ) {
    const db = store.db;
    this.#sql = {
      all: db.prepare('SELECT volume_key, domain, sha256, files FROM seeds WHERE host = ?'),
      upsert: db.prepare(
        `INSERT INTO seeds (host, volume_key, owner, domain, sha256, files, recorded_at)
         VALUES (@host, @key, @owner, @domain, @sha256, @files, @now)
         ON CONFLICT (host, volume_key) DO UPDATE SET owner = excluded.owner, domain = excluded.domain,
           sha256 = excluded.sha256, files = excluded.files, recorded_at = excluded.recorded_at`,
      ),
      remove: db.prepare('DELETE FROM seeds WHERE host = ? AND volume_key = ?'),
    };
  }

  all(): Map<IdentityKey, SeedRecord> {
    const rows = this.#sql.all.all(this.host) as SeedRow[];
    const out = new Map<IdentityKey, SeedRecord>();
    for (const r of rows) {
      const files = parseFiles(r.files);
      // A row this version cannot read is skipped: it only feeds a diff in the plan.
      if (files) out.set(r.volume_key, { domain: r.domain, sha256: r.sha256, files });
    }
    return out;
  }

  record(key: IdentityKey, seed: SeedRecord): void {
    const row = { host: this.host, key, owner: this.owner, domain: seed.domain, sha256: seed.sha256, files: JSON.stringify(seed.files), now: new Date().toISOString() };
    this.store.enqueueLazy(() => void this.#sql.upsert.run(row));
  }

  forget(key: IdentityKey): void {
    this.store.enqueueLazy(() => void this.#sql.remove.run(this.host, key));
  }
}

function parseFiles(text: string): SeedRecord['files'] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((f) => typeof f?.name === 'string' && typeof f?.text === 'string')) return value as SeedRecord['files'];
  } catch {
    // fall through
  }
  return undefined;
}
