// The state store on a real SQLite file: records per host and owner, intents and their
// settlement, the one-time import of inventory.json, and the errors a bad state dir gives.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostIdentity } from '../../../src/reconciler/inventory.js';
import { defaultStateDir, StateDirError, StateStore, StateStoreError } from '../../../src/state/index.js';

const host = hostIdentity('kvm01', 'qemu:///system');
const other = hostIdentity('kvm02', 'qemu:///system');
const net = (name: string) => ({ kind: 'Network' as const, name, origin: 'created' as const, pruneDisabled: false });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vk-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('opening', () => {
  it('defaults to $XDG_STATE_HOME/virtkeeper', () => {
    expect(defaultStateDir({ XDG_STATE_HOME: '/state' })).toBe('/state/virtkeeper');
    expect(defaultStateDir({ HOME: os.homedir() })).toBe(path.join(os.homedir(), '.local/state/virtkeeper'));
  });

  it('creates state.db in WAL mode with synchronous=NORMAL', () => {
    const store = StateStore.open(path.join(dir, 'nested', 'state'));
    try {
      expect(store.file).toBe(path.join(dir, 'nested', 'state', 'state.db'));
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
      expect(store.integrityCheck()).toBe('ok');
    } finally {
      store.close();
    }
  });

  it('opens a new state.db while another process holds it (two applies started together)', async () => {
    // A reader in another process holds the new database's lock for a moment; switching it to WAL
    // then gets SQLITE_BUSY at once, without SQLite's busy handler: open must wait, not fail.
    const file = path.join(dir, 'state.db');
    new Database(file).close();
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(file)}); db.exec('BEGIN'); db.prepare('SELECT count(*) FROM sqlite_master').get(); console.log('held'); setTimeout(() => { db.exec('COMMIT'); db.close(); }, 400);`,
      ],
      { cwd: path.resolve(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const started = Date.now();
    const store = StateStore.open(dir);
    try {
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    } finally {
      store.close();
      await new Promise((r) => holder.once('exit', r));
    }
  });

  it('names the directory and the fix when it cannot be used', async () => {
    await writeFile(path.join(dir, 'file'), '');
    expect(() => StateStore.open(path.join(dir, 'file', 'state'))).toThrow(StateDirError);
    expect(() => StateStore.open(path.join(dir, 'file', 'state'))).toThrow(
      /^state directory .*\/file\/state is not usable \(ENOTDIR: .*\); make it writable for this user or pass --state-dir DIR$/,
    );
  });

  it('refuses a file that is not a database, and a schema from a newer version', async () => {
    await mkdir(path.join(dir, 'junk'));
    await writeFile(path.join(dir, 'junk', 'state.db'), 'x'.repeat(4096));
    expect(() => StateStore.open(path.join(dir, 'junk'))).toThrow(
      /state\.db is not a virtkeeper state database .*; move it away or pass --state-dir DIR$/,
    );
    const newer = path.join(dir, 'newer');
    StateStore.open(newer).close();
    const db = new Database(path.join(newer, 'state.db'));
    db.pragma('user_version = 99');
    db.close();
    expect(() => StateStore.open(newer)).toThrow(StateStoreError);
    expect(() => StateStore.open(newer)).toThrow(/schema version 99, newer than this virtkeeper knows/);
  });
});

describe('records', () => {
  it('are kept per host and per owner, and survive reopening', async () => {
    const store = StateStore.open(dir);
    const a = store.host(host, 'A');
    a.record('Network/lan', net('lan'));
    a.record('NodeDevice/nvme0', {
      kind: 'NodeDevice',
      name: 'nvme0',
      liveKey: 'NodeDevice/pci_0000_06_00_0',
      origin: 'adopted',
      pruneDisabled: true,
    });
    store.host(other, 'A').record('Network/elsewhere', net('elsewhere'));
    const b = store.host(host, 'B');
    b.record('Network/b', net('b'));
    await a.flush();
    store.close();

    const again = StateStore.open(dir);
    try {
      const viewA = again.host(host, 'A');
      expect(Object.keys(viewA.snapshot.objects).sort()).toEqual(['Network/lan', 'NodeDevice/nvme0']);
      expect(viewA.snapshot.owner).toBe('A');
      expect(viewA.snapshot.objects['NodeDevice/nvme0']).toMatchObject({
        liveKey: 'NodeDevice/pci_0000_06_00_0',
        origin: 'adopted',
        pruneDisabled: true,
      });
      expect([...viewA.foreign()]).toEqual([['Network/b', { owner: 'B' }]]);
      expect(Object.keys(again.host(other, 'A').snapshot.objects)).toEqual(['Network/elsewhere']);
    } finally {
      again.close();
    }
  });

  it('keep their origin and first date when recorded again, and move to the owner that records them', async () => {
    const store = StateStore.open(dir);
    try {
      const a = store.host(host, 'A');
      a.record('Network/lan', net('lan'));
      await a.flush();
      const first = a.snapshot.objects['Network/lan']!.recordedAt;
      const b = store.host(host, 'B');
      b.record('Network/lan', { ...net('lan'), origin: 'adopted' });
      await b.flush();
      const reread = store.host(host, 'B').snapshot.objects['Network/lan'];
      expect(reread).toMatchObject({ origin: 'created', recordedAt: first });
      expect(store.host(host, 'A').snapshot.objects).toEqual({});
      b.forget('Network/lan');
      await b.flush();
      expect(store.host(host, 'B').snapshot.objects).toEqual({});
    } finally {
      store.close();
    }
  });
});

describe('intents', () => {
  it('are committed before intend() resolves, and confirmed by the record', async () => {
    const store = StateStore.open(dir);
    const reader = new Database(store.file, { readonly: true });
    try {
      const a = store.host(host, 'A');
      const ids = await Promise.all([
        a.intend('Network/x', { ...net('x'), action: 'create' }),
        a.intend('Network/y', { ...net('y'), action: 'create' }),
      ]);
      // Another connection sees them: they are in the WAL, not in a buffer of this process.
      expect((reader.prepare('SELECT key FROM intents ORDER BY id').all() as Array<{ key: string }>).map((r) => r.key)).toEqual([
        'Network/x',
        'Network/y',
      ]);
      expect(a.pendingIntents()).toEqual([]); // in flight: not settled under a running change
      a.record('Network/x', net('x'));
      a.abandon(ids[1]!);
      await a.flush();
      expect((reader.prepare('SELECT key FROM intents').all() as Array<{ key: string }>).map((r) => r.key)).toEqual(['Network/y']);
      expect(a.pendingIntents().map((i) => i.key)).toEqual(['Network/y']);
    } finally {
      reader.close();
      store.close();
    }
  });

  it('left by a killed run are settled against the host: existing objects recorded, the rest dropped', async () => {
    const store = StateStore.open(dir);
    const a = store.host(host, 'A');
    a.record('Network/old', net('old'));
    a.record('Network/gone', net('gone'));
    await a.flush();
    await a.intend('Network/made', { ...net('made'), action: 'create' });
    await a.intend('Network/never', { ...net('never'), action: 'create' });
    await a.intend('Network/old', { ...net('old'), action: 'delete' });
    await a.intend('Network/gone', { ...net('gone'), action: 'delete' });
    store.close(); // the process dies with four intents unconfirmed

    const next = StateStore.open(dir);
    try {
      const b = next.host(host, 'A');
      expect(b.pendingIntents()).toHaveLength(4);
      const onHost = new Set(['Network/made', 'Network/old']);
      const resolved = b.resolveIntents((key) => onHost.has(key), { persist: true });
      expect(resolved.map((r) => [r.intent.key, r.outcome])).toEqual([
        ['Network/made', 'record'],
        ['Network/never', 'drop'],
        ['Network/old', 'drop'],
        ['Network/gone', 'forget'],
      ]);
      await b.flush();
      const reopened = next.host(host, 'A');
      expect(Object.keys(reopened.snapshot.objects).sort()).toEqual(['Network/made', 'Network/old']);
      expect(reopened.snapshot.objects['Network/made']!.origin).toBe('created');
      expect(reopened.pendingIntents()).toEqual([]);
    } finally {
      next.close();
    }
  });

  it('settled by plan (persist: false) change nothing on disk', async () => {
    const store = StateStore.open(dir);
    try {
      const a = store.host(host, 'A');
      const id = await a.intend('Network/made', { ...net('made'), action: 'create' });
      a.abandon(id);
      a.resolveIntents(() => true, { persist: false });
      expect(Object.keys(a.snapshot.objects)).toEqual(['Network/made']);
      await a.flush();
      const fresh = store.host(host, 'A');
      expect(fresh.snapshot.objects).toEqual({});
      expect(fresh.pendingIntents()).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('an intent that cannot be written rejects, so its change never starts', async () => {
    const store = StateStore.open(dir);
    const a = store.host(host, 'A');
    store.db.exec('DROP TABLE intents');
    await expect(a.intend('Network/x', { ...net('x'), action: 'create' })).rejects.toThrow(/^writing .*state\.db failed: /);
    store.close();
  });
});

describe('importing inventory.json', () => {
  const legacy = (hostKey = host) =>
    JSON.stringify({
      version: 1,
      host: hostKey,
      objects: {
        'Network/lan': { kind: 'Network', name: 'lan', origin: 'adopted', pruneDisabled: true, recordedAt: '2025-05-05T00:00:00.000Z' },
      },
    });

  it('happens once, under the importing owner, and leaves the file as it was', async () => {
    const file = path.join(dir, host.key, 'inventory.json');
    await mkdir(path.dirname(file));
    await writeFile(file, legacy());
    const store = StateStore.open(dir);
    try {
      expect(store.host(host, 'A').importLegacyInventory(file)).toEqual({ file, records: 1 });
      expect(store.host(host, 'B').importLegacyInventory(file)).toBeUndefined();
      expect(store.host(host, 'A').snapshot.objects['Network/lan']).toMatchObject({
        origin: 'adopted',
        pruneDisabled: true,
        recordedAt: '2025-05-05T00:00:00.000Z',
      });
      expect(await readFile(file, 'utf8')).toBe(legacy());
      expect(store.host(host, 'A').importLegacyInventory(path.join(dir, 'none.json'))).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('refuses a file of another host or a malformed one, naming the file', async () => {
    const file = path.join(dir, 'inventory.json');
    const store = StateStore.open(dir);
    try {
      await writeFile(file, legacy(other));
      expect(() => store.host(host, 'A').importLegacyInventory(file)).toThrow(
        /inventory\.json records host "kvm02_qemu_system" .* but the connection is to "kvm01_qemu_system"/,
      );
      await writeFile(file, 'not json');
      expect(() => store.host(host, 'A').importLegacyInventory(file)).toThrow(/inventory\.json: not valid JSON/);
    } finally {
      store.close();
    }
  });
});

describe('concurrent writers', () => {
  it('two processes recording at once lose nothing', async () => {
    const script = `
      const { StateStore } = await import(${JSON.stringify(path.resolve('dist/state/index.js'))});
      const store = StateStore.open(process.argv[1]);
      const h = store.host({ key: 'k', hostname: 'k', uri: 'test:///default' }, process.argv[2]);
      for (let i = 0; i < 300; i++) { h.record('Network/' + process.argv[2] + i, { kind: 'Network', name: 'n' + i, origin: 'created', pruneDisabled: false }); if (i % 7 === 0) await new Promise((r) => setImmediate(r)); }
      await h.flush(); store.close();`;
    const run = (owner: string) =>
      new Promise<void>((resolve, reject) => {
        execFile(process.execPath, ['--input-type=module', '-e', script, dir, owner], (err) => (err ? reject(err) : resolve()));
      });
    await Promise.all([run('a'), run('b')]);
    const store = StateStore.open(dir);
    try {
      const h = store.host({ key: 'k', hostname: 'k', uri: 'test:///default' }, 'a');
      expect(Object.keys(h.snapshot.objects)).toHaveLength(300);
      expect(h.foreign().size).toBe(300);
    } finally {
      store.close();
    }
  });
});
