// The host lock in the state database: held by a live process it refuses (or waits), held by a
// dead one it is taken over with one notice, taken again by its own process it is a no-op.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostLockedError, StateStore } from '../../../src/state/index.js';
import { processStartTime } from '../../../src/state/lock.js';

let dir: string;
let store: StateStore;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vk-lock-'));
  store = StateStore.open(dir);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

function plantLock(pid: number, start: string, command = 'apply'): void {
  store.db
    .prepare('INSERT INTO locks (host, pid, process_start, machine, boot_id, command, owner, since) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run('h', pid, start, os.hostname(), '', command, 'other', '2026-01-02T03:04:05.000Z');
}

const request = (extra: Partial<Parameters<StateStore['acquireLock']>[0]> = {}) => ({
  hostKey: 'h',
  command: 'apply',
  owner: 'me',
  timeoutMs: 0,
  ...extra,
});

describe('host lock', () => {
  it('refuses at once while a live process holds it, naming pid, command and time', async () => {
    const holder = spawn('sleep', ['30']);
    try {
      plantLock(holder.pid!, processStartTime(holder.pid!), 'run');
      const err = await store.acquireLock(request()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HostLockedError);
      expect((err as Error).message).toBe(
        `host h is locked by pid ${holder.pid} (run, since 2026-01-02T03:04:05.000Z) in ${store.file}; wait for it to finish, or pass --lock-timeout SECONDS to wait`,
      );
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('waits up to the timeout and takes it when the holder lets go', async () => {
    const holder = spawn('sleep', ['30']);
    try {
      plantLock(holder.pid!, processStartTime(holder.pid!));
      setTimeout(() => store.db.prepare('DELETE FROM locks').run(), 300);
      const started = Date.now();
      const lock = await store.acquireLock(request({ timeoutMs: 5000, pollMs: 50 }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(store.db.prepare('SELECT pid FROM locks').get()).toEqual({ pid: process.pid });
      lock.release();
      expect(store.db.prepare('SELECT count(*) AS n FROM locks').get()).toEqual({ n: 0 });
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over the lock of a dead process, saying so in one line', async () => {
    const dead = spawnSync('true').pid!;
    plantLock(dead, '12345');
    const notices: string[] = [];
    const lock = await store.acquireLock(request({ onNotice: (l) => notices.push(l) }));
    expect(notices).toEqual([
      `took over the stale lock of host h from pid ${dead} (apply, since 2026-01-02T03:04:05.000Z): that process is gone`,
    ]);
    lock.release();
  });

  it('takes over a lock whose pid now belongs to a later process', async () => {
    plantLock(process.ppid, 'not-its-start-time');
    const notices: string[] = [];
    const lock = await store.acquireLock(request({ onNotice: (l) => notices.push(l) }));
    expect(notices).toHaveLength(1);
    lock.release();
  });

  it('is re-entrant for its own process (a daemon reconnecting) and released only by it', async () => {
    const first = await store.acquireLock(request({ command: 'run' }));
    const second = await store.acquireLock(request({ command: 'run' }));
    expect(store.db.prepare('SELECT count(*) AS n FROM locks').get()).toEqual({ n: 1 });
    second.release();
    first.release();
    const holder = spawn('sleep', ['30']);
    try {
      plantLock(holder.pid!, processStartTime(holder.pid!));
      first.release();
      expect(store.db.prepare('SELECT pid FROM locks').get()).toEqual({ pid: holder.pid });
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
