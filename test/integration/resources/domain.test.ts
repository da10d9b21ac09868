// Domain kind against libvirt's test driver: create → no-op, one change → that redefine,
// out-of-band power-off → start, lifecycle, overlay, delete.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import type { DomainSpec } from '../../../src/resources/domain/schema.js';
import { domainKind } from '../../../src/resources/domain/index.js';
import type { LiveResource, ResourceChange } from '../../../src/resources/types.js';
import { children, find, parseXml } from '../../../src/resources/xml.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { stateWith } from '../../unit/resources/domain/helpers.js';

const NAME = 'vk-web';
const SPEC: DomainSpec = {
  type: 'test',
  title: 'virtkeeper <integration> & co',
  memory: '1GiB',
  vcpus: 2,
  os: { type: 'hvm', arch: 'x86_64', boot: ['hd', 'network'] },
  features: { acpi: true },
  disks: [{ file: '/guest/vk-web.img', target: 'vda', bus: 'virtio' }],
  interfaces: [{ network: 'default', model: 'virtio' }],
  graphics: [{ type: 'vnc' }],
};

describe('Domain kind on the test driver', () => {
  const fixture = usePrivateLibvirtd();
  let client: LibvirtClient;

  beforeAll(async () => {
    // One connection for the whole file: the test driver drops its state with the last one.
    client = await LibvirtClient.connect(fixture.daemon.testUri);
  });
  afterAll(async () => {
    await client?.close();
  });

  async function live(name = NAME): Promise<LiveResource<'Domain'> | undefined> {
    return (await domainKind.readLive(client)).find((d) => d.name === name);
  }
  async function plan(spec: DomainSpec | undefined, name = NAME): Promise<ResourceChange<'Domain'>> {
    const { state, loaded } = stateWith(name, spec ?? SPEC);
    return domainKind.plan(spec ? loaded : undefined, await live(name), { desired: state, live: new Map() });
  }
  async function apply(change: ResourceChange<'Domain'>): Promise<void> {
    expect(change.refused).toBeUndefined();
    for (const step of change.steps) await domainKind.execute(step, change, client);
  }
  function virsh(...args: string[]): string {
    const r = spawnSync('virsh', ['-c', fixture.daemon.testUri, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`virsh ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  it('reads the driver default domain', async () => {
    const test = await live('test');
    expect(test).toMatchObject({
      active: true,
      persistent: true,
      markedOwned: false,
      spec: { type: 'test', state: 'running', memory: '8GiB', vcpus: 2 },
    });
  });

  it('creates the domain from the manifest, then plans nothing', async () => {
    const create = await plan(SPEC);
    expect(create.action).toBe('create');
    expect(create.steps.map((s) => s.op)).toEqual(['define', 'start']);
    await apply(create);

    const d = await live();
    expect(d).toMatchObject({
      active: true,
      persistent: true,
      markedOwned: true,
      spec: { state: 'running', memory: '1GiB', title: SPEC.title },
    });
    expect(d?.spec.interfaces?.[0]?.mac).toMatch(/^52:54:00:/);
    const again = await plan(SPEC);
    expect(again.changes).toEqual([]);
    expect(again.action).toBe('no-op');
  });

  it('a memory change is exactly one redefine change, and the MAC and uuid survive it', async () => {
    const before = await live();
    const change = await plan({ ...SPEC, memory: '2GiB' });
    expect(change.action).toBe('update');
    expect(change.changes).toEqual([{ path: 'spec.memory', before: '1GiB', after: '2GiB', class: 'redefine' }]);
    expect(change.restartRequired).toBe(true);
    expect(change.steps.map((s) => s.op)).toEqual(['define']);
    await apply(change);

    const after = await live();
    expect(after?.spec.memory).toBe('2GiB');
    expect(after?.spec.uuid).toBe(before?.spec.uuid);
    expect(after?.spec.interfaces?.[0]?.mac).toBe(before?.spec.interfaces?.[0]?.mac);
    expect((await plan({ ...SPEC, memory: '2GiB' })).action).toBe('no-op');
  });

  it('starts a domain powered off out of band', async () => {
    const spec = { ...SPEC, memory: '2GiB' };
    virsh('destroy', NAME);
    const change = await plan(spec);
    expect(change.changes).toEqual([{ path: 'spec.state', before: 'stopped', after: 'running', class: 'live' }]);
    expect(change.steps.map((s) => s.op)).toEqual(['start']);
    expect(change.reason).toBe('domain vk-web is shut off, manifest wants running');
    await apply(change);
    expect((await live())?.spec.state).toBe('running');
    expect((await plan(spec)).action).toBe('no-op');
  });

  it('walks the lifecycle: paused, running, stopped', async () => {
    const spec = { ...SPEC, memory: '2GiB' };
    for (const [state, ops] of [
      ['paused', ['suspend']],
      ['running', ['resume']],
      ['stopped', ['shutdown']],
      ['paused', ['start']],
      ['running', ['resume']],
    ] as const) {
      const change = await plan({ ...spec, state });
      expect(
        change.steps.map((s) => s.op),
        state,
      ).toEqual(ops);
      await apply(change);
      expect((await live())?.spec.state).toBe(state);
      expect((await plan({ ...spec, state })).action).toBe('no-op');
    }
  });

  it('restarts by itself with restartPolicy auto', async () => {
    // vcpus 2 → 1 alone would be a live unplug; lowering the maximum too needs the restart.
    const spec: DomainSpec = { ...SPEC, memory: '2GiB', vcpus: 1, maxVcpus: 1, restartPolicy: 'auto' };
    const change = await plan(spec);
    expect(change.steps.map((s) => s.op)).toEqual(['define', 'shutdown', 'start']);
    expect(change.restartRequired).toBe(false);
    await apply(change);
    expect((await plan(spec)).action).toBe('no-op');
  });

  it('applies autostart, title and description without a redefine', async () => {
    const spec: DomainSpec = { ...SPEC, memory: '2GiB', vcpus: 1, autostart: true, title: 'renamed', description: 'now <described>' };
    const change = await plan(spec);
    expect(change.changes.map((c) => c.class)).toEqual(['live', 'live', 'live']);
    expect(change.steps.map((s) => s.op)).toEqual(['setMetadata', 'setMetadata', 'setAutostart']);
    await apply(change);
    expect((await live())?.spec).toMatchObject({ autostart: true, title: 'renamed', description: 'now <described>' });
    expect((await plan(spec)).action).toBe('no-op');
  });

  it('merges the xml overlay once, across redefines', async () => {
    const overlay = `<devices><watchdog model="i6300esb" action="reset"/></devices>`;
    const spec: DomainSpec = { ...SPEC, memory: '2GiB', vcpus: 1, xml: { merge: overlay } };
    await apply(await plan(spec));
    expect((await plan(spec)).action).toBe('no-op');
    await apply(await plan({ ...spec, memory: '3GiB' }));
    const doc = parseXml((await live())?.xml ?? '');
    expect(children(find(doc, 'devices'), 'watchdog')).toHaveLength(1);
    expect((await plan({ ...spec, memory: '3GiB' })).action).toBe('no-op');
  });

  it('an exported manifest (live spec) plans nothing', async () => {
    for (const name of ['test', NAME]) {
      const exported = (await live(name))?.spec;
      expect(exported, name).toBeDefined();
      const change = await plan(exported, name);
      expect(change.changes, name).toEqual([]);
      expect(change.action, name).toBe('no-op');
    }
  });

  it('deletes the domain', async () => {
    const change = await plan(undefined);
    expect(change.action).toBe('delete');
    expect(change.steps.map((s) => s.op)).toEqual(['destroy', 'undefine']);
    await apply(change);
    expect(await live()).toBeUndefined();
  });
});
