// One host's records in the state store, as one source (the owner) works with them: the
// executor's OwnershipRecorder (intents before changes, records after), the planner's view
// (this owner's records, and which keys other owners hold) and the one-time import of an
// inventory.json of earlier versions.
import { readFileSync } from 'node:fs';
import type { Statement } from 'better-sqlite3';
import type { IdentityKey, ManifestKind } from '../manifests/types.js';
import {
  INVENTORY_VERSION,
  parseInventory,
  type ForeignRecord,
  type HostIdentity,
  type Inventory,
  type InventoryEntry,
} from '../reconciler/inventory.js';
import { StateStoreError } from './errors.js';
import { resolveIntent, type IntentOutcome, type IntentRow, type OwnershipIntent } from './intents.js';
import { StallBook } from './stalls.js';
import type { KeyedBook } from './keyed-book.js';
import { seedBook, type SeedRecord } from './seeds.js';
import { secretDigestBook, type SecretDigestRecord } from './secret-digests.js';
import type { StateStore } from './store.js';

export type { ForeignRecord };

export interface StoredRecord extends InventoryEntry {
  owner: string;
}

export interface ResolvedIntent {
  intent: IntentRow;
  outcome: IntentOutcome;
}

export interface LegacyImport {
  file: string;
  records: number;
}

export class HostState {
  readonly #records: Map<IdentityKey, StoredRecord>;
  readonly #intents = new Map<number, IntentRow>();
  /** key → ids of its intents: confirming one change must not scan every intent (O(N²) on big applies). */
  readonly #intentsByKey = new Map<IdentityKey, Set<number>>();
  /** Intents of changes this process is running right now: never resolved under their feet. */
  readonly #inFlight = new Set<number>();
  #snapshot: Inventory | null = null;
  /** key → outcome and message as stored, read once on the first recordOutcome. */
  #storedOutcomes: Map<IdentityKey, string> | undefined;
  /** Objects the daemon found stalled on this host. */
  readonly stalls: StallBook;
  /** The cloud-init seeds written on this host. */
  readonly seeds: KeyedBook<SeedRecord>;
  /** Salted digests of the Secret values set on this host. */
  readonly secretDigests: KeyedBook<SecretDigestRecord>;
  readonly #sql: {
    upsert: Statement;
    deleteRecord: Statement;
    insertIntent: Statement;
    deleteIntent: Statement;
    deleteIntentsOfKey: Statement;
    upsertOutcome: Statement;
    upsertSource: Statement;
    upsertFact: Statement;
    fact: Statement;
    sources: Statement;
    outcomes: Statement;
  };

  constructor(
    private readonly store: StateStore,
    readonly host: HostIdentity,
    readonly owner: string,
    records: Map<IdentityKey, StoredRecord>,
    intents: readonly IntentRow[],
  ) {
    this.#records = records;
    for (const intent of intents) this.#addIntent(intent);
    this.stalls = new StallBook(store, host.key, owner);
    this.seeds = seedBook(store, host.key, owner);
    this.secretDigests = secretDigestBook(store, host.key, owner);
    const db = store.db;
    this.#sql = {
      // A record keeps its origin and first date; it moves to the owner recording it (apply only
      // records what the planner let it change, which never includes another owner's object
      // unless the manifest adopts it); a live key only ever gets more precise.
      upsert: db.prepare(
        `INSERT INTO objects (host, key, owner, kind, name, live_key, origin, prune_disabled, recorded_at, updated_at)
         VALUES (@host, @key, @owner, @kind, @name, @liveKey, @origin, @pruneDisabled, @now, @now)
         ON CONFLICT (host, key) DO UPDATE SET owner = excluded.owner, kind = excluded.kind, name = excluded.name,
           live_key = coalesce(excluded.live_key, objects.live_key), prune_disabled = excluded.prune_disabled, updated_at = excluded.updated_at`,
      ),
      deleteRecord: db.prepare('DELETE FROM objects WHERE host = ? AND key = ?'),
      insertIntent: db.prepare(
        `INSERT INTO intents (host, key, owner, kind, name, action, origin, prune_disabled, live_key, pid, created_at)
         VALUES (@host, @key, @owner, @kind, @name, @action, @origin, @pruneDisabled, @liveKey, @pid, @createdAt)`,
      ),
      deleteIntent: db.prepare('DELETE FROM intents WHERE id = ?'),
      deleteIntentsOfKey: db.prepare('DELETE FROM intents WHERE host = ? AND key = ?'),
      upsertOutcome: db.prepare(
        'INSERT INTO outcomes (host, key, outcome, message, at) VALUES (@host, @key, @outcome, @message, @now) ON CONFLICT (host, key) DO UPDATE SET outcome = excluded.outcome, message = excluded.message, at = excluded.at',
      ),
      upsertSource: db.prepare(
        'INSERT INTO sources (host, owner, dir, seen_at) VALUES (@host, @owner, @dir, @now) ON CONFLICT (host, owner) DO UPDATE SET dir = excluded.dir, seen_at = excluded.seen_at',
      ),
      fact: db.prepare('SELECT value FROM host_facts WHERE host = ? AND name = ?'),
      sources: db.prepare('SELECT owner, dir FROM sources WHERE host = ?'),
      outcomes: db.prepare('SELECT key, outcome, message, at FROM outcomes WHERE host = ?'),
      upsertFact: db.prepare(
        'INSERT INTO host_facts (host, name, value, seen_at) VALUES (@host, @name, @value, @now) ON CONFLICT (host, name) DO UPDATE SET value = excluded.value, seen_at = excluded.seen_at',
      ),
    };
  }

  /** This owner's records, in the shape the planner takes. */
  get snapshot(): Inventory {
    if (this.#snapshot) return this.#snapshot;
    const objects: Record<IdentityKey, InventoryEntry> = {};
    for (const [key, r] of this.#records) {
      if (r.owner !== this.owner) continue;
      objects[key] = {
        kind: r.kind,
        name: r.name,
        ...(r.liveKey !== undefined ? { liveKey: r.liveKey } : {}),
        origin: r.origin,
        pruneDisabled: r.pruneDisabled,
        recordedAt: r.recordedAt,
      };
    }
    this.#snapshot = { version: INVENTORY_VERSION, host: this.host, owner: this.owner, objects };
    return this.#snapshot;
  }

  /** Keys recorded on this host by other owners. */
  foreign(): Map<IdentityKey, ForeignRecord> {
    const out = new Map<IdentityKey, ForeignRecord>();
    for (const [key, r] of this.#records) {
      if (r.owner !== this.owner) out.set(key, { owner: r.owner, ...(r.liveKey !== undefined ? { liveKey: r.liveKey } : {}) });
    }
    return out;
  }

  /** A fact a read-write connection learnt about this host (see reconciler/host-facts.ts). */
  fact(name: string): string | undefined {
    const row = this.#sql.fact.get(this.host.key, name) as { value: string } | undefined;
    return row?.value;
  }

  rememberFact(name: string, value: string): void {
    const row = { host: this.host.key, name, value, now: new Date().toISOString() };
    this.store.enqueueLazy(() => void this.#sql.upsertFact.run(row));
  }

  /** Remembers where this owner's manifests are read from (status plans them again). */
  rememberSource(dir: string): void {
    const row = { host: this.host.key, owner: this.owner, dir, now: new Date().toISOString() };
    this.store.enqueueLazy(() => void this.#sql.upsertSource.run(row));
  }

  /** owner → the directory its manifests were last read from, for every owner on this host. */
  sources(): Map<string, string> {
    const rows = this.#sql.sources.all(this.host.key) as Array<{ owner: string; dir: string }>;
    return new Map(rows.map((r) => [r.owner, r.dir]));
  }

  /**
   * The outcome of a change of `key` (a later success replaces a failure). `unchanged` is kept as
   * `succeeded`: in sync either way. Written only when it differs from what is stored, so a no-op
   * apply or a daemon's resync of a thousand objects writes nothing.
   */
  recordOutcome(key: IdentityKey, outcome: string, message?: string): void {
    const stored = outcome === 'unchanged' ? 'succeeded' : outcome;
    const said = `${stored}\0${message ?? ''}`;
    this.#storedOutcomes ??= new Map([...this.outcomes()].map(([k, o]) => [k, `${o.outcome}\0${o.message ?? ''}`]));
    if (this.#storedOutcomes.get(key) === said) return;
    this.#storedOutcomes.set(key, said);
    const row = { host: this.host.key, key, outcome: stored, message: message ?? null, now: new Date().toISOString() };
    this.store.enqueueLazy(() => void this.#sql.upsertOutcome.run(row));
  }

  /** key → its last recorded outcome on this host. */
  outcomes(): Map<IdentityKey, { outcome: string; message: string | null; at: string }> {
    const rows = this.#sql.outcomes.all(this.host.key) as Array<{ key: string; outcome: string; message: string | null; at: string }>;
    return new Map(rows.map((r) => [r.key, { outcome: r.outcome, message: r.message, at: r.at }]));
  }

  /** Every record of this host, all owners. */
  allRecords(): ReadonlyMap<IdentityKey, StoredRecord> {
    return this.#records;
  }

  /** Whether anyone recorded the key (keeps "created" vs "adopted" honest). */
  has(key: IdentityKey): boolean {
    return this.#records.has(key);
  }

  /** Records `key` as this owner's; also the confirmation of the key's intents. */
  record(key: IdentityKey, entry: Omit<InventoryEntry, 'recordedAt'>): void {
    // One clock reading for the record in memory and the row: a store reopened later must show the same date.
    const now = new Date().toISOString();
    this.#remember(key, this.owner, entry, now);
    this.#settleIntentsOf(key);
    const row = {
      host: this.host.key,
      key,
      owner: this.owner,
      kind: entry.kind,
      name: entry.name,
      liveKey: entry.liveKey ?? null,
      origin: entry.origin,
      pruneDisabled: entry.pruneDisabled ? 1 : 0,
      now,
    };
    this.store.enqueueLazy(() => {
      this.#sql.upsert.run(row);
      this.#sql.deleteIntentsOfKey.run(this.host.key, key);
    });
  }

  /** Drops the record of `key` (deleted, or gone from the host); also confirms its intents. */
  /** A seed volume's upload succeeded: what it holds, for the next seed's plan. */
  recordSeed(key: IdentityKey, seed: SeedRecord): void {
    this.seeds.record(key, seed);
  }

  /** A Secret's value was set: its salted digest, for the next plan. */
  recordSecretDigest(key: IdentityKey, digest: SecretDigestRecord): void {
    this.secretDigests.record(key, digest);
  }

  forget(key: IdentityKey): void {
    if (this.#records.delete(key)) this.#snapshot = null;
    this.seeds.forget(key);
    this.secretDigests.forget(key);
    this.#settleIntentsOf(key);
    this.store.enqueueLazy(() => {
      this.#sql.deleteRecord.run(this.host.key, key);
      this.#sql.deleteIntentsOfKey.run(this.host.key, key);
    });
  }

  /**
   * Writes an intent and resolves once it is committed: only then may the change make its
   * first libvirt call. Intents of changes started in the same tick share one transaction.
   */
  intend(key: IdentityKey, intent: OwnershipIntent): Promise<number> {
    const row: Omit<IntentRow, 'id'> = { ...intent, key, owner: this.owner, pid: process.pid, createdAt: new Date().toISOString() };
    return new Promise((resolve, reject) => {
      let id = 0;
      this.store.enqueue(
        () => {
          const result = this.#sql.insertIntent.run({
            host: this.host.key,
            key,
            owner: row.owner,
            kind: row.kind,
            name: row.name,
            action: row.action,
            origin: row.origin,
            pruneDisabled: row.pruneDisabled ? 1 : 0,
            liveKey: row.liveKey ?? null,
            pid: row.pid,
            createdAt: row.createdAt,
          });
          id = Number(result.lastInsertRowid);
        },
        (err) => {
          if (err !== undefined) return reject(err);
          this.#addIntent({ ...row, id });
          this.#inFlight.add(id);
          resolve(id);
        },
      );
    });
  }

  /**
   * The change of this intent ended without confirming it (a step failed): the intent stays
   * on disk, to be resolved against the host by the next plan.
   */
  abandon(id: number): void {
    this.#inFlight.delete(id);
  }

  /** Intents on disk that no running change of this process holds. */
  pendingIntents(): IntentRow[] {
    return [...this.#intents.values()].filter((i) => !this.#inFlight.has(i.id));
  }

  /**
   * Settles intents of interrupted or failed changes against what the host has now: an object
   * that exists is recorded (under the owner that wrote the intent), a delete whose object is
   * gone drops the record, anything else drops the intent. `persist: false` (plan, which must
   * not write) only changes this in-memory view.
   */
  resolveIntents(existsOnHost: (key: IdentityKey) => boolean, { persist }: { persist: boolean }): ResolvedIntent[] {
    const resolved: ResolvedIntent[] = [];
    for (const intent of this.pendingIntents()) {
      const outcome = resolveIntent(intent, existsOnHost);
      resolved.push({ intent, outcome });
      this.#dropIntent(intent);
      const now = new Date().toISOString();
      if (outcome === 'record') {
        this.#remember(intent.key, intent.owner, intent, now);
      } else if (outcome === 'forget') {
        const current = this.#records.get(intent.key);
        if (current && current.owner === intent.owner) {
          this.#records.delete(intent.key);
          this.#snapshot = null;
        } else {
          resolved[resolved.length - 1] = { intent, outcome: 'drop' };
        }
      }
      if (!persist) continue;
      const final = resolved[resolved.length - 1]!.outcome;
      this.store.enqueue(() => {
        if (final === 'record') {
          // Through the intent's owner and origin: a record that exists keeps its own (upsert).
          this.#sql.upsert.run({
            host: this.host.key,
            key: intent.key,
            owner: intent.owner,
            kind: intent.kind,
            name: intent.name,
            liveKey: intent.liveKey ?? null,
            origin: intent.origin,
            pruneDisabled: intent.pruneDisabled ? 1 : 0,
            now,
          });
        } else if (final === 'forget') {
          this.#sql.deleteRecord.run(this.host.key, intent.key);
        }
        this.#sql.deleteIntent.run(intent.id);
      });
    }
    return resolved;
  }

  /**
   * Imports an inventory.json of an earlier version, once: its records become this owner's
   * (records already in the store win). Returns undefined when there is no such file or it was
   * imported before; the file itself is never changed.
   */
  importLegacyInventory(file: string): LegacyImport | undefined {
    const db = this.store.db;
    if (db.prepare('SELECT 1 FROM imports WHERE file = ?').get(file)) return undefined;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateStoreError(`reading ${file} to import it failed: ${(err as Error).message}`);
    }
    const legacy = parseInventory(text, file);
    if (legacy.host.key !== this.host.key) {
      throw new StateStoreError(
        `${file} records host ${JSON.stringify(legacy.host.key)} (${legacy.host.uri}), but the connection is to ${JSON.stringify(this.host.key)} (${this.host.uri}); move the file away`,
      );
    }
    this.store.flush();
    const insert = db.prepare(
      `INSERT INTO objects (host, key, owner, kind, name, live_key, origin, prune_disabled, recorded_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (host, key) DO NOTHING`,
    );
    const now = new Date().toISOString();
    const inserted: Array<[IdentityKey, InventoryEntry]> = [];
    const ran = db
      .transaction(() => {
        // Checked again inside the write lock: two processes starting at once import only once.
        if (db.prepare('SELECT 1 FROM imports WHERE file = ?').get(file)) return false;
        for (const [key, e] of Object.entries(legacy.objects)) {
          const r = insert.run(
            this.host.key,
            key,
            this.owner,
            e.kind,
            e.name,
            e.liveKey ?? null,
            e.origin,
            e.pruneDisabled ? 1 : 0,
            e.recordedAt || now,
            now,
          );
          if (r.changes > 0) inserted.push([key, e]);
        }
        db.prepare('INSERT INTO imports (file, host, owner, records, imported_at) VALUES (?, ?, ?, ?, ?)').run(
          file,
          this.host.key,
          this.owner,
          inserted.length,
          now,
        );
        return true;
      })
      .immediate();
    if (!ran) return undefined;
    for (const [key, e] of inserted) if (!this.#records.has(key)) this.#records.set(key, { ...e, owner: this.owner });
    this.#snapshot = null;
    return { file, records: inserted.length };
  }

  /** Commits queued writes; rejects with the first write failure. */
  async flush(): Promise<void> {
    this.store.flush();
  }

  #remember(
    key: IdentityKey,
    owner: string,
    entry: { kind: ManifestKind; name: string; liveKey?: IdentityKey; origin: 'created' | 'adopted'; pruneDisabled: boolean },
    now: string = new Date().toISOString(),
  ): void {
    const previous = this.#records.get(key);
    const liveKey = entry.liveKey ?? previous?.liveKey;
    this.#records.set(key, {
      owner,
      kind: entry.kind,
      name: entry.name,
      ...(liveKey !== undefined ? { liveKey } : {}),
      origin: previous?.origin ?? entry.origin,
      pruneDisabled: entry.pruneDisabled,
      recordedAt: previous?.recordedAt ?? now,
    });
    this.#snapshot = null;
  }

  #settleIntentsOf(key: IdentityKey): void {
    const ids = this.#intentsByKey.get(key);
    if (!ids) return;
    this.#intentsByKey.delete(key);
    for (const id of ids) {
      this.#intents.delete(id);
      this.#inFlight.delete(id);
    }
  }

  #addIntent(intent: IntentRow): void {
    this.#intents.set(intent.id, intent);
    let ids = this.#intentsByKey.get(intent.key);
    if (!ids) this.#intentsByKey.set(intent.key, (ids = new Set()));
    ids.add(intent.id);
  }

  #dropIntent(intent: IntentRow): void {
    this.#intents.delete(intent.id);
    const ids = this.#intentsByKey.get(intent.key);
    ids?.delete(intent.id);
    if (ids?.size === 0) this.#intentsByKey.delete(intent.key);
  }
}
