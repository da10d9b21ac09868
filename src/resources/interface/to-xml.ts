// InterfaceSpec → <interface> XML (netcf's interface.rng). Order as libvirt writes it: start,
// mtu, protocols, then the type's own part (mac for ethernet, <bridge>, <bond>, <vlan>).
// A bridge/bond member that is itself an Interface manifest is embedded with its definition
// (the schema's "bare" form: no start mode or addressing); other names are plain NICs.
import type { InterfaceIpv4, InterfaceIpv6, InterfaceManifest, InterfaceSpec } from './schema.js';
import { kindKey } from '../../manifests/identity.js';
import type { PlanContext } from '../types.js';
import { applyXmlOverlay, el, toXmlString, type XmlElement } from '../xml.js';

function protocolEl(family: 'ipv4' | 'ipv6', p: InterfaceIpv4 | InterfaceIpv6 | undefined): XmlElement | undefined {
  if (!p) return undefined;
  const autoconf = family === 'ipv6' && (p as InterfaceIpv6).autoconf ? el('autoconf') : undefined;
  return el(
    'protocol',
    { family },
    autoconf,
    p.dhcp ? el('dhcp') : undefined,
    p.address ? el('ip', { address: p.address, prefix: p.prefix }) : undefined,
    p.gateway ? el('route', { gateway: p.gateway }) : undefined,
  );
}

type MemberLookup = (name: string) => InterfaceSpec | undefined;

/** A member as the schema's bare-*-interface: identity and link-layer parts only. */
function bareMember(name: string, lookup: MemberLookup, seen: ReadonlySet<string>): XmlElement {
  const spec = seen.has(name) ? undefined : lookup(name);
  const next = new Set([...seen, name]);
  switch (spec?.type) {
    case 'vlan':
      return el('interface', { type: 'vlan', name }, vlanEl(spec));
    case 'bond':
      return el('interface', { type: 'bond', name }, bondEl(spec, lookup, next));
    case 'ethernet':
      return el('interface', { type: 'ethernet', name }, spec.mac ? el('mac', { address: spec.mac }) : undefined);
    default:
      return el('interface', { type: 'ethernet', name });
  }
}

function vlanEl(spec: InterfaceSpec): XmlElement | undefined {
  return spec.vlan ? el('vlan', { tag: spec.vlan.tag }, el('interface', { name: spec.vlan.parent })) : undefined;
}

function bondEl(spec: InterfaceSpec, lookup: MemberLookup, seen: ReadonlySet<string>): XmlElement {
  // A bond's slaves are bare ethernet devices only.
  const ethernetOnly: MemberLookup = (n) => {
    const s = lookup(n);
    return s?.type === 'ethernet' ? s : undefined;
  };
  return el(
    'bond',
    { mode: spec.bond?.mode },
    spec.bond?.miimon !== undefined ? el('miimon', { freq: spec.bond.miimon }) : undefined,
    (spec.members ?? []).map((m) => bareMember(m, ethernetOnly, seen)),
  );
}

function bridgeEl(spec: InterfaceSpec, lookup: MemberLookup, seen: ReadonlySet<string>): XmlElement {
  const stp = spec.bridge?.stp;
  return el(
    'bridge',
    { stp: stp === undefined ? undefined : stp ? 'on' : 'off', delay: spec.bridge?.delay },
    (spec.members ?? []).map((m) => bareMember(m, lookup, seen)),
  );
}

export function memberLookup(ctx: PlanContext | undefined): MemberLookup {
  return (name) => {
    const m = ctx?.desired.byKey.get(kindKey('Interface', name))?.manifest;
    return m?.kind === 'Interface' ? m.spec : undefined;
  };
}

export function interfaceToXml(manifest: InterfaceManifest, ctx: PlanContext | undefined): string {
  const spec = manifest.spec;
  const name = manifest.metadata.name;
  const lookup = memberLookup(ctx);
  const seen = new Set([name]);
  const root = el(
    'interface',
    { type: spec.type, name },
    spec.startMode ? el('start', { mode: spec.startMode }) : undefined,
    spec.mtu !== undefined ? el('mtu', { size: spec.mtu }) : undefined,
    protocolEl('ipv4', spec.ipv4),
    protocolEl('ipv6', spec.ipv6),
    // interface.rng allows <mac> only on ethernet interfaces.
    spec.type === 'ethernet' && spec.mac ? el('mac', { address: spec.mac }) : undefined,
    spec.type === 'bridge' ? bridgeEl(spec, lookup, seen) : undefined,
    spec.type === 'bond' ? bondEl(spec, lookup, seen) : undefined,
    spec.type === 'vlan' ? vlanEl(spec) : undefined,
  );
  return toXmlString(applyXmlOverlay(root, spec.xml?.merge));
}
