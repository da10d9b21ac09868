// Network kind against libvirt's test driver: create → no-op, one change → that update, out-of-band stop → start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import type { NetworkManifest, NetworkSpec } from '../../../src/resources/network/schema.js';
import { networkKind } from '../../../src/resources/network/index.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { KindHarness, virsh, type AnyKind } from '../../unit/resources/common/harness.js';
import { manifest } from '../../unit/resources/common/live.js';
import { payloadOf } from '../../unit/resources/common/payload-of.js';

const SPEC: NetworkSpec = {
  autostart: true,
  forward: { mode: 'nat' },
  bridge: 'vkint10',
  domain: 'int.example',
  ips: [
    {
      address: '10.77.0.1',
      prefix: 24,
      dhcp: {
        ranges: [{ start: '10.77.0.100', end: '10.77.0.199' }],
        hosts: [{ mac: '52:54:00:77:00:01', name: 'web-1', ip: '10.77.0.11' }],
      },
    },
  ],
  dns: { hosts: [{ ip: '10.77.0.11', hostnames: ['www.int.example'] }] },
};
const HOSTS_AFTER = [
  { mac: '52:54:00:77:00:01', name: 'web-1', ip: '10.77.0.21' },
  { mac: '52:54:00:77:00:02', name: 'db-1', ip: '10.77.0.12' },
];
const IPS_AFTER: NetworkSpec['ips'] = [{ ...SPEC.ips![0], dhcp: { ...SPEC.ips![0].dhcp, hosts: HOSTS_AFTER } }];
const lan = (spec: Partial<NetworkSpec> = {}): NetworkManifest => manifest('Network', 'vk-lan', { ...SPEC, ...spec });

describe('Network kind on the test driver', () => {
  const fixture = usePrivateLibvirtd();
  let client: LibvirtClient;
  let h: KindHarness;
  beforeAll(async () => {
    // One connection for the whole file: the test driver drops its state with the last one.
    client = await LibvirtClient.connect(fixture.daemon.testUri);
    h = new KindHarness(client, [networkKind as unknown as AnyKind]);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('reads the driver default network', async () => {
    const live = await h.live();
    expect(live.get('Network/default')?.spec).toMatchObject({
      forward: { mode: 'nat' },
      bridge: 'virbr0',
      ips: [{ address: '192.168.122.1', prefix: 24 }],
    });
  });

  it('creates the network, then plans nothing', async () => {
    const create = await h.plan(networkKind, lan());
    expect(create.action).toBe('create');
    expect(create.steps.map((s) => s.op)).toEqual(['define', 'setAutostart', 'start']);
    await h.execute(networkKind, create);

    const live = (await h.live()).get('Network/vk-lan');
    expect(live).toMatchObject({ active: true, persistent: true, spec: { autostart: true } });
    expect((await h.plan(networkKind, lan())).action).toBe('no-op');
  });

  it('a DHCP host change is exactly one live update, applied through network-update', async () => {
    const m = lan({ ips: IPS_AFTER });
    const change = await h.plan(networkKind, m);
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.ips[0].dhcp.hosts', 'live']]);
    expect(change.restartRequired).toBe(false);
    expect(change.steps.map((s) => payloadOf(s).command)).toEqual(['modify', 'add-last']);
    await h.execute(networkKind, change);
    expect((await h.plan(networkKind, m)).action).toBe('no-op');
    const xml = await client.getNetworkXml(await client.getNetwork('vk-lan'));
    expect(xml).toContain("ip='10.77.0.21'");
    expect(xml).toContain("mac='52:54:00:77:00:02'");
  });

  it('autostart is exactly one live change', async () => {
    const change = await h.plan(networkKind, lan({ autostart: false, ips: IPS_AFTER }));
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.autostart', 'live']]);
    await h.execute(networkKind, change);
    expect(await client.getNetworkAutostart(await client.getNetwork('vk-lan'))).toBe(false);
  });

  it('an out-of-band net-destroy is planned as a start', async () => {
    await virsh(fixture.daemon.testUri, 'net-destroy', 'vk-lan');
    const m = lan({ autostart: false, ips: IPS_AFTER });
    const change = await h.plan(networkKind, m);
    expect(change.changes.map((c) => c.path)).toEqual(['status.active']);
    expect(change.steps.map((s) => s.op)).toEqual(['start']);
    await h.execute(networkKind, change);
    expect((await h.plan(networkKind, m)).action).toBe('no-op');
  });

  it('a redefine keeps the uuid; on an inactive network it takes effect at once', async () => {
    const ref = await client.getNetwork('vk-lan');
    await client.destroyNetwork(ref);
    const m = lan({ autostart: false, ips: IPS_AFTER, domain: 'changed.example' });
    const change = await h.plan(networkKind, m);
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([
      ['spec.domain', 'redefine'],
      ['status.active', 'live'],
    ]);
    expect(change.restartRequired).toBe(false);
    await h.execute(networkKind, change);
    expect((await client.getNetwork('vk-lan')).uuid).toBe(ref.uuid);
    expect((await h.plan(networkKind, m)).action).toBe('no-op');
  });

  it('deletes: destroy and undefine', async () => {
    const change = await h.plan(networkKind, 'Network/vk-lan');
    expect(change.steps.map((s) => s.op)).toEqual(['destroy', 'undefine']);
    await h.execute(networkKind, change);
    expect(await client.lookupNetwork('vk-lan')).toBeNull();
  });
});
