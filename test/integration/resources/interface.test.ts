// Interface kind against libvirt's test driver (which keeps interface config in memory only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import type { InterfaceManifest, InterfaceSpec } from '../../../src/resources/interface/schema.js';
import { interfaceKind } from '../../../src/resources/interface/index.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { KindHarness, virsh, type AnyKind } from '../../unit/resources/common/harness.js';
import { manifest } from '../../unit/resources/common/live.js';

const SPEC: InterfaceSpec = {
  type: 'bridge',
  startMode: 'onboot',
  mtu: 1500,
  ipv4: { dhcp: true },
  members: ['eno9'],
  bridge: { stp: false, delay: 0 },
};
const br = (spec: Partial<InterfaceSpec> = {}): InterfaceManifest => manifest('Interface', 'vkbr0', { ...SPEC, ...spec });

describe('Interface kind on the test driver', () => {
  const fixture = usePrivateLibvirtd();
  let client: LibvirtClient;
  let h: KindHarness;
  beforeAll(async () => {
    client = await LibvirtClient.connect(fixture.daemon.testUri);
    h = new KindHarness(client, [interfaceKind as unknown as AnyKind]);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('reads the driver default interface', async () => {
    expect((await h.live()).get('Interface/eth1')?.spec).toEqual({
      type: 'ethernet',
      startMode: 'onboot',
      mac: 'aa:bb:cc:dd:ee:ff',
      mtu: 1492,
      ipv4: { address: '192.168.0.5', prefix: 24, gateway: '192.168.0.1' },
    });
  });

  it('creates a bridge (define, start), then plans nothing', async () => {
    const create = await h.plan(interfaceKind, br());
    expect(create.steps.map((s) => s.op)).toEqual(['define', 'start']);
    await h.execute(interfaceKind, create);
    expect((await h.live()).get('Interface/vkbr0')?.active).toBe(true);
    expect((await h.plan(interfaceKind, br())).action).toBe('no-op');
  });

  it('one field changed → exactly that redefine, restart required', async () => {
    const m = br({ mtu: 9000 });
    const change = await h.plan(interfaceKind, m);
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.mtu', 'redefine']]);
    expect(change.restartRequired).toBe(true);
  });

  it('an out-of-band iface-destroy of an onboot interface is planned as a start', async () => {
    // virsh exits non-zero here with an empty error although the test driver did stop it.
    await virsh(fixture.daemon.testUri, 'iface-destroy', 'vkbr0').catch(() => undefined);
    expect(await client.isInterfaceActive(await client.getInterface('vkbr0'))).toBe(false);
    const change = await h.plan(interfaceKind, br());
    expect(change.changes.map((c) => c.path)).toEqual(['status.active']);
    await h.execute(interfaceKind, change);
    expect((await h.plan(interfaceKind, br())).action).toBe('no-op');
  });

  it('deletes: destroy and undefine', async () => {
    const change = await h.plan(interfaceKind, 'Interface/vkbr0');
    expect(change.steps.map((s) => s.op)).toEqual(['destroy', 'undefine']);
    await h.execute(interfaceKind, change);
    expect(await client.lookupInterface('vkbr0')).toBeNull();
  });
});
