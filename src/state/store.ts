// The state store: one SQLite database (WAL mode) per state directory, holding for every host
// the objects each source owns, the intents of changes in flight, the host lock and the
// inventory.json files already imported.
//
// Durability: journal_mode=WAL with synchronous=NORMAL. A commit is a write() to the WAL file
// without fsync, so it survives the process being killed at any moment (kill -9, OOM): the
// kernel has the bytes. A power loss or kernel crash can lose the last transactions (never
// corrupt the database); the host then has objects whose intents or records were not yet on
// disk. That trade buys commits of tens of microseconds instead of an fsync each.
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { HostIdentity } from '../reconciler/inventory.js';
import { StateDirError, StateStoreError, type LockHolder } from './errors.js';
import { HostState, type StoredRecord } from './host-state.js';
import type { IntentRow } from './intents.js';
import { acquireHostLock, type HostLock, type LockRequest } from './lock.js';
import { stateDbPath } from './paths.js';
import { SCHEMA_MIGRATIONS } from './schema.js';
import { whileBusy } from './busy.js';

export type Db = Database.Database;

/** Longest a confirmation waits for a commit to ride along with. */
const LAZY_COMMIT_MS = 50;

interface ObjectRow {
  key: string;
  owner: string;
  kind: string;
  name: string;
  live_key: string | null;
  origin: 'created' | 'adopted';
  prune_disabled: number;
  recorded_at: string;
}

interface IntentDbRow {
  id: number;
  key: string;
  owner: string;
  kind: string;
  name: string;
  action: string;
  origin: 'created' | 'adopted';
  prune_disabled: number;
  live_key: string | null;
  pid: number;
  created_at: string;
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e && typeof e === 'object' && 'message' in e
    ? e.code && !e.message.startsWith(e.code)
      ? `${e.code}: ${e.message}`
      : e.message
    : String(err);
}

export class StateStore {
  /** Batched writes: every write queued in one tick commits in one transaction. */
  readonly #pending: Array<() => void> = [];
  readonly #afterCommit: Array<(err: unknown) => void> = [];
  #scheduled: NodeJS.Immediate | null = null;
  #lazyTimer: NodeJS.Timeout | null = null;
  #failure: unknown;
  #closed = false;

  private constructor(
    readonly dir: string,
    readonly file: string,
    readonly db: Db,
  ) {}

  /**
   * Opens (creating when missing) `<dir>/state.db`. Fails with a StateDirError naming the
   * directory when it cannot be created or written: callers open the store before they touch
   * the host, so an unusable state directory never leaves changes without a record.
   */
  static open(dir: string): StateStore {
    const file = stateDbPath(dir);
    const unusable = (err: unknown): StateDirError =>
      new StateDirError(`state directory ${dir} is not usable (${errorText(err)}); make it writable for this user or pass --state-dir DIR`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      accessSync(dir, constants.W_OK);
    } catch (err) {
      throw unusable(whyNotWritable(dir) ?? err);
    }
    let db: Db;
    try {
      db = new Database(file);
    } catch (err) {
      throw unusable(err);
    }
    try {
      // Another process writing (a second apply checking the lock) holds the write lock for
      // microseconds; wait for it rather than fail.
      db.pragma('busy_timeout = 10000');
      const mode = whileBusy(() => db.pragma('journal_mode = WAL', { simple: true }));
      if (String(mode).toLowerCase() !== 'wal') throw new Error(`SQLite refused WAL mode (journal_mode is ${String(mode)})`);
      db.pragma('synchronous = NORMAL');
      // Checkpoint (which fsyncs) every ~16 MiB of WAL instead of every 4 MiB: an apply of a
      // large host then seldom pays for one mid-run.
      db.pragma('wal_autocheckpoint = 4000');
      whileBusy(() => migrate(db));
    } catch (err) {
      db.close();
      if (err instanceof StateStoreError) throw err;
      const code = (err as { code?: string }).code ?? '';
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
        throw new StateStoreError(`${file} is not a virtkeeper state database (${errorText(err)}); move it away or pass --state-dir DIR`);
      }
      throw unusable(err);
    }
    return new StateStore(dir, file, db);
  }

  /** Everything recorded for `host` (all owners), as seen by `owner`. */
  host(host: HostIdentity, owner: string): HostState {
    const now = new Date().toISOString();
    this.db
      .prepare(
        'INSERT INTO hosts (key, hostname, uri, last_seen) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET hostname = excluded.hostname, uri = excluded.uri, last_seen = excluded.last_seen',
      )
      .run(host.key, host.hostname, host.uri, now);
    const records = (
      this.db
        .prepare('SELECT key, owner, kind, name, live_key, origin, prune_disabled, recorded_at FROM objects WHERE host = ?')
        .all(host.key) as ObjectRow[]
    ).map((r): [string, StoredRecord] => [
      r.key,
      {
        owner: r.owner,
        kind: r.kind as StoredRecord['kind'],
        name: r.name,
        ...(r.live_key !== null ? { liveKey: r.live_key } : {}),
        origin: r.origin,
        pruneDisabled: r.prune_disabled !== 0,
        recordedAt: r.recorded_at,
      },
    ]);
    const intents = (this.db.prepare('SELECT * FROM intents WHERE host = ? ORDER BY id').all(host.key) as IntentDbRow[]).map(
      (r): IntentRow => ({
        id: r.id,
        key: r.key,
        owner: r.owner,
        kind: r.kind as IntentRow['kind'],
        name: r.name,
        action: r.action as IntentRow['action'],
        origin: r.origin,
        pruneDisabled: r.prune_disabled !== 0,
        ...(r.live_key !== null ? { liveKey: r.live_key } : {}),
        pid: r.pid,
        createdAt: r.created_at,
      }),
    );
    return new HostState(this, host, owner, new Map(records), intents);
  }

  /** Who holds the host's lock now (a stale holder included), or undefined. */
  lockHolder(hostKey: string): LockHolder | undefined {
    const row = this.db.prepare('SELECT pid, command, owner, since, machine FROM locks WHERE host = ?').get(hostKey) as
      | LockHolder
      | undefined;
    return row ? { pid: row.pid, command: row.command, owner: row.owner, since: row.since, machine: row.machine } : undefined;
  }

  acquireLock(request: LockRequest): Promise<HostLock> {
    return acquireHostLock(this.db, this.file, request);
  }

  /**
   * Queues a write; it commits with every other write queued in the same tick, in one
   * transaction. `afterCommit` learns whether that transaction committed.
   */
  enqueue(write: () => void, afterCommit?: (err: unknown) => void): void {
    if (this.#closed) throw new StateStoreError(`${this.file} is closed`);
    this.#pending.push(write);
    if (afterCommit) this.#afterCommit.push(afterCommit);
    if (this.#lazyTimer) clearTimeout(this.#lazyTimer);
    this.#lazyTimer = null;
    this.#scheduled ??= setImmediate(() => this.commitPending());
  }

  /**
   * Queues a write that nobody waits for (a confirmation: the intent already guards its
   * object): it rides along with the next commit, or commits on its own within LAZY_COMMIT_MS.
   */
  enqueueLazy(write: () => void): void {
    if (this.#closed) throw new StateStoreError(`${this.file} is closed`);
    this.#pending.push(write);
    if (this.#scheduled || this.#lazyTimer) return;
    this.#lazyTimer = setTimeout(() => this.commitPending(), LAZY_COMMIT_MS);
    this.#lazyTimer.unref();
  }

  /** Commits what is queued now (normally done at the end of the tick). */
  commitPending(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    if (this.#lazyTimer) clearTimeout(this.#lazyTimer);
    this.#scheduled = null;
    this.#lazyTimer = null;
    if (this.#pending.length === 0) return;
    const writes = this.#pending.splice(0);
    const callbacks = this.#afterCommit.splice(0);
    let failure: unknown;
    try {
      this.db.transaction(() => {
        for (const write of writes) write();
      })();
    } catch (err) {
      failure = new StateStoreError(`writing ${this.file} failed: ${errorText(err)}`);
      this.#failure ??= failure;
    }
    for (const callback of callbacks) callback(failure);
  }

  /** Commits queued writes; throws the first write failure since the store was opened. */
  flush(): void {
    this.commitPending();
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Flushes and closes; the store cannot be used afterwards. */
  close(): void {
    if (this.#closed) return;
    try {
      this.commitPending();
    } finally {
      this.#closed = true;
      this.db.close();
    }
  }

  /** `PRAGMA integrity_check`: "ok" for a sound database. */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }
}

/**
 * A recursive mkdir reports ENOENT when the real trouble is the nearest existing ancestor
 * (read-only file system, no permission): ask that directory.
 */
function whyNotWritable(dir: string): unknown {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (existsSync(d)) {
      try {
        accessSync(d, constants.W_OK);
        return undefined;
      } catch (err) {
        return err;
      }
    }
    if (path.dirname(d) === d) return undefined;
  }
}

function migrate(db: Db): void {
  db.transaction(() => {
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version > SCHEMA_MIGRATIONS.length) {
      throw new StateStoreError(
        `the state database has schema version ${version}, newer than this virtkeeper knows (${SCHEMA_MIGRATIONS.length}); upgrade virtkeeper`,
      );
    }
    for (let v = version; v < SCHEMA_MIGRATIONS.length; v++) db.exec(SCHEMA_MIGRATIONS[v]!);
    if (version !== SCHEMA_MIGRATIONS.length) db.pragma(`user_version = ${SCHEMA_MIGRATIONS.length}`);
  }).immediate();
}
