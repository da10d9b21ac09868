// The host lock: one row per host in the state database, taken in a BEGIN IMMEDIATE
// transaction (SQLite's write lock makes check-and-take atomic between processes). A row whose
// process is gone — same machine and boot, and the pid is dead or now belongs to a process that
// started later — is stale and taken over.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type Database from 'better-sqlite3';
import { HostLockedError, type LockHolder } from './errors.js';

export interface LockRequest {
  hostKey: string;
  /** What holds it, shown to whoever waits: "apply", "run", "export". */
  command: string;
  owner: string;
  /** How long to wait for a live holder; 0 fails at once. */
  timeoutMs: number;
  /** One line when a stale lock is taken over. */
  onNotice?: (line: string) => void;
  /** Poll interval while waiting. Default 200 ms. */
  pollMs?: number;
}

export interface HostLock {
  readonly hostKey: string;
  /** Releases the lock (only if still ours). Idempotent. */
  release(): void;
}

interface LockRow {
  pid: number;
  process_start: string;
  machine: string;
  boot_id: string;
  command: string;
  owner: string;
  since: string;
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot); '' where there is no /proc. */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '';
  } catch {
    return '';
  }
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that took the lock is certainly gone. A lock of another machine is never stale: we cannot tell. */
export function isStale(
  row: Pick<LockRow, 'pid' | 'process_start' | 'machine' | 'boot_id'>,
  here = { machine: os.hostname(), boot: bootId() },
): boolean {
  if (row.machine !== here.machine) return false;
  if (row.boot_id !== '' && here.boot !== '' && row.boot_id !== here.boot) return true;
  if (!pidAlive(row.pid)) return true;
  const start = processStartTime(row.pid);
  return row.process_start !== '' && start !== '' && start !== row.process_start;
}

function holderOf(row: LockRow): LockHolder {
  return { pid: row.pid, command: row.command, owner: row.owner, since: row.since, machine: row.machine };
}

export async function acquireHostLock(db: Database.Database, dbFile: string, request: LockRequest): Promise<HostLock> {
  const me = { pid: process.pid, start: processStartTime(process.pid), machine: os.hostname(), boot: bootId() };
  const select = db.prepare('SELECT pid, process_start, machine, boot_id, command, owner, since FROM locks WHERE host = ?');
  const upsert = db.prepare(
    `INSERT INTO locks (host, pid, process_start, machine, boot_id, command, owner, since) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (host) DO UPDATE SET pid = excluded.pid, process_start = excluded.process_start, machine = excluded.machine,
       boot_id = excluded.boot_id, command = excluded.command, owner = excluded.owner, since = excluded.since`,
  );
  const tryTake = db.transaction((): { taken: true; stale?: LockHolder } | { taken: false; holder: LockHolder } => {
    const row = select.get(request.hostKey) as LockRow | undefined;
    const mine = row !== undefined && row.pid === me.pid && row.machine === me.machine && row.process_start === me.start;
    if (row && !mine && !isStale(row, { machine: me.machine, boot: me.boot })) return { taken: false, holder: holderOf(row) };
    upsert.run(
      request.hostKey,
      me.pid,
      me.start,
      me.machine,
      me.boot,
      request.command,
      request.owner,
      mine ? row.since : new Date().toISOString(),
    );
    return row && !mine ? { taken: true, stale: holderOf(row) } : { taken: true };
  });

  const deadline = Date.now() + Math.max(0, request.timeoutMs);
  for (;;) {
    const attempt = tryTake.immediate();
    if (attempt.taken) {
      if (attempt.stale) {
        const s = attempt.stale;
        request.onNotice?.(
          `took over the stale lock of host ${request.hostKey} from pid ${s.pid} (${s.command}, since ${s.since}): that process is gone`,
        );
      }
      break;
    }
    if (Date.now() >= deadline) throw new HostLockedError(request.hostKey, attempt.holder, dbFile);
    await new Promise((resolve) => setTimeout(resolve, Math.min(request.pollMs ?? 200, Math.max(1, deadline - Date.now()))));
  }

  let released = false;
  return {
    hostKey: request.hostKey,
    release() {
      if (released || !db.open) return;
      released = true;
      db.prepare('DELETE FROM locks WHERE host = ? AND pid = ? AND machine = ? AND process_start = ?').run(
        request.hostKey,
        me.pid,
        me.machine,
        me.start,
      );
    },
  };
}
