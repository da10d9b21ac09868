// What reading a host costs in libvirt calls: the reconcile-core issue's "≤ 2 calls per object,
// no duplicate reads" on a small host of its shape, counted call by call.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { readLiveState } from '../../../src/reconciler/live-state.js';
import { defaultRegistry } from '../../../src/resources/registry.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { writeScaleHost } from '../../support/scale-host.js';
import { apply } from './support.js';

const fixture = usePrivateLibvirtd();
let keeper: LibvirtClient;
let tmp: string;
let objects: number;
const shape = {
  networks: 6,
  volumes: 10,
  domains: 20,
  stateOf: (i: number) => (i === 0 ? 'paused' : i === 1 ? 'stopped' : 'running'),
} as const;

beforeAll(async () => {
  keeper = await LibvirtClient.connect(fixture.daemon.testUri);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vk-read-calls-'));
  objects = await writeScaleHost(path.join(tmp, 'host'), shape);
  const run = await apply(path.join(tmp, 'host'), {
    connect: fixture.daemon.testUri,
    stateDir: path.join(tmp, 'state'),
    owner: 'read-calls',
  });
  expect(run.code, run.stderr + run.stdout).toBe(0);
});

afterAll(async () => {
  await keeper?.close();
  await rm(tmp, { recursive: true, force: true });
});

async function countedRead(readOnly: boolean): Promise<{ calls: Map<string, number>; live: Awaited<ReturnType<typeof readLiveState>> }> {
  const calls = new Map<string, number>();
  const client = await LibvirtClient.connect(fixture.daemon.testUri, {
    readOnly,
    onCall: (info) => calls.set(info.procedure, (calls.get(info.procedure) ?? 0) + 1),
  });
  try {
    return { calls, live: await readLiveState(client, defaultRegistry) };
  } finally {
    await client.close();
  }
}

const total = (calls: Map<string, number>): number => [...calls.values()].reduce((a, b) => a + b, 0);

describe('reading the host', () => {
  it('costs at most 2 calls per object, none of them mutating', async () => {
    const { calls } = await countedRead(true);
    const listings = [...calls].filter(([p]) => /^CONNECT_LIST_ALL_|LIST_ALL_VOLUMES$/.test(p)).reduce((n, [, c]) => n + c, 0);
    // A fixed number of listings, whatever the size of the host (one per kind, per pool, per
    // filter; domains have seven: all, running, paused, shut off, autostart, persistent, managed
    // save; secrets one, which the test driver answers with VIR_ERR_NO_SUPPORT).
    expect(listings).toBeLessThanOrEqual(22);
    // The test driver's own objects (domain "test", network "default", pool "default-pool", lo) count as objects too.
    expect((total(calls) - listings) / (objects + 4)).toBeLessThanOrEqual(2);
    expect([...calls.keys()].filter((p) => /DEFINE|CREATE|DESTROY|UNDEFINE|SET_|UPDATE|DELETE|BUILD/.test(p))).toEqual([]);
  });

  it('reads each persistent XML once, on a read-only connection without asking for secrets first', async () => {
    const { calls, live } = await countedRead(true);
    const domains = [...live.values()].filter((o) => o.kind === 'Domain');
    const running = domains.filter((d) => d.active && d.persistent).length;
    expect(calls.get('DOMAIN_GET_XML_DESC')).toBe(domains.length + running);
    // The test driver rejects the INACTIVE flag once; every other network is read once.
    const networks = [...live.values()].filter((o) => o.kind === 'Network').length;
    expect(calls.get('NETWORK_GET_XML_DESC')).toBeLessThanOrEqual(networks + 1);
    expect(calls.get('DOMAIN_GET_STATE') ?? 0).toBe(0);
    expect(calls.get('NETWORK_IS_ACTIVE') ?? 0).toBe(0);
  });

  it('learns state, autostart and persistence from filtered listings correctly', async () => {
    const { live } = await countedRead(false);
    const domainState = (name: string): unknown => (live.get(`Domain/${name}`)?.spec as { state?: string } | undefined)?.state;
    expect(domainState('vm-0')).toBe('paused');
    expect(domainState('vm-1')).toBe('stopped');
    expect(live.get('Domain/vm-1')?.active).toBe(false);
    expect(domainState('vm-2')).toBe('running');
    expect(live.get('Domain/vm-2')?.running).toBeDefined();
    expect(live.get('Domain/vm-2')?.persistent).toBe(true);
    expect(live.get('Network/net-0')?.active).toBe(true);
    expect(live.get('StoragePool/images')?.active).toBe(true);
    expect([...live.keys()].filter((k) => k.startsWith('StorageVolume/images/'))).toHaveLength(shape.volumes);
  });
});
