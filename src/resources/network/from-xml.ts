// <network> XML → NetworkSpec in manifest notation, only the fields present in the document.
import type { NetworkDhcpHost, NetworkIp, NetworkSpec } from './schema.js';
import type { RuntimeFacts } from '../types.js';
import { attr, child, children, find, parseXml, text, type XmlElement } from '../xml.js';
import { compact, isEmpty } from '../common/compare.js';
import { netmaskToPrefix, parseIntAttr, parseYesNo } from '../common/normalize.js';

type ForwardMode = NonNullable<NetworkSpec['forward']>['mode'];

function ipFromXml(ip: XmlElement): NetworkIp {
  const prefix = parseIntAttr(attr(ip, 'prefix')) ?? netmaskToPrefix(attr(ip, 'netmask') ?? '');
  const dhcpEl = child(ip, 'dhcp');
  let dhcp: NetworkIp['dhcp'];
  if (dhcpEl) {
    const ranges = children(dhcpEl, 'range').map((r) => ({ start: attr(r, 'start') ?? '', end: attr(r, 'end') ?? '' }));
    const hosts = children(dhcpEl, 'host').map(
      (h): NetworkDhcpHost => compact({ mac: attr(h, 'mac'), id: attr(h, 'id'), name: attr(h, 'name'), ip: attr(h, 'ip') ?? '' }),
    );
    dhcp = compact({ ranges: ranges.length ? ranges : undefined, hosts: hosts.length ? hosts : undefined });
  }
  // A missing prefix only happens with hand-written classful IPv4; 0 keeps the type honest and shows as drift.
  return compact({ address: attr(ip, 'address') ?? '', prefix: prefix ?? 0, dhcp });
}

function dnsFromXml(dnsEl: XmlElement | undefined): NetworkSpec['dns'] {
  if (!dnsEl) return undefined;
  const forwarders = children(dnsEl, 'forwarder')
    .map((f) => attr(f, 'addr'))
    .filter((a): a is string => a !== undefined);
  const hosts = children(dnsEl, 'host').map((h) => ({
    ip: attr(h, 'ip') ?? '',
    hostnames: children(h, 'hostname').map((n) => text(n) ?? ''),
  }));
  const dns = compact({
    enable: parseYesNo(attr(dnsEl, 'enable')),
    forwarders: forwarders.length ? forwarders : undefined,
    hosts: hosts.length ? hosts : undefined,
  });
  return isEmpty(dns) ? undefined : dns;
}

/**
 * libvirt writes a forward dev also as the first <interface>: a list that only repeats dev says
 * nothing more and is left out, so an exported nat network stays as the user wrote it.
 */
function forwardFromXml(forwardEl: XmlElement): NonNullable<NetworkSpec['forward']> {
  const mode = (attr(forwardEl, 'mode') as ForwardMode | undefined) ?? 'nat';
  const dev = attr(forwardEl, 'dev');
  const interfaces = children(forwardEl, 'interface')
    .map((i) => attr(i, 'dev'))
    .filter((d): d is string => d !== undefined);
  const onlyDev = interfaces.length === 0 || (interfaces.length === 1 && interfaces[0] === dev);
  return compact({
    mode,
    dev,
    interfaces: onlyDev ? undefined : interfaces,
    pf: attr(child(forwardEl, 'pf'), 'dev'),
    managed: mode === 'hostdev' ? parseYesNo(attr(forwardEl, 'managed')) : undefined,
  });
}

export function networkFromXml(xml: string, runtime: RuntimeFacts): NetworkSpec {
  const root = parseXml(xml);
  const forwardEl = child(root, 'forward');
  const ips = children(root, 'ip').map(ipFromXml);
  return compact({
    autostart: runtime.autostart,
    forward: forwardEl ? forwardFromXml(forwardEl) : undefined,
    bridge: attr(find(root, 'bridge'), 'name'),
    mtu: parseIntAttr(attr(find(root, 'mtu'), 'size')),
    domain: attr(find(root, 'domain'), 'name'),
    ips: ips.length ? ips : undefined,
    dns: dnsFromXml(child(root, 'dns')),
  });
}
