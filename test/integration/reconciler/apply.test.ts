// plan → apply → plan against libvirt's test driver, through a private libvirtd: the whole
// spine with the real resource kinds. Tests run in order and build on each other's host state.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApply, type ApplyCommandOptions } from '../../../src/cli/commands/apply.js';
import type { CommandIo } from '../../../src/cli/commands/plan.js';
import { runStatus, type StoreStatus } from '../../../src/cli/commands/status.js';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { loadManifests } from '../../../src/manifests/loader.js';
import { defaultRegistry } from '../../../src/resources/registry.js';
import type { Inventory } from '../../../src/reconciler/inventory.js';
import { executePlan } from '../../../src/reconciler/executor.js';
import { readHostIdentity, readLiveState } from '../../../src/reconciler/live-state.js';
import { buildPlan, type Plan } from '../../../src/reconciler/planner.js';
import type { JsonApply } from '../../../src/reconciler/render/apply-json.js';
import { StateStore } from '../../../src/state/index.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { editManifest, writeTestDriverExamples } from './fixture.js';
import { actions, apply, exportManifests, plan, planJson } from './support.js';

const run = promisify(execFile);
const fixture = usePrivateLibvirtd();

let keeper: LibvirtClient;
let tmp: string;
let dir: string;
let stateDir: string;

// One owner for the fixture and its copies (broken/, failing/), which live at other paths.
const opts = () => ({ connect: fixture.daemon.testUri, stateDir, owner: 'apply-test' });
const virsh = async (...args: string[]): Promise<string> => (await run('virsh', ['-c', fixture.daemon.testUri, ...args])).stdout;

async function liveSnapshot(): Promise<Record<string, string | undefined>> {
  const live = await readLiveState(keeper, defaultRegistry);
  return Object.fromEntries([...live].map(([k, v]) => [k, `${v.active}|${v.xml ?? JSON.stringify(v.spec)}`]));
}

beforeAll(async () => {
  // The test driver forgets everything when its last connection closes: hold one open.
  keeper = await LibvirtClient.connect(fixture.daemon.testUri);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vk-apply-'));
  dir = path.join(tmp, 'manifests');
  stateDir = path.join(tmp, 'state');
  await writeTestDriverExamples(dir, path.join(tmp, 'pools'));
});

afterAll(async () => {
  await keeper?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** What the state store records for `owner` on the fixture's host. */
async function recordsOf(owner: string): Promise<Inventory> {
  const store = StateStore.open(stateDir);
  try {
    return store.host(await readHostIdentity(keeper), owner).snapshot;
  } finally {
    store.close();
  }
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/virtkeeper.js', ...args], { env: { ...process.env, NO_COLOR: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('plan and apply against the test driver', () => {
  it('the CLI: exit codes of plan, no colour off a terminal', async () => {
    const detailed = await cli('plan', dir, '--connect', fixture.daemon.testUri, '--state-dir', stateDir, '--detailed-exitcode');
    expect(detailed.code, detailed.stderr).toBe(2);
    expect(detailed.stdout).toContain('+ Network/lan create');
    expect(detailed.stdout).not.toContain('\x1b[');
    const plain = await cli('plan', dir, '--connect', fixture.daemon.testUri, '--state-dir', stateDir, '--json');
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ format_version: '1' });
    const coloured = await cli('plan', dir, '--connect', fixture.daemon.testUri, '--state-dir', stateDir, '--color');
    expect(coloured.stdout).toContain('\x1b[');
    const missing = await cli('plan', path.join(tmp, 'nope'), '--connect', fixture.daemon.testUri, '--detailed-exitcode');
    expect(missing.code).toBe(1);
  });

  it('plans every example object as a create on a fresh host', async () => {
    const p = await planJson(dir, opts());
    expect(p.errors).toEqual([]);
    expect(actions(p)).toEqual({
      'Network/lan': 'create',
      'Interface/br0': 'create',
      'StoragePool/images': 'create',
      'StorageVolume/images/db-1-data.qcow2': 'create',
      'StorageVolume/images/db-1-root.qcow2': 'create',
      'StorageVolume/images/debian-12-base.qcow2': 'create',
      'StorageVolume/images/web-1-root.qcow2': 'create',
      'Domain/db-1': 'create',
      'Domain/web-1': 'create',
    });
    expect((await plan(dir, { ...opts(), detailedExitcode: true })).code).toBe(2);
  });

  it('applies the examples from empty, then plans 0 actions', async () => {
    const first = await apply(dir, opts());
    expect(first.stderr).toBe('');
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).toMatch(/Apply complete: 9 changed, 0 unchanged, 0 failed, 0 refused, 0 skipped\./);

    const again = await plan(dir, { ...opts(), detailedExitcode: true });
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain('No changes');
    const second = await apply(dir, opts());
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Apply complete: 0 changed, 9 unchanged/);

    expect((await virsh('domstate', 'web-1')).trim()).toBe('running');
    expect((await virsh('domstate', 'db-1')).trim()).toBe('shut off');
    const inv = await recordsOf('apply-test');
    expect(Object.keys(inv.objects)).toHaveLength(9);
    expect(inv.objects['StorageVolume/images/debian-12-base.qcow2']).toMatchObject({ origin: 'created', pruneDisabled: true });
  });

  it('plans exactly the one field changed, per kind, and applies it', async () => {
    await editManifest(path.join(dir, 'network/lan.yaml'), (d) => void (d.spec.autostart = false));
    await editManifest(path.join(dir, 'host/br0.yaml'), (d) => void (d.spec.mtu = 9000));
    await editManifest(path.join(dir, 'storage/images.yaml'), (d) => {
      if (d.kind === 'StoragePool') d.spec.autostart = false;
      if (d.metadata.name === 'db-1-data.qcow2') d.spec.capacity = '120GiB';
    });
    await editManifest(path.join(dir, 'vms/web-1.yaml'), (d) => void (d.spec.vcpus = 3));

    const p = await planJson(dir, opts());
    expect(actions(p)).toEqual({
      'Network/lan': 'update',
      'Interface/br0': 'update',
      'StoragePool/images': 'update',
      'StorageVolume/images/db-1-data.qcow2': 'update',
      'Domain/web-1': 'update',
    });
    const paths = Object.fromEntries(
      p.resource_changes.filter((c) => c.action !== 'no-op').map((c) => [c.address, c.changes.map((f) => f.path)]),
    );
    expect(paths).toEqual({
      'Network/lan': ['spec.autostart'],
      'Interface/br0': ['spec.mtu'],
      'StoragePool/images': ['spec.autostart'],
      'StorageVolume/images/db-1-data.qcow2': ['spec.capacity'],
      'Domain/web-1': ['spec.vcpus'],
    });

    // The test driver cannot resize volumes (virStorageVolResize is unsupported): that change
    // fails with libvirt's code and message while the four others are applied.
    const applied = await apply(dir, opts());
    expect(applied.code).toBe(1);
    expect(applied.stdout).toMatch(
      /StorageVolume\/images\/db-1-data\.qcow2: update FAILED: libvirt error 3 \(VIR_ERR_NO_SUPPORT\): .*virStorageVolResize/,
    );
    expect(applied.stdout).toMatch(/Apply incomplete: 4 changed, 4 unchanged, 1 failed, 0 refused, 0 skipped\./);
    expect(actions(await planJson(dir, opts()))).toEqual({ 'StorageVolume/images/db-1-data.qcow2': 'update' });

    await editManifest(path.join(dir, 'storage/images.yaml'), (d) => {
      if (d.metadata.name === 'db-1-data.qcow2') d.spec.capacity = '100GiB';
    });
    expect(actions(await planJson(dir, opts()))).toEqual({});
  });

  it('shows out-of-band changes as drift and puts them back', async () => {
    await virsh('destroy', 'web-1');
    await virsh('net-destroy', 'lan');
    const xml = await virsh('dumpxml', 'db-1', '--inactive');
    const edited = xml.replace(/<vcpu([^>]*)>4<\/vcpu>/, '<vcpu$1>6</vcpu>');
    expect(edited).not.toBe(xml);
    const xmlFile = path.join(tmp, 'db-1.xml');
    await writeFile(xmlFile, edited);
    await virsh('define', xmlFile);

    const p = await planJson(dir, opts());
    expect(actions(p)).toEqual({ 'Network/lan': 'update', 'Domain/web-1': 'update', 'Domain/db-1': 'update' });
    const fields = Object.fromEntries(p.resource_changes.filter((c) => c.action !== 'no-op').map((c) => [c.address, c.changes]));
    expect(fields['Domain/web-1']).toContainEqual(expect.objectContaining({ path: 'spec.state', after: 'running' }));
    expect(fields['Domain/db-1']).toContainEqual(expect.objectContaining({ path: 'spec.vcpus', before: 6, after: 4 }));

    expect((await apply(dir, opts())).code).toBe(0);
    expect((await virsh('domstate', 'web-1')).trim()).toBe('running');
    expect(actions(await planJson(dir, opts()))).toEqual({});
  });

  it('invalid manifests: exit 1 with file:line:col errors, host untouched', async () => {
    const broken = path.join(tmp, 'broken');
    await cp(dir, broken, { recursive: true });
    await editManifest(path.join(broken, 'vms/web-1.yaml'), (d) => void (d.spec.memory = 'lots'));
    await editManifest(path.join(broken, 'network/lan.yaml'), (d) => void (d.spec.autostart = true));
    const before = await liveSnapshot();
    const result = await apply(broken, opts());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^vms\/web-1\.yaml:\d+:\d+ spec\.memory: /m);
    expect(result.stderr).toContain('nothing was changed');
    expect(await liveSnapshot()).toEqual(before);
    expect((await plan(broken, opts())).code).toBe(1);
  });

  it('prune deletes only recorded objects that left the manifests, keeping prune: disabled', async () => {
    // db-1 and its volumes leave the manifests; its data volume was annotated prune: disabled.
    // Pruning a volume destroys data, so its pool must allow it explicitly.
    await editManifest(path.join(dir, 'storage/images.yaml'), (d) => {
      if (d.metadata.name === 'db-1-data.qcow2') d.metadata.annotations = { 'virtkeeper.io/prune': 'disabled' };
      if (d.kind === 'StoragePool') d.metadata.annotations = { 'virtkeeper.io/allow-delete': 'true' };
    });
    expect((await apply(dir, opts())).code).toBe(0);
    await rm(path.join(dir, 'vms/db-1.yaml'));
    const images = await readFile(path.join(dir, 'storage/images.yaml'), 'utf8');
    await writeFile(
      path.join(dir, 'storage/images.yaml'),
      images
        .split(/^---\n/m)
        .filter((doc) => !/name: db-1-(root|data)\.qcow2/.test(doc))
        .join('---\n'),
    );

    const withoutPrune = await planJson(dir, opts());
    expect(actions(withoutPrune)).toEqual({});
    expect(withoutPrune.retained).toEqual([
      { address: 'Domain/db-1', reason: 'prune-not-requested' },
      { address: 'StorageVolume/images/db-1-data.qcow2', reason: 'prune-disabled' },
      { address: 'StorageVolume/images/db-1-root.qcow2', reason: 'prune-not-requested' },
    ]);

    const pruning = await planJson(dir, { ...opts(), prune: true });
    expect(pruning.resource_changes.filter((c) => c.action === 'delete').map((c) => c.address)).toEqual([
      'Domain/db-1',
      'StorageVolume/images/db-1-root.qcow2',
    ]);
    const applied = await apply(dir, { ...opts(), prune: true });
    expect(applied.code, applied.stdout).toBe(0);
    const domains = await virsh('list', '--all', '--name');
    expect(domains).not.toMatch(/^db-1$/m);
    expect(domains).toMatch(/^test$/m); // never recorded: never pruned
    expect(await virsh('vol-list', 'images')).toContain('db-1-data.qcow2');
    expect(await virsh('vol-list', 'images')).not.toContain('db-1-root.qcow2');
    expect(actions(await planJson(dir, { ...opts(), prune: true }))).toEqual({});
  });

  it('export writes manifests that apply back with 0 actions', async () => {
    const out = path.join(tmp, 'exported');
    const exported = await exportManifests({ connect: fixture.daemon.testUri, out });
    expect(exported.code, exported.stderr).toBe(0);
    const loaded = await loadManifests(out);
    expect(loaded.errors).toEqual([]);
    expect(loaded.state.byKey.has('Domain/web-1')).toBe(true);
    expect(loaded.state.byKey.has('Network/default')).toBe(true);
    const p = await plan(out, { ...opts(), detailedExitcode: true, json: true });
    expect(actions(JSON.parse(p.stdout))).toEqual({});
    expect(p.code).toBe(0);

    // The host's own hardware (the test driver's eth1, its node devices) only when asked for.
    expect(loaded.state.manifests.filter((m) => m.manifest.kind === 'Interface' || m.manifest.kind === 'NodeDevice')).toEqual([]);
    expect(exported.stderr).toContain("left out the host's own interfaces and node devices");
    const withHost = await exportManifests({ connect: fixture.daemon.testUri, includeHost: true });
    expect(withHost.stdout).toMatch(/kind: Interface\nmetadata:\n {2}name: eth1\n/);
    expect((await exportManifests({ connect: fixture.daemon.testUri, kind: 'Interface' })).stdout).toContain('name: eth1');

    const one = await exportManifests({ connect: fixture.daemon.testUri, kind: 'Network', name: 'lan' });
    expect(one.stdout).toMatch(/^apiVersion: virtkeeper.io\/v1\nkind: Network\nmetadata:\n {2}name: lan\nspec:\n/);
    expect(one.stdout).not.toContain('---');
  });

  it('reports a libvirt failure with its code and message and skips dependents', async () => {
    // A network claiming the UUID of the test driver's `default` network: libvirt refuses the define.
    const defaultXml = await virsh('net-dumpxml', 'default');
    const uuid = /<uuid>([^<]+)<\/uuid>/.exec(defaultXml)![1];
    const failing = path.join(tmp, 'failing');
    await cp(dir, failing, { recursive: true });
    await writeFile(
      path.join(failing, 'network/clash.yaml'),
      `apiVersion: virtkeeper.io/v1\nkind: Network\nmetadata: {name: clash}\nspec:\n  bridge: virbr77\n  xml: {merge: "<uuid>${uuid}</uuid>"}\n`,
    );
    await writeFile(
      path.join(failing, 'vms/app.yaml'),
      `apiVersion: virtkeeper.io/v1\nkind: Domain\nmetadata: {name: app}\nspec:\n  type: test\n  state: stopped\n  memory: 512MiB\n  interfaces: [{network: clash}]\n`,
    );
    await editManifest(path.join(failing, 'network/lan.yaml'), (d) => void (d.spec.autostart = true));

    const result = await apply(failing, opts());
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Network\/clash: create FAILED: libvirt error \d+ \(VIR_ERR_[A-Z_]+\): .+/);
    expect(result.stdout).toContain('Domain/app: create SKIPPED: dependency Network/clash failed');
    expect(result.stdout).toContain('Network/lan: update done');
    expect(await virsh('list', '--all', '--name')).not.toMatch(/^app$/m);
  });
  it('says "plan again" when a volume appears between plan and apply, and leaves it alone', async () => {
    const racing = path.join(tmp, 'racing');
    await cp(dir, racing, { recursive: true });
    await writeFile(
      path.join(racing, 'storage/race.yaml'),
      'apiVersion: virtkeeper.io/v1\nkind: StorageVolume\nmetadata: {name: race.qcow2}\nspec: {pool: images, capacity: 1MiB, format: qcow2}\n',
    );
    const loaded = await loadManifests(racing);
    expect(loaded.errors).toEqual([]);
    const planned = buildPlan({
      desired: loaded.state,
      live: await readLiveState(keeper, defaultRegistry),
      inventory: await recordsOf('apply-test'),
      registry: defaultRegistry,
      options: { prune: false },
    });
    const only: Plan = { ...planned, changes: planned.changes.filter((c) => c.key === 'StorageVolume/images/race.qcow2') };
    expect(only.changes.map((c) => c.action)).toEqual(['create']);
    // Someone else creates it first (the test driver answers OPERATION_FAILED, not STORAGE_VOL_EXIST).
    await virsh('vol-create-as', 'images', 'race.qcow2', '2M', '--format', 'raw');
    const report = await executePlan(only, { registry: defaultRegistry, client: keeper, desired: loaded.state });
    expect(report.results[0]?.outcome).toBe('failed');
    expect(report.results[0]?.error?.message).toBe(
      'StorageVolume/images/race.qcow2: volume already exists (its pool was probably inactive when planned); plan again',
    );
    expect(await virsh('vol-info', '--pool', 'images', 'race.qcow2')).toMatch(/Capacity:\s+2\.00 MiB/);
  });
  describe('at a terminal, in JSON, and for one target', () => {
    const netYaml = (name: string, bridge: string) =>
      `apiVersion: virtkeeper.io/v1\nkind: Network\nmetadata: {name: ${name}}\nspec: {bridge: ${bridge}}\n`;
    const volYaml = (name: string) =>
      `apiVersion: virtkeeper.io/v1\nkind: StorageVolume\nmetadata: {name: ${name}}\nspec: {pool: images, capacity: 1MiB, format: qcow2}\n`;
    // The trees below are the fixture plus new objects: converge the host to the fixture first.
    beforeAll(async () => {
      const converged = await apply(dir, opts());
      expect(converged.code, converged.stderr + converged.stdout).toBe(0);
    });

    async function terminalApply(tree: string, answer: string | undefined, extra: Partial<ApplyCommandOptions> = {}) {
      let stdout = '';
      let stderr = '';
      const asked: string[] = [];
      const io: CommandIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), terminal: true };
      if (answer !== undefined) io.ask = async (q) => (asked.push(q), answer);
      const code = await runApply(tree, { ...opts(), ...extra }, io);
      return { code, stdout, stderr, asked };
    }

    it('asks before changing anything and goes ahead only on "yes"', async () => {
      const tree = path.join(tmp, 'asking');
      await cp(dir, tree, { recursive: true });
      await writeFile(path.join(tree, 'network/asked.yaml'), netYaml('asked', 'virbr81'));
      const declined = await terminalApply(tree, 'y');
      expect(declined.asked).toEqual([`\nApply these 1 change(s) to ${fixture.daemon.testUri}? Only 'yes' goes ahead: `]);
      expect(declined.code).toBe(1);
      expect(declined.stderr).toBe('apply cancelled; nothing was changed\n');
      expect(await virsh('net-list', '--all', '--name')).not.toMatch(/^asked$/m);

      const approved = await terminalApply(tree, 'yes');
      expect(approved.code, approved.stderr).toBe(0);
      expect(await virsh('net-list', '--all', '--name')).toMatch(/^asked$/m);
      // Nothing left to change: no question.
      expect((await terminalApply(tree, 'no')).asked).toEqual([]);
      // --auto-approve never asks.
      await writeFile(path.join(tree, 'network/unasked.yaml'), netYaml('unasked', 'virbr82'));
      const auto = await terminalApply(tree, 'no', { autoApprove: true });
      expect(auto.asked).toEqual([]);
      expect(auto.code, auto.stderr).toBe(0);
    });

    it('prints one JSON document with the plan and each outcome, and refuses to ask for one', async () => {
      const tree = path.join(tmp, 'json');
      await cp(dir, tree, { recursive: true });
      await writeFile(path.join(tree, 'network/json.yaml'), netYaml('json', 'virbr83'));
      expect(await terminalApply(tree, 'yes', { json: true })).toMatchObject({
        code: 1,
        stdout: '',
        stderr: '--json cannot ask for approval on a terminal: add --auto-approve\n',
      });
      const run = await apply(tree, { ...opts(), json: true });
      expect(run.code, run.stderr).toBe(0);
      const doc = JSON.parse(run.stdout) as JsonApply;
      expect(doc).toMatchObject({
        format_version: '1',
        connect: fixture.daemon.testUri,
        ok: true,
        not_run: null,
        counts: { succeeded: 1, failed: 0 },
      });
      expect(doc.plan.resource_changes.filter((c) => c.action !== 'no-op').map((c) => c.address)).toEqual(['Network/json']);
      const created = doc.results.find((r) => r.address === 'Network/json');
      expect(created).toMatchObject({ action: 'create', outcome: 'succeeded', steps_done: 2, error: null });
      expect(created!.duration_ms).toBeGreaterThanOrEqual(0);
    });

    it("status DIR: each object's state against its manifest from a live read", async () => {
      const tree = path.join(tmp, 'status');
      await cp(dir, tree, { recursive: true });
      await writeFile(path.join(tree, 'network/s-kept.yaml'), netYaml('s-kept', 'virbr86'));
      await writeFile(path.join(tree, 'network/s-gone.yaml'), netYaml('s-gone', 'virbr87'));
      await writeFile(path.join(tree, 'network/s-drift.yaml'), netYaml('s-drift', 'virbr88'));
      const applied = await apply(tree, opts());
      expect(applied.code, applied.stderr).toBe(0);
      await writeFile(path.join(tree, 'network/s-new.yaml'), netYaml('s-new', 'virbr89'));
      await rm(path.join(tree, 'network/s-gone.yaml'));
      await virsh('net-destroy', 's-drift'); // the manifest wants it active

      const status = async () => {
        let out = '';
        const code = await runStatus({ ...opts(), json: true }, { stdout: (t) => void (out += t), stderr: (t) => void (out += t) }, tree);
        expect(code, out).toBe(0);
        return Object.fromEntries((JSON.parse(out) as StoreStatus).objects.map((o) => [o.key, o.state]));
      };
      const states = await status();
      expect(states).toMatchObject({
        'Network/s-kept': 'synced',
        'Network/s-drift': 'drifted',
        'Network/s-gone': 'unmanifested',
        'Network/s-new': 'not-applied',
      });
      expect(Object.values(states).every((s) => s !== undefined)).toBe(true);

      // Without DIR: the directory the owner last applied from, and how each change ended there.
      const uuid = /<uuid>([^<]+)<\/uuid>/.exec(await virsh('net-dumpxml', 'default'))![1];
      await writeFile(
        path.join(tree, 'network/s-fail.yaml'),
        `apiVersion: virtkeeper.io/v1\nkind: Network\nmetadata: {name: s-fail}\nspec:\n  bridge: virbr90\n  xml: {merge: "<uuid>${uuid}</uuid>"}\n`,
      );
      expect((await apply(tree, opts())).code).toBe(1);
      let out = '';
      expect(await runStatus({ ...opts(), json: true }, { stdout: (t) => void (out += t), stderr: (t) => void (out += t) })).toBe(0);
      const parsed = JSON.parse(out) as StoreStatus;
      const byKey = Object.fromEntries(parsed.objects.map((o) => [o.key, o]));
      expect(byKey['Network/s-kept']?.state).toBe('synced');
      expect(byKey['Network/s-new']?.state).toBe('synced'); // the failing apply created it
      expect(byKey['Network/s-fail']).toMatchObject({
        state: 'failed',
        lastError: expect.stringMatching(/^libvirt error \d+ \(VIR_ERR_[A-Z_]+\)/),
      });
      expect(parsed.notes).toEqual([]);
    });

    it('plans and applies only a target and what it refers to', async () => {
      const tree = path.join(tmp, 'targeted');
      await cp(dir, tree, { recursive: true });
      await writeFile(path.join(tree, 'network/t-lan.yaml'), netYaml('t-lan', 'virbr84'));
      await writeFile(path.join(tree, 'network/t-other.yaml'), netYaml('t-other', 'virbr85'));
      await writeFile(path.join(tree, 'storage/t-disk.yaml'), volYaml('t-disk.qcow2'));
      await writeFile(
        path.join(tree, 'vms/t-vm.yaml'),
        'apiVersion: virtkeeper.io/v1\nkind: Domain\nmetadata: {name: t-vm}\nspec:\n  type: test\n  state: stopped\n  memory: 128MiB\n  disks: [{volume: {pool: images, name: t-disk.qcow2}, target: vda}]\n  interfaces: [{network: t-lan}]\n',
      );
      const planned = await planJson(tree, { ...opts(), target: ['Domain/t-vm'] });
      expect(actions(planned)).toEqual({
        'Network/t-lan': 'create',
        'StorageVolume/images/t-disk.qcow2': 'create',
        'Domain/t-vm': 'create',
      });
      const bad = await plan(tree, { ...opts(), target: ['Domain/t-mv'] });
      expect(bad).toMatchObject({ code: 1, stdout: '' });
      expect(bad.stderr).toContain('--target Domain/t-mv: no manifest has that key (did you mean Domain/t-vm?)');

      const applied = await apply(tree, { ...opts(), target: ['Domain/t-vm'] });
      expect(applied.code, applied.stderr).toBe(0);
      expect(await virsh('list', '--all', '--name')).toMatch(/^t-vm$/m);
      expect(await virsh('net-list', '--all', '--name')).not.toMatch(/^t-other$/m);
      expect(actions(await planJson(tree, opts()))).toEqual({ 'Network/t-other': 'create' });
    });
  });
});
