import { describe, expect, it } from 'vitest';
import * as n from '../../../../src/libvirt/procedures/network.js';
import { argsOf, cat, hex, i32, retOf, str, u32 } from './helpers.js';

const UUID = 'dd8fe884-6c02-601e-7551-cca97df1c5df';
const net = { name: 'default', uuid: UUID };
const netBytes = cat(str('default'), hex(UUID));

describe('network procedures', () => {
  it('have the numbers of remote_protocol.x', () => {
    expect([
      n.NETWORK_CREATE.number,
      n.NETWORK_DEFINE_XML.number,
      n.NETWORK_DESTROY.number,
      n.NETWORK_GET_XML_DESC.number,
      n.NETWORK_GET_AUTOSTART.number,
      n.NETWORK_LOOKUP_BY_NAME.number,
      n.NETWORK_SET_AUTOSTART.number,
      n.NETWORK_UNDEFINE.number,
      n.NETWORK_IS_ACTIVE.number,
      n.CONNECT_LIST_ALL_NETWORKS.number,
      n.NETWORK_UPDATE.number,
    ]).toEqual([39, 41, 42, 43, 44, 46, 48, 49, 152, 283, 291]);
  });

  it('NETWORK_UPDATE: command, section, signed parentIndex, xml, flags', () => {
    const bytes = argsOf(n.NETWORK_UPDATE, {
      net,
      command: n.NETWORK_UPDATE_COMMANDS.indexOf('add-last'),
      section: n.NETWORK_UPDATE_SECTIONS.indexOf('ip-dhcp-host'),
      parentIndex: -1,
      xml: "<host mac='52:54:00:00:00:01' ip='192.168.122.10'/>",
      flags: n.VIR_NETWORK_UPDATE_AFFECT_LIVE | n.VIR_NETWORK_UPDATE_AFFECT_CONFIG,
    });
    expect(bytes).toEqual(
      cat(netBytes, u32(3), u32(4), hex('ffffffff'), str("<host mac='52:54:00:00:00:01' ip='192.168.122.10'/>"), u32(3)),
    );
  });

  it('NETWORK_DEFINE_XML takes the bare xml string and returns the handle', () => {
    expect(argsOf(n.NETWORK_DEFINE_XML, '<network/>')).toEqual(str('<network/>'));
    expect(retOf(n.NETWORK_DEFINE_XML, netBytes)).toEqual(net);
  });

  it('CONNECT_LIST_ALL_NETWORKS decodes handles and count', () => {
    expect(retOf(n.CONNECT_LIST_ALL_NETWORKS, cat(u32(1), netBytes, u32(1)))).toEqual({ items: [net], count: 1 });
  });

  it('NETWORK_IS_ACTIVE decodes the int flag', () => {
    expect(retOf(n.NETWORK_IS_ACTIVE, i32(0))).toBe(false);
  });
});
