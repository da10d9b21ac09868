// Stalled objects of one host and owner in the state store. The daemon's convergence guard
// decides what is stalled (reconciler/convergence.ts); this keeps its verdicts where `plan` and
// `apply`, which run in other processes, can read them. Each record carries a digest of the
// manifest it was found with: a manifest changed since is not stalled any more.
import type { Statement } from 'better-sqlite3';
import type { IdentityKey } from '../manifests/types.js';
import type { StateStore } from './store.js';

export interface StallRecord {
  manifestDigest: string;
  message: string;
  /** ISO dates: first found stalled, and when the daemon tries the change again. */
  since: string;
  retryAt: string;
}

interface StallRow {
  key: string;
  manifest_digest: string;
  message: string;
  since: string;
  retry_at: string;
}

export class StallBook {
  readonly #sql: { all: Statement; upsert: Statement; remove: Statement; clearOwner: Statement };

  constructor(
    private readonly store: StateStore,
    private readonly host: string,
    private readonly owner: string,
  ) {
    const db = store.db;
    this.#sql = {
      all: db.prepare('SELECT key, manifest_digest, message, since, retry_at FROM stalls WHERE host = ?'),
      // A stall found again keeps its first date; a changed manifest starts a new one.
      upsert: db.prepare(
        `INSERT INTO stalls (host, key, owner, manifest_digest, message, since, retry_at)
         VALUES (@host, @key, @owner, @digest, @message, @now, @retryAt)
         ON CONFLICT (host, key) DO UPDATE SET owner = excluded.owner, message = excluded.message, retry_at = excluded.retry_at,
           since = CASE WHEN stalls.manifest_digest = excluded.manifest_digest THEN stalls.since ELSE excluded.since END,
           manifest_digest = excluded.manifest_digest`,
      ),
      remove: db.prepare('DELETE FROM stalls WHERE host = ? AND key = ?'),
      clearOwner: db.prepare('DELETE FROM stalls WHERE host = ? AND owner = ?'),
    };
  }

  /** Every stalled object of the host, whoever's daemon found it. */
  all(): Map<IdentityKey, StallRecord> {
    const rows = this.#sql.all.all(this.host) as StallRow[];
    return new Map(
      rows.map((r) => [r.key, { manifestDigest: r.manifest_digest, message: r.message, since: r.since, retryAt: r.retry_at }]),
    );
  }

  mark(key: IdentityKey, stall: { manifestDigest: string; message: string; retryAt: Date }): void {
    const row = {
      host: this.host,
      key,
      owner: this.owner,
      digest: stall.manifestDigest,
      message: stall.message,
      now: new Date().toISOString(),
      retryAt: stall.retryAt.toISOString(),
    };
    this.store.enqueueLazy(() => void this.#sql.upsert.run(row));
  }

  clear(key: IdentityKey): void {
    this.store.enqueueLazy(() => void this.#sql.remove.run(this.host, key));
  }

  /** A daemon starting afresh knows of no stall yet: its predecessor's verdicts go. */
  clearOwn(): void {
    this.#sql.clearOwner.run(this.host, this.owner);
  }
}
