// <interface> XML → InterfaceSpec. Members are read back by name only: how a member is itself
// configured belongs to its own manifest.
import type { InterfaceIpv4, InterfaceIpv6, InterfaceSpec } from './schema.js';
import type { RuntimeFacts } from '../types.js';
import { attr, child, children, find, parseXml, type XmlElement } from '../xml.js';
import { compact, isEmpty } from '../common/compare.js';
import { parseIntAttr, parseYesNo } from '../common/normalize.js';

type BondMode = NonNullable<InterfaceSpec['bond']>['mode'];

function protocolFromXml(root: XmlElement, family: 'ipv4' | 'ipv6'): InterfaceIpv6 | undefined {
  const p = children(root, 'protocol').find((e) => attr(e, 'family') === family);
  if (!p) return undefined;
  const ip = child(p, 'ip');
  const out: InterfaceIpv6 = compact({
    autoconf: family === 'ipv6' && child(p, 'autoconf') ? true : undefined,
    dhcp: child(p, 'dhcp') ? true : undefined,
    address: attr(ip, 'address'),
    prefix: parseIntAttr(attr(ip, 'prefix')),
    gateway: attr(child(p, 'route'), 'gateway'),
  });
  return out;
}

function memberNames(container: XmlElement | undefined): string[] | undefined {
  const names = children(container, 'interface')
    .map((i) => attr(i, 'name'))
    .filter((n): n is string => n !== undefined);
  return names.length ? names : undefined;
}

export function interfaceFromXml(xml: string, _runtime: RuntimeFacts): InterfaceSpec {
  const root = parseXml(xml);
  const type = (attr(root, 'type') ?? 'ethernet') as InterfaceSpec['type'];
  const bridge = child(root, 'bridge');
  const bond = child(root, 'bond');
  const vlan = child(root, 'vlan');
  const delay = attr(bridge, 'delay');
  const bridgeOpts = compact({ stp: parseYesNo(attr(bridge, 'stp')), delay: delay === undefined ? undefined : Number(delay) });
  const bondOpts = compact({ mode: attr(bond, 'mode') as BondMode, miimon: parseIntAttr(attr(child(bond, 'miimon'), 'freq')) });
  const ipv4 = protocolFromXml(root, 'ipv4') as InterfaceIpv4 | undefined;
  return compact({
    type,
    startMode: attr(child(root, 'start'), 'mode') as InterfaceSpec['startMode'],
    mac: attr(child(root, 'mac'), 'address'),
    mtu: parseIntAttr(attr(child(root, 'mtu'), 'size')),
    ipv4,
    ipv6: protocolFromXml(root, 'ipv6'),
    members: memberNames(bridge ?? bond),
    bridge: bridge && !isEmpty(bridgeOpts) ? bridgeOpts : undefined,
    bond: bond && !isEmpty(bondOpts) ? bondOpts : undefined,
    vlan: vlan ? { tag: parseIntAttr(attr(vlan, 'tag')) ?? 0, parent: attr(find(vlan, 'interface'), 'name') ?? '' } : undefined,
  });
}
