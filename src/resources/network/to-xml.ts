// NetworkSpec → <network> XML, in the element order libvirt itself writes. Identities libvirt
// assigned (uuid, bridge MAC, generated bridge name) are carried over from the live document so a
// redefine never churns them.
import type { NetworkManifest, NetworkSpec } from './schema.js';
import { applyXmlOverlay, attr, el, find, parseXml, text, textEl, toXmlString, type XmlElement } from '../xml.js';
import { isIpv6 } from '../common/normalize.js';

/** What we keep from a live network when redefining it. */
export interface NetworkIdentity {
  uuid?: string;
  mac?: string;
  bridge?: string;
}

export function liveNetworkIdentity(liveXml: string | undefined): NetworkIdentity {
  if (!liveXml) return {};
  const root = parseXml(liveXml);
  return {
    uuid: text(find(root, 'uuid')),
    mac: attr(find(root, 'mac'), 'address'),
    bridge: attr(find(root, 'bridge'), 'name'),
  };
}

function forwardEl(spec: NetworkSpec): XmlElement | undefined {
  const f = spec.forward;
  if (!f || f.mode === 'isolated') return undefined;
  // libvirt reads dev as the first <interface>; both are written as the manifest says them.
  return el(
    'forward',
    { mode: f.mode, dev: f.dev, managed: f.managed },
    (f.interfaces ?? []).map((dev) => el('interface', { dev })),
    f.pf !== undefined ? el('pf', { dev: f.pf }) : undefined,
  );
}

/** Modes with a bridge of libvirt's own: the only ones that may carry its <mac>. */
const OWN_BRIDGE_MODES: ReadonlySet<string> = new Set(['nat', 'route', 'open', 'isolated']);

export function dnsHostEl(h: { ip: string; hostnames: string[] }): XmlElement {
  return el(
    'host',
    { ip: h.ip },
    h.hostnames.map((n) => textEl('hostname', n)),
  );
}

export function rangeEl(r: { start: string; end: string }): XmlElement {
  return el('range', { start: r.start, end: r.end });
}

function dnsEl(dns: NetworkSpec['dns']): XmlElement | undefined {
  if (!dns) return undefined;
  return el(
    'dns',
    { enable: dns.enable === undefined ? undefined : dns.enable },
    (dns.forwarders ?? []).map((addr) => el('forwarder', { addr })),
    (dns.hosts ?? []).map(dnsHostEl),
  );
}

function ipEl(ip: NonNullable<NetworkSpec['ips']>[number]): XmlElement {
  const dhcp = ip.dhcp
    ? el(
        'dhcp',
        {},
        (ip.dhcp.ranges ?? []).map(rangeEl),
        (ip.dhcp.hosts ?? []).map((h) => hostEl(h)),
      )
    : undefined;
  return el('ip', { family: isIpv6(ip.address) ? 'ipv6' : undefined, address: ip.address, prefix: ip.prefix }, dhcp);
}

/** One <host> of <dhcp>; also the payload of a network-update ip-dhcp-host command. */
export function hostEl(h: { mac?: string; id?: string; name?: string; ip: string }): XmlElement {
  return el('host', { mac: h.mac, id: h.id, name: h.name, ip: h.ip });
}

export function networkToXml(manifest: NetworkManifest, liveXml: string | undefined): string {
  const spec = manifest.spec;
  const id = liveNetworkIdentity(liveXml);
  const mode = spec.forward?.mode;
  // libvirt refuses a <mac> on networks that use an existing host bridge or host NICs.
  const keepMac = OWN_BRIDGE_MODES.has(mode ?? 'isolated');
  const bridge = spec.bridge ?? id.bridge;
  const root = el(
    'network',
    {},
    textEl('name', manifest.metadata.name),
    textEl('uuid', id.uuid),
    forwardEl(spec),
    bridge ? el('bridge', { name: bridge }) : undefined,
    spec.mtu !== undefined ? el('mtu', { size: spec.mtu }) : undefined,
    keepMac && id.mac ? el('mac', { address: id.mac }) : undefined,
    spec.domain !== undefined ? el('domain', { name: spec.domain }) : undefined,
    dnsEl(spec.dns),
    (spec.ips ?? []).map(ipEl),
  );
  return toXmlString(applyXmlOverlay(root, spec.xml?.merge));
}
