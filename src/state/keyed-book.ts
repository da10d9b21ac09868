// One kind of small fact kept per host and object key in the state store (table keyed_facts),
// as JSON: what a book is for is its name and its parse function. Written lazily with the
// store's other writes; a row this version cannot read is skipped (facts only feed plans).
import type { Statement } from 'better-sqlite3';
import type { IdentityKey } from '../manifests/types.js';
import type { StateStore } from './store.js';

export class KeyedBook<T> {
  readonly #sql: { all: Statement; upsert: Statement; remove: Statement };

  constructor(
    private readonly store: StateStore,
    private readonly host: string,
    private readonly owner: string,
    private readonly book: string,
    /** The value read back, or undefined when the row is not one (then it is skipped). */
    private readonly parse: (value: unknown) => T | undefined,
  ) {
    const db = store.db;
    this.#sql = {
      all: db.prepare('SELECT key, value FROM keyed_facts WHERE host = ? AND book = ?'),
      upsert: db.prepare(
        `INSERT INTO keyed_facts (host, book, key, owner, value, recorded_at) VALUES (@host, @book, @key, @owner, @value, @now)
         ON CONFLICT (host, book, key) DO UPDATE SET owner = excluded.owner, value = excluded.value, recorded_at = excluded.recorded_at`,
      ),
      remove: db.prepare('DELETE FROM keyed_facts WHERE host = ? AND book = ? AND key = ?'),
    };
  }

  all(): Map<IdentityKey, T> {
    const out = new Map<IdentityKey, T>();
    for (const row of this.#sql.all.all(this.host, this.book) as Array<{ key: string; value: string }>) {
      let value: T | undefined;
      try {
        value = this.parse(JSON.parse(row.value));
      } catch {
        value = undefined;
      }
      if (value !== undefined) out.set(row.key, value);
    }
    return out;
  }

  record(key: IdentityKey, value: T): void {
    const row = { host: this.host, book: this.book, key, owner: this.owner, value: JSON.stringify(value), now: new Date().toISOString() };
    this.store.enqueueLazy(() => void this.#sql.upsert.run(row));
  }

  forget(key: IdentityKey): void {
    this.store.enqueueLazy(() => void this.#sql.remove.run(this.host, this.book, key));
  }
}
