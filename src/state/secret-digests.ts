// Salted digests of the Secret values virtkeeper set on one host, by manifest key (see
// resources/secret/digest.ts). Never a value: only what tells the next plan whether it changed.
import type { Statement } from 'better-sqlite3';
import type { IdentityKey } from '../manifests/types.js';
import type { StateStore } from './store.js';

export interface SecretDigestRecord {
  salt: string;
  digest: string;
}

export class SecretDigestBook {
  readonly #sql: { all: Statement; upsert: Statement; remove: Statement };

  constructor(
    private readonly store: StateStore,
    private readonly host: string,
    private readonly owner: string,
  ) {
    const db = store.db;
    this.#sql = {
      all: db.prepare('SELECT key, salt, digest FROM secret_digests WHERE host = ?'),
      upsert: db.prepare(
        `INSERT INTO secret_digests (host, key, owner, salt, digest, recorded_at) VALUES (@host, @key, @owner, @salt, @digest, @now)
         ON CONFLICT (host, key) DO UPDATE SET owner = excluded.owner, salt = excluded.salt, digest = excluded.digest, recorded_at = excluded.recorded_at`,
      ),
      remove: db.prepare('DELETE FROM secret_digests WHERE host = ? AND key = ?'),
    };
  }

  all(): Map<IdentityKey, SecretDigestRecord> {
    const rows = this.#sql.all.all(this.host) as Array<{ key: string; salt: string; digest: string }>;
    return new Map(rows.map((r) => [r.key, { salt: r.salt, digest: r.digest }]));
  }

  record(key: IdentityKey, d: SecretDigestRecord): void {
    const row = { host: this.host, key, owner: this.owner, salt: d.salt, digest: d.digest, now: new Date().toISOString() };
    this.store.enqueueLazy(() => void this.#sql.upsert.run(row));
  }

  forget(key: IdentityKey): void {
    this.store.enqueueLazy(() => void this.#sql.remove.run(this.host, key));
  }
}
