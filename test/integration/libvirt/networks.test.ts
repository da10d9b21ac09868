// Network procedures against the test driver of a private libvirtd.
import { describe, expect, it } from 'vitest';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { VIR_ERR_NO_NETWORK, VIR_ERR_OPERATION_DENIED } from '../../../src/libvirt/errors.js';
import { expectLibvirtError, networkXml, useKeeperClient } from './helpers.js';

describe('networks', () => {
  const fixture = usePrivateLibvirtd();
  const keeper = useKeeperClient(fixture);

  it('define → lookup → XML → autostart → start → active → update → destroy → undefine', async () => {
    const c = keeper.client;
    const net = await c.defineNetwork(networkXml('lan1', 71));
    expect(net.name).toBe('lan1');
    expect(await c.lookupNetwork('lan1')).toEqual(net);
    expect(await c.lookupNetworkByUuid(net.uuid)).toEqual(net);
    expect((await c.listNetworks()).map((n) => n.name)).toEqual(expect.arrayContaining(['default', 'lan1']));
    expect((await c.listNetworks({ active: false })).map((n) => n.name)).toEqual(['lan1']);
    expect(await c.isNetworkPersistent(net)).toBe(true);

    const xml = await c.getNetworkXml(net, { inactive: true });
    expect(xml).toContain('<name>lan1</name>');
    expect(xml).toContain(`<uuid>${net.uuid}</uuid>`);
    expect(await c.getNetworkBridgeName(net)).toBe('vk71');

    expect(await c.getNetworkAutostart(net)).toBe(false);
    await c.setNetworkAutostart(net, true);
    expect(await c.getNetworkAutostart(net)).toBe(true);
    expect((await c.listNetworks({ autostart: true })).map((n) => n.name)).toContain('lan1');

    expect(await c.isNetworkActive(net)).toBe(false);
    await c.startNetwork(net);
    expect(await c.isNetworkActive(net)).toBe(true);

    const host = "<host mac='52:54:00:00:00:71' name='web' ip='10.71.0.10'/>";
    await c.updateNetwork(net, { command: 'add-last', section: 'ip-dhcp-host', xml: host }, { live: true, config: true });
    expect(await c.getNetworkXml(net)).toContain("<host mac='52:54:00:00:00:71' name='web' ip='10.71.0.10'/>");
    expect(await c.getNetworkXml(net, { inactive: true })).toContain("mac='52:54:00:00:00:71'");
    await c.updateNetwork(net, { command: 'delete', section: 'ip-dhcp-host', xml: host }, { live: true, config: true });
    expect(await c.getNetworkXml(net)).not.toContain('52:54:00:00:00:71');

    await c.destroyNetwork(net);
    expect(await c.isNetworkActive(net)).toBe(false);
    await c.undefineNetwork(net);
    expect(await c.lookupNetwork('lan1')).toBeNull();
  });

  it('operations on a missing network fail with VIR_ERR_NO_NETWORK', async () => {
    const c = keeper.client;
    await expectLibvirtError(c.getNetwork('no-such-net'), VIR_ERR_NO_NETWORK);
    const gone = await c.defineNetwork(networkXml('gone', 72));
    await c.undefineNetwork(gone);
    await expectLibvirtError(c.startNetwork(gone), VIR_ERR_NO_NETWORK);
    await expectLibvirtError(c.getNetworkXml(gone), VIR_ERR_NO_NETWORK);
  });

  it('a read-only connection is refused network mutations', async () => {
    const ro = await LibvirtClient.connect(fixture.daemon.testUri, { readOnly: true });
    try {
      const def = await ro.getNetwork('default');
      expect(await ro.isNetworkActive(def)).toBe(true);
      await expectLibvirtError(ro.defineNetwork(networkXml('ro', 73)), VIR_ERR_OPERATION_DENIED);
      await expectLibvirtError(ro.destroyNetwork(def), VIR_ERR_OPERATION_DENIED);
      await expectLibvirtError(ro.setNetworkAutostart(def, false), VIR_ERR_OPERATION_DENIED);
      await expectLibvirtError(
        ro.updateNetwork(def, { command: 'add-last', section: 'ip-dhcp-host', xml: "<host mac='52:54:00:00:00:73' ip='192.168.122.73'/>" }),
        VIR_ERR_OPERATION_DENIED,
      );
    } finally {
      await ro.close();
    }
  });
});
