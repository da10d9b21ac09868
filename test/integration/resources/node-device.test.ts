// NodeDevice kind against libvirt's test driver, which has no PCI or USB devices and cannot
// detach anything: listing must work with its capability filters, and plans must refuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { nodeDeviceKind } from '../../../src/resources/node-device/index.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { KindHarness, type AnyKind } from '../../unit/resources/common/harness.js';
import { manifest } from '../../unit/resources/common/live.js';

describe('NodeDevice kind on the test driver', () => {
  const fixture = usePrivateLibvirtd();
  let client: LibvirtClient;
  let h: KindHarness;
  beforeAll(async () => {
    client = await LibvirtClient.connect(fixture.daemon.testUri);
    h = new KindHarness(client, [nodeDeviceKind as unknown as AnyKind]);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('lists PCI and USB devices with capability filters (none on the test driver)', async () => {
    expect(await nodeDeviceKind.readLive(client)).toEqual([]);
  });

  it('a manifest for a device the host lacks is refused, with no steps', async () => {
    const m = manifest('NodeDevice', 'nvme0', { pci: { domain: 0, bus: 6, slot: 0, function: 0 }, detached: true });
    const change = await h.plan(nodeDeviceKind, m);
    expect(change.refused).toMatch(/0000:06:00\.0 is not present/);
    expect(change.steps).toEqual([]);
  });
});
