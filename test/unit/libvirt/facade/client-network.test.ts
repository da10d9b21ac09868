// The façade's network methods over the generated procedures, at the bytes.
import { describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../../src/libvirt/client.js';
import { NETWORK_UPDATE_COMMANDS, NETWORK_UPDATE_SECTIONS } from '../../../../src/libvirt/enum-names.js';
import { cat, hex, i32, str, u32 } from './helpers.js';
import { WireCaller } from './wire-caller.js';

const UUID = 'dd8fe884-6c02-601e-7551-cca97df1c5df';
const net = { name: 'default', uuid: UUID };
const netBytes = cat(str('default'), hex(UUID));

function client(reply?: (name: string) => Buffer): { c: LibvirtClient; wire: WireCaller } {
  const wire = new WireCaller(reply);
  return { c: new LibvirtClient(wire), wire };
}

describe('network methods on the wire', () => {
  it('updateNetwork: command, section, signed parentIndex, xml, flags', async () => {
    const { c, wire } = client();
    const xml = "<host mac='52:54:00:00:00:01' ip='192.168.122.10'/>";
    await c.updateNetwork(net, { command: 'add-last', section: 'ip-dhcp-host', xml }, { live: true, config: true });
    expect(wire.only).toMatchObject({ name: 'NETWORK_UPDATE', number: 291 });
    expect(wire.only.body).toEqual(cat(netBytes, u32(3), u32(4), hex('ffffffff'), str(xml), u32(3)));
  });

  it('names every virNetworkUpdateCommand and section by its libvirt value', () => {
    expect(NETWORK_UPDATE_COMMANDS).toEqual(['none', 'modify', 'delete', 'add-last', 'add-first']);
    expect(NETWORK_UPDATE_SECTIONS.indexOf('dns-srv')).toBe(12);
  });

  it('defineNetwork sends the bare xml string and returns the handle', async () => {
    const { c, wire } = client(() => netBytes);
    expect(await c.defineNetwork('<network/>')).toEqual(net);
    expect(wire.only.body).toEqual(str('<network/>'));
  });

  it('listNetworks decodes handles and count', async () => {
    const { c, wire } = client(() => cat(u32(1), netBytes, u32(1)));
    expect(await c.listNetworks({ active: true, persistent: true })).toEqual([net]);
    expect(wire.only.body).toEqual(cat(i32(1), u32(2 | 4)));
  });

  it('isNetworkActive decodes the int flag; setNetworkAutostart sends one', async () => {
    const { c, wire } = client((name) => (name === 'NETWORK_IS_ACTIVE' ? i32(0) : Buffer.alloc(0)));
    expect(await c.isNetworkActive(net)).toBe(false);
    await c.setNetworkAutostart(net, true);
    expect(wire.sent[1]!.body).toEqual(cat(netBytes, i32(1)));
  });
});
