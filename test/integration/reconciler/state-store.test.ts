// The state store under faults, through real `node bin/virtkeeper.js` children against a private
// libvirtd's test driver: kill -9 at random moments, two applies at once, the empty-tree guard,
// two sources on one host, an unusable state directory, and the import of an inventory.json.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import type { HostIdentity } from '../../../src/reconciler/inventory.js';
import { readHostIdentity, readLiveState } from '../../../src/reconciler/live-state.js';
import { defaultRegistry } from '../../../src/resources/registry.js';
import { StateStore } from '../../../src/state/index.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';

const execFileP = promisify(execFile);
const fixture = usePrivateLibvirtd();

let keeper: LibvirtClient;
let host: HostIdentity;
let tmp: string;

beforeAll(async () => {
  // The test driver forgets everything when its last connection closes: hold one open.
  keeper = await LibvirtClient.connect(fixture.daemon.testUri);
  host = await readHostIdentity(keeper);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vk-state-'));
});

afterAll(async () => {
  await keeper?.close();
  await rm(tmp, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const children = new Set<ReturnType<typeof spawn>>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Runs the CLI; `killWhen` (given the stdout so far) decides when to SIGKILL it, `killAfterMs`
 * kills it after a delay whatever it printed.
 */
function virtkeeper(args: string[], opts: { killWhen?: (stdout: string) => boolean; killAfterMs?: number } = {}): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, ['bin/virtkeeper.js', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const kill = (): void => void child.kill('SIGKILL');
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (opts.killWhen?.(stdout)) kill();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = opts.killAfterMs !== undefined ? setTimeout(kill, opts.killAfterMs) : undefined;
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const connect = (): string[] => ['--connect', fixture.daemon.testUri];

function poolYaml(name: string, dir: string): string {
  return `apiVersion: virtkeeper.io/v1\nkind: StoragePool\nmetadata: {name: ${name}}\nspec: {type: dir, path: ${dir}}\n`;
}

function volumeYaml(pool: string, name: string): string {
  return `apiVersion: virtkeeper.io/v1\nkind: StorageVolume\nmetadata: {name: ${name}}\nspec: {pool: ${pool}, capacity: 1MiB, format: raw}\n`;
}

function networkYaml(name: string, annotations: Record<string, string> = {}): string {
  const ann = Object.keys(annotations).length > 0 ? `\n  annotations: ${JSON.stringify(annotations)}` : '';
  return `apiVersion: virtkeeper.io/v1\nkind: Network\nmetadata:\n  name: ${name}${ann}\nspec: {bridge: vk-${name.slice(0, 8)}}\n`;
}

/** Writes a manifests directory with exactly `docs` (one file), replacing what was there. */
async function manifests(dir: string, docs: string[]): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  if (docs.length > 0) await writeFile(path.join(dir, 'all.yaml'), docs.join('---\n'));
  return dir;
}

async function liveKeys(): Promise<Set<string>> {
  return new Set((await readLiveState(keeper, defaultRegistry)).keys());
}

/** Opens the store as the next run would: records plus intents settled against the host (in memory only). */
async function storeView(
  stateDir: string,
  owner: string,
): Promise<{ recorded: Set<string>; pending: number; integrity: string; effective: Set<string> }> {
  const store = StateStore.open(stateDir);
  try {
    const state = store.host(host, owner);
    const recorded = new Set(Object.keys(state.snapshot.objects));
    const pending = state.pendingIntents().length;
    const live = await liveKeys();
    state.resolveIntents((key) => live.has(key), { persist: false });
    return { recorded, pending, integrity: store.integrityCheck(), effective: new Set(Object.keys(state.snapshot.objects)) };
  } finally {
    store.close();
  }
}

describe('kill -9 of apply', () => {
  it('never forgets an object it created, never leaves the store unreadable, and converges afterwards', { timeout: 240_000 }, async () => {
    const stateDir = path.join(tmp, 'kill-state');
    const dir = path.join(tmp, 'kill-manifests');
    const owner = 'kill-test';
    const perRound = 120;
    const rounds = 10;
    const before = await liveKeys();
    let killedMidway = 0;
    let allStderr = '';
    // Deterministic "random" moments, different each round: some while starting up (connect,
    // lock, plan), most after the k-th object reported done.
    let seed = 0x9e3779b9;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % 10_000) / 10_000;
    for (let round = 0; round < rounds; round++) {
      // Each round adds 120 new volumes, so every kill interrupts creations.
      const docs = [poolYaml('killpool', path.join(tmp, 'killpool'))];
      for (let r = 0; r <= round; r++) for (let i = 0; i < perRound; i++) docs.push(volumeYaml('killpool', `r${r}-v${i}.img`));
      await manifests(dir, docs);
      const early = round % 5 === 4;
      const k = 1 + Math.floor(random() * 100);
      const run = await virtkeeper(
        ['apply', dir, ...connect(), '--state-dir', stateDir, '--owner', owner],
        early
          ? { killAfterMs: 300 + Math.floor(random() * 500) }
          : { killWhen: (out) => (out.match(/: create done \(\d+\.\d+ s\)$/gm)?.length ?? 0) >= k },
      );
      if (run.signal === 'SIGKILL') killedMidway++;
      allStderr += run.stderr;
      expect(run.stderr).not.toMatch(/apply failed/);

      const live = await liveKeys();
      const created = [...live].filter((key) => !before.has(key));
      const view = await storeView(stateDir, owner);
      expect(view.integrity).toBe('ok');
      // Every object apply created is recorded, or has an intent that the next run records.
      const lost = created.filter((key) => !view.effective.has(key));
      expect(lost, `round ${round}: objects on the host the store forgot`).toEqual([]);
    }
    expect(killedMidway).toBeGreaterThanOrEqual(8);

    const final = await virtkeeper(['apply', dir, ...connect(), '--state-dir', stateDir, '--owner', owner]);
    expect(final.code, final.stderr + final.stdout).toBe(0);
    const view = await storeView(stateDir, owner);
    expect(view.pending).toBe(0);
    expect(view.integrity).toBe('ok');
    const expected = [
      'StoragePool/killpool',
      ...Array.from({ length: rounds * perRound }, (_, n) => `StorageVolume/killpool/r${Math.floor(n / perRound)}-v${n % perRound}.img`),
    ];
    expect([...view.recorded].sort()).toEqual(expected.sort());
    const again = await virtkeeper(['plan', dir, ...connect(), '--state-dir', stateDir, '--owner', owner, '--detailed-exitcode']);
    expect(again.code, again.stdout).toBe(0);
    // The kills left locks of dead processes: the next run said it took one over.
    expect(allStderr + final.stderr).toMatch(
      /took over the stale lock of host \S+ from pid \d+ \(apply, since [^)]+\): that process is gone/,
    );
  });
});

describe('the host lock', () => {
  it('a second apply fails at once with the holder, or waits with --lock-timeout; nothing is lost', { timeout: 120_000 }, async () => {
    const stateDir = path.join(tmp, 'lock-state');
    const dir = await manifests(path.join(tmp, 'lock-manifests'), [networkYaml('lock-a'), networkYaml('lock-b')]);
    const store = StateStore.open(stateDir);
    const held = await store.acquireLock({ hostKey: host.key, command: 'apply', owner: 'test', timeoutMs: 0 });
    try {
      const blocked = await virtkeeper(['apply', dir, ...connect(), '--state-dir', stateDir, '--owner', 'lock']);
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toMatch(new RegExp(`locked by pid ${process.pid} \\(apply, since \\d{4}-\\d\\d-\\d\\dT[^)]+\\)`));
      expect(blocked.stdout).toBe('');
      const networks = await liveKeys();
      expect(networks.has('Network/lock-a')).toBe(false);

      const waiting = virtkeeper(['apply', dir, ...connect(), '--state-dir', stateDir, '--owner', 'lock', '--lock-timeout', '60']);
      await new Promise((r) => setTimeout(r, 1500));
      held.release();
      const waited = await waiting;
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.ms).toBeGreaterThanOrEqual(1500);
    } finally {
      held.release();
      store.close();
    }
    expect((await storeView(stateDir, 'lock')).recorded).toEqual(new Set(['Network/lock-a', 'Network/lock-b']));
  });

  it('two applies started together: at most one runs at a time, every object is recorded', { timeout: 120_000 }, async () => {
    const stateDir = path.join(tmp, 'race-state');
    const docs = [poolYaml('racepool', path.join(tmp, 'racepool'))];
    for (let i = 0; i < 150; i++) docs.push(volumeYaml('racepool', `race-${i}.img`));
    const dir = await manifests(path.join(tmp, 'race-manifests'), docs);
    const args = ['apply', dir, ...connect(), '--state-dir', stateDir, '--owner', 'race'];
    const [a, b] = await Promise.all([virtkeeper(args), virtkeeper(args)]);
    for (const run of [a, b]) {
      if (run.code !== 0) expect(run.stderr).toMatch(/locked by pid \d+ \(apply, since [^)]+\)/);
    }
    expect([a.code, b.code]).toContain(0);
    const view = await storeView(stateDir, 'race');
    expect(view.recorded.size).toBe(151);
    expect(view.pending).toBe(0);
  });

  it('plan takes no lock', async () => {
    const stateDir = path.join(tmp, 'lock-state');
    const store = StateStore.open(stateDir);
    const held = await store.acquireLock({ hostKey: host.key, command: 'run', owner: 'test', timeoutMs: 0 });
    try {
      const planned = await virtkeeper([
        'plan',
        path.join(tmp, 'lock-manifests'),
        ...connect(),
        '--state-dir',
        stateDir,
        '--owner',
        'lock',
      ]);
      expect(planned.code, planned.stderr).toBe(0);
    } finally {
      held.release();
      store.close();
    }
  });
});

describe('the empty-tree guard', () => {
  it('refuses to prune an empty tree or more than --prune-max, changes nothing, and allows it when asked', {
    timeout: 120_000,
  }, async () => {
    const stateDir = path.join(tmp, 'guard-state');
    const dir = path.join(tmp, 'guard-manifests');
    const names = ['g-1', 'g-2', 'g-3', 'g-4'];
    const base = [...connect(), '--state-dir', stateDir, '--owner', 'guard'];
    await manifests(
      dir,
      names.map((n) => networkYaml(n)),
    );
    expect((await virtkeeper(['apply', dir, ...base])).code).toBe(0);

    await manifests(dir, []);
    const planned = await virtkeeper(['plan', dir, ...base, '--prune']);
    expect(planned.code).toBe(1);
    expect(planned.stdout).toMatch(
      /^prune refused: the manifests are empty and prune would delete 4 recorded objects of guard; pass --allow-empty if the source is meant to be empty$/m,
    );
    const refused = await virtkeeper(['apply', dir, ...base, '--prune']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/prune refused: the manifests are empty .*; nothing was changed/);
    for (const n of names) expect((await liveKeys()).has(`Network/${n}`)).toBe(true);

    // Three of four (75 %) is more than the default 50 %.
    await manifests(dir, [networkYaml('g-1')]);
    const tooMany = await virtkeeper(['apply', dir, ...base, '--prune']);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(
      /prune refused: it would delete 3 of the 4 objects recorded of guard \(75%\), more than --prune-max 50%; pass --prune-max 100% if that is intended; nothing was changed/,
    );
    for (const n of names) expect((await liveKeys()).has(`Network/${n}`)).toBe(true);
    const json = JSON.parse((await virtkeeper(['plan', dir, ...base, '--prune', '--json'])).stdout) as {
      prune_blocked: string | null;
      retained: unknown[];
    };
    expect(json.prune_blocked).toMatch(/^prune refused: it would delete 3 of the 4/);
    expect(json.retained).toHaveLength(3);

    // Two of four is not more than half.
    await manifests(dir, [networkYaml('g-1'), networkYaml('g-2')]);
    const half = await virtkeeper(['apply', dir, ...base, '--prune']);
    expect(half.code, half.stderr + half.stdout).toBe(0);
    expect((await liveKeys()).has('Network/g-3')).toBe(false);

    await manifests(dir, []);
    const allowed = await virtkeeper(['apply', dir, ...base, '--prune', '--allow-empty']);
    expect(allowed.code, allowed.stderr + allowed.stdout).toBe(0);
    for (const n of names) expect((await liveKeys()).has(`Network/${n}`)).toBe(false);
    expect((await storeView(stateDir, 'guard')).recorded.size).toBe(0);
  });
});

describe('ownership per source', () => {
  it('prune of one source never touches what another created on the same host; adopt-from moves an object', {
    timeout: 120_000,
  }, async () => {
    const stateDir = path.join(tmp, 'owner-state');
    const dirA = path.join(tmp, 'source-a');
    const dirB = path.join(tmp, 'source-b');
    const base = [...connect(), '--state-dir', stateDir];
    await manifests(dirA, [networkYaml('own-a1'), networkYaml('own-a2'), networkYaml('own-a3')]);
    await manifests(dirB, [networkYaml('own-b1'), networkYaml('own-b2')]);
    expect((await virtkeeper(['apply', dirA, ...base])).code).toBe(0);
    expect((await virtkeeper(['apply', dirB, ...base])).code).toBe(0);

    // The default owner is the directory's real path (these are not git checkouts).
    expect((await storeView(stateDir, dirA)).recorded).toEqual(new Set(['Network/own-a1', 'Network/own-a2', 'Network/own-a3']));
    expect((await storeView(stateDir, dirB)).recorded).toEqual(new Set(['Network/own-b1', 'Network/own-b2']));

    await manifests(dirA, [networkYaml('own-a1'), networkYaml('own-a2')]);
    const pruned = await virtkeeper(['apply', dirA, ...base, '--prune']);
    expect(pruned.code, pruned.stderr + pruned.stdout).toBe(0);
    expect(pruned.stdout).toContain('Network/own-a3: delete done');
    expect(pruned.stdout).not.toContain('own-b');
    const live = await liveKeys();
    expect(live.has('Network/own-a3')).toBe(false);
    expect(live.has('Network/own-b1') && live.has('Network/own-b2')).toBe(true);

    // A manifest of A describing B's object: refused, naming B, and left alone.
    await manifests(dirA, [networkYaml('own-a1'), networkYaml('own-a2'), networkYaml('own-b1')]);
    const claimed = await virtkeeper(['apply', dirA, ...base, '--prune']);
    expect(claimed.code).toBe(1);
    expect(claimed.stdout).toContain(
      `Network/own-b1 no-op REFUSED: owned by ${dirB}; annotate the manifest virtkeeper.io/adopt-from: "${dirB}" to move it to this source`,
    );
    expect((await storeView(stateDir, dirB)).recorded.has('Network/own-b1')).toBe(true);

    await manifests(dirA, [networkYaml('own-a1'), networkYaml('own-a2'), networkYaml('own-b1', { 'virtkeeper.io/adopt-from': dirB })]);
    const adopted = await virtkeeper(['apply', dirA, ...base]);
    expect(adopted.code, adopted.stdout).toBe(0);
    expect((await storeView(stateDir, dirA)).recorded.has('Network/own-b1')).toBe(true);
    expect((await storeView(stateDir, dirB)).recorded).toEqual(new Set(['Network/own-b2']));

    // `virtkeeper status` lists what the store records, by owner.
    const status = await virtkeeper(['status', ...base, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      host: string;
      objects: Array<{ key: string; owner: string }>;
      lock: unknown;
      pendingIntents: unknown[];
    };
    expect(parsed.host).toBe(host.key);
    expect(parsed.objects.map((o) => [o.key, o.owner])).toEqual([
      ['Network/own-a1', dirA],
      ['Network/own-a2', dirA],
      ['Network/own-b1', dirA],
      ['Network/own-b2', dirB],
    ]);
    expect(parsed.lock).toBeNull();
    expect(parsed.pendingIntents).toEqual([]);
    const text = await virtkeeper(['status', ...base, '--owner', dirB]);
    // dirB last applied from its directory: status plans it again and says each object's state.
    expect(text.stdout).toBe(
      `host ${host.key} in ${path.join(stateDir, 'state.db')}\nnot locked\n\n${dirB}: 1 object\n  Network/own-b2  created  since ${text.stdout.match(/since (\S+)/)![1]}  synced\n`,
    );
  });
});

describe('an unusable state directory', () => {
  it('fails before any change with one line naming the directory and the fix', { timeout: 60_000 }, async () => {
    const dir = await manifests(path.join(tmp, 'rofs-manifests'), [networkYaml('rofs-net')]);
    const ro = path.join(tmp, 'rofs');
    await mkdir(ro, { recursive: true });
    // Root ignores permission bits: a read-only mount, in a mount namespace of its own, is what "unwritable" means here.
    const script = `mount -t tmpfs -o ro tmpfs "$1" && shift && exec "$@"`;
    const stateDir = path.join(ro, 'virtkeeper');
    const before = await liveKeys();
    const run = await execFileP(
      'unshare',
      ['--mount', 'sh', '-c', script, 'sh', ro, process.execPath, 'bin/virtkeeper.js', 'apply', dir, ...connect(), '--state-dir', stateDir],
      {
        env: { ...process.env, NO_COLOR: '1' },
      },
    ).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^state directory ${stateDir} is not usable \\(EROFS: .*\\); make it writable for this user or pass --state-dir DIR; nothing was changed$`,
        ),
      ),
    ]);
    expect(await liveKeys()).toEqual(before);

    // A path through a regular file: the same one line.
    await writeFile(path.join(tmp, 'a-file'), '');
    const through = await virtkeeper(['apply', dir, ...connect(), '--state-dir', path.join(tmp, 'a-file', 'state')]);
    expect(through.code).toBe(1);
    expect(through.stderr).toMatch(
      /^state directory \S+a-file\/state is not usable \(ENOTDIR: .*\); make it writable for this user or pass --state-dir DIR; nothing was changed\n$/,
    );
    expect(await liveKeys()).toEqual(before);
  });
});

describe('migration from inventory.json', () => {
  it('imports the file once, says so once, leaves it alone, and prunes with its records', { timeout: 60_000 }, async () => {
    const stateDir = path.join(tmp, 'migrate-state');
    const dir = path.join(tmp, 'migrate-manifests');
    const names = ['mig-1', 'mig-2', 'mig-3'];
    await manifests(
      dir,
      names.map((n) => networkYaml(n)),
    );
    // Objects an earlier version created and recorded in its JSON inventory.
    expect((await virtkeeper(['apply', dir, ...connect(), '--state-dir', path.join(tmp, 'scratch-state'), '--owner', 'old'])).code).toBe(0);
    const legacyFile = path.join(stateDir, host.key, 'inventory.json');
    await mkdir(path.dirname(legacyFile), { recursive: true });
    const objects = Object.fromEntries(
      names.map((n) => [
        `Network/${n}`,
        { kind: 'Network', name: n, origin: 'created', pruneDisabled: false, recordedAt: '2026-01-01T00:00:00.000Z' },
      ]),
    );
    const legacy = JSON.stringify({ version: 1, host, objects }, null, 2) + '\n';
    await writeFile(legacyFile, legacy);

    const base = [...connect(), '--state-dir', stateDir, '--owner', 'migrated'];
    const first = await virtkeeper(['plan', dir, ...base]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe(
      `imported 3 record(s) from ${legacyFile} into ${path.join(stateDir, 'state.db')} as owner migrated; that file is no longer read and may be removed\n`,
    );
    const second = await virtkeeper(['plan', dir, ...base]);
    expect(second.stderr).toBe('');
    expect(await readFile(legacyFile, 'utf8')).toBe(legacy);

    await manifests(dir, [networkYaml('mig-1'), networkYaml('mig-2')]);
    const pruned = await virtkeeper(['apply', dir, ...base, '--prune']);
    expect(pruned.code, pruned.stderr + pruned.stdout).toBe(0);
    expect(pruned.stdout).toContain('Network/mig-3: delete done');
    const store = StateStore.open(stateDir);
    try {
      const records = store.host(host, 'migrated').snapshot.objects;
      expect(Object.keys(records).sort()).toEqual(['Network/mig-1', 'Network/mig-2']);
      expect(records['Network/mig-1']).toMatchObject({ origin: 'created', recordedAt: '2026-01-01T00:00:00.000Z' });
    } finally {
      store.close();
    }
  });
});

describe('export --adopt', () => {
  it("records what it exported for the owner of --out, leaving other owners' objects alone", { timeout: 60_000 }, async () => {
    const stateDir = path.join(tmp, 'export-state');
    const src = await manifests(path.join(tmp, 'export-src'), [networkYaml('exp-owned')]);
    expect((await virtkeeper(['apply', src, ...connect(), '--state-dir', stateDir, '--owner', 'first'])).code).toBe(0);
    const out = path.join(tmp, 'exported');
    const run = await virtkeeper([
      'export',
      ...connect(),
      '--kind',
      'Network',
      '--out',
      out,
      '--adopt',
      '--state-dir',
      stateDir,
      '--owner',
      'exporter',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^recorded \d+ objects? as adopted by exporter$/m);
    expect(run.stderr).toContain('left 1 object recorded by first as they are (annotate virtkeeper.io/adopt-from: "first" to move them)');
    const view = await storeView(stateDir, 'exporter');
    expect(view.recorded.has('Network/default')).toBe(true);
    expect(view.recorded.has('Network/exp-owned')).toBe(false);
    expect((await storeView(stateDir, 'first')).recorded.has('Network/exp-owned')).toBe(true);
    // Applying the export as the same owner changes nothing and refuses only first's network.
    const applied = await virtkeeper(['plan', out, ...connect(), '--state-dir', stateDir, '--owner', 'exporter']);
    expect(applied.stdout).toContain('Network/exp-owned no-op REFUSED: owned by first');
    const without = await virtkeeper(['export', ...connect(), '--adopt']);
    expect(without.code).toBe(1);
    expect(without.stderr).toBe('--adopt needs --out DIR: the objects are recorded for the source written there\n');
  });
});
