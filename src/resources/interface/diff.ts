// Desired vs live InterfaceSpec. Every difference is a redefine: netcf writes the new config and
// it takes effect when the interface is next brought up.
import type { InterfaceIpv6, InterfaceSpec } from './schema.js';
import type { FieldChange } from '../types.js';
import { FieldDiff } from '../common/field-diff.js';
import { normIp, normMac } from '../common/normalize.js';
import { overlayDrift } from '../common/overlay-diff.js';

function diffProtocol(diff: FieldDiff, path: string, want: InterfaceIpv6 | undefined, have: InterfaceIpv6 | undefined): void {
  if (!want) return;
  const h = have ?? {};
  // A protocol without <dhcp/> or <autoconf/> has them off.
  diff.field(`${path}.dhcp`, want.dhcp, h.dhcp ?? false, 'redefine');
  diff.field(`${path}.autoconf`, want.autoconf, h.autoconf ?? false, 'redefine');
  diff.field(`${path}.address`, want.address, h.address, 'redefine', normIp);
  diff.field(`${path}.prefix`, want.prefix, h.prefix, 'redefine');
  diff.field(`${path}.gateway`, want.gateway, h.gateway, 'redefine', normIp);
}

export function diffInterface(want: InterfaceSpec, have: InterfaceSpec, liveXml?: string): FieldChange[] {
  const diff = new FieldDiff();
  diff.field('spec.type', want.type, have.type, 'redefine');
  diff.field('spec.startMode', want.startMode, have.startMode, 'redefine');
  if (want.type === 'ethernet') diff.field('spec.mac', want.mac, have.mac, 'redefine', normMac);
  diff.field('spec.mtu', want.mtu, have.mtu, 'redefine');
  diffProtocol(diff, 'spec.ipv4', want.ipv4, have.ipv4);
  diffProtocol(diff, 'spec.ipv6', want.ipv6, have.ipv6);
  diff.field('spec.members', want.members, have.members ?? [], 'redefine');
  diff.field('spec.bridge.stp', want.bridge?.stp, have.bridge?.stp, 'redefine');
  diff.field('spec.bridge.delay', want.bridge?.delay, have.bridge?.delay, 'redefine');
  diff.field('spec.bond.mode', want.bond?.mode, have.bond?.mode, 'redefine');
  diff.field('spec.bond.miimon', want.bond?.miimon, have.bond?.miimon, 'redefine');
  diff.field('spec.vlan', want.vlan, have.vlan, 'redefine');
  if (overlayDrift(want.xml?.merge, liveXml).length) diff.add({ path: 'spec.xml.merge', after: want.xml?.merge, class: 'redefine' });
  return diff.changes;
}
