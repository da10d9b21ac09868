import { describe, expect, it } from 'vitest';
import type { InterfaceManifest, InterfaceSpec } from '../../../../src/resources/interface/schema.js';
import { interfaceKind } from '../../../../src/resources/interface/index.js';
import { READ_ONLY_INTERFACES } from '../../../../src/resources/interface/plan.js';
import { loadExamples, loadKindFixtures } from '../common/fixtures.js';
import { contextOf, liveFromXml, loaded, manifest } from '../common/live.js';
import { payloadOf } from '../common/payload-of.js';

const ETH: InterfaceSpec = {
  type: 'ethernet',
  startMode: 'onboot',
  mac: 'aa:bb:cc:dd:ee:ff',
  mtu: 1492,
  ipv4: { address: '192.168.0.5', prefix: 24, gateway: '192.168.0.1' },
};

/** eth1 as libvirt's test driver (and netcf) report it: upper-case-insensitive MAC, link state. */
const ETH_LIVE_XML = `<interface type='ethernet' name='eth1'>
  <start mode='onboot'/>
  <mtu size='1492'/>
  <protocol family='ipv4'>
    <ip address='192.168.0.5' prefix='24'/>
    <route gateway='192.168.0.1'/>
  </protocol>
  <mac address='AA:BB:CC:DD:EE:FF'/>
  <link speed='1000' state='up'/>
</interface>
`;

const eth = (spec: Partial<InterfaceSpec> = {}): InterfaceManifest => manifest('Interface', 'eth1', { ...ETH, ...spec });

function plan(m: InterfaceManifest, active = true) {
  const live = liveFromXml(interfaceKind, 'eth1', ETH_LIVE_XML, { active });
  return interfaceKind.plan(loaded(m), live, contextOf([loaded(m)], [live]));
}

describe('Interface round trip', () => {
  it('fromXml(toXml(spec)) plans nothing for every example and fixture interface', async () => {
    for (const state of [await loadExamples(), loadKindFixtures()]) {
      const ctx = contextOf(state.manifests);
      for (const lm of state.manifests) {
        if (lm.manifest.kind !== 'Interface') continue;
        const m = lm.manifest;
        const live = liveFromXml(interfaceKind, m.metadata.name, interfaceKind.toXml(m, undefined, ctx), { active: true });
        const change = interfaceKind.plan(lm as never, live, contextOf(state.manifests, [live]));
        expect(change.changes, m.metadata.name).toEqual([]);
      }
    }
  });

  it('reads bridges, bonds and VLANs back', () => {
    const br = `<interface type='bridge' name='br0'><start mode='onboot'/><protocol family='ipv4'><dhcp/></protocol><bridge stp='off' delay='0.5'><interface type='ethernet' name='eno2'><mac address='52:54:00:00:00:01'/></interface></bridge></interface>`;
    expect(interfaceKind.fromXml(br, {})).toEqual({
      type: 'bridge',
      startMode: 'onboot',
      ipv4: { dhcp: true },
      members: ['eno2'],
      bridge: { stp: false, delay: 0.5 },
    });
    const vlan = `<interface type='vlan' name='eno6.42'><vlan tag='42'><interface name='eno6'/></vlan></interface>`;
    expect(interfaceKind.fromXml(vlan, {})).toEqual({ type: 'vlan', vlan: { tag: 42, parent: 'eno6' } });
    const bond = `<interface type='bond' name='bond0'><bond mode='802.3ad'><miimon freq='100' updelay='10'/><interface type='ethernet' name='a'/><interface type='ethernet' name='b'/></bond></interface>`;
    expect(interfaceKind.fromXml(bond, {})).toEqual({ type: 'bond', members: ['a', 'b'], bond: { mode: '802.3ad', miimon: 100 } });
  });
});

describe('Interface defaults are not drift', () => {
  it('MAC case and link state → no changes', () => {
    expect(plan(eth()).action).toBe('no-op');
  });

  it('dhcp: false equals no <dhcp/>', () => {
    expect(plan(eth({ ipv4: { ...ETH.ipv4, dhcp: false } })).action).toBe('no-op');
  });
});

describe('Interface changes', () => {
  const cases: Array<[string, Partial<InterfaceSpec>, string]> = [
    ['start mode', { startMode: 'hotplug' }, 'spec.startMode'],
    ['mac', { mac: 'aa:bb:cc:dd:ee:00' }, 'spec.mac'],
    ['mtu', { mtu: 9000 }, 'spec.mtu'],
    ['ipv4 address', { ipv4: { ...ETH.ipv4, address: '192.168.0.6' } }, 'spec.ipv4.address'],
    ['ipv4 dhcp', { ipv4: { dhcp: true } }, 'spec.ipv4.dhcp'],
    ['ipv6', { ipv6: { autoconf: true } }, 'spec.ipv6.autoconf'],
  ];
  for (const [what, patch, path] of cases) {
    it(`${what} → one redefine at ${path}, restart required`, () => {
      const change = plan(eth(patch));
      expect(change.changes.map((c) => [c.path, c.class])).toEqual([[path, 'redefine']]);
      expect(change.restartRequired).toBe(true);
      expect(change.steps.map((s) => s.op)).toEqual(['define']);
    });
  }

  it('an onboot interface found down is started', () => {
    const change = plan(eth(), false);
    expect(change.changes.map((c) => c.path)).toEqual(['status.active']);
    expect(change.steps.map((s) => s.op)).toEqual(['start']);
  });

  it('a down interface with start mode none is left down', () => {
    const m = eth({ startMode: 'none' });
    const live = liveFromXml(interfaceKind, 'eth1', ETH_LIVE_XML.replace('onboot', 'none'), { active: false });
    expect(interfaceKind.plan(loaded(m), live, contextOf([loaded(m)], [live])).action).toBe('no-op');
  });
});

describe('Interface create, delete, dependencies', () => {
  const member = manifest('Interface', 'eno2', { type: 'ethernet', mac: '52:54:00:00:00:02' });
  const br = manifest('Interface', 'br0', { type: 'bridge', startMode: 'onboot', members: ['eno2', 'eno3'], vlan: undefined });

  it('create: define, then start for onboot', () => {
    const change = interfaceKind.plan(loaded(br), undefined, contextOf([loaded(br), loaded(member)]));
    expect(change.steps.map((s) => s.op)).toEqual(['define', 'start']);
    expect(change.dependsOn).toEqual(['Interface/eno2']);
    expect(payloadOf(change.steps[0]).xml).toContain('<interface type="ethernet" name="eno2">');
    expect(payloadOf(change.steps[0]).xml).toContain('<mac address="52:54:00:00:00:02"/>');
  });

  it('delete: destroy when up, undefine', () => {
    const live = liveFromXml(interfaceKind, 'eth1', ETH_LIVE_XML, { active: true });
    expect(interfaceKind.plan(undefined, live, contextOf([], [live])).steps.map((s) => s.op)).toEqual(['destroy', 'undefine']);
  });

  it('refuses every change on a host whose libvirt lists interfaces read-only, and says the fix', () => {
    const readOnly = { ...contextOf([loaded(br), loaded(member)]), host: { interfaceBackend: 'read-only' as const } };
    const create = interfaceKind.plan(loaded(br), undefined, readOnly);
    expect(create.action).toBe('create');
    expect(create.refused).toBe(READ_ONLY_INTERFACES);
    expect(READ_ONLY_INTERFACES).toMatch(/udev backend.*netcf/);
    const live = liveFromXml(interfaceKind, 'eth1', ETH_LIVE_XML, { active: true });
    expect(interfaceKind.plan(undefined, live, { ...contextOf([], [live]), host: { interfaceBackend: 'read-only' } }).refused).toBe(
      READ_ONLY_INTERFACES,
    );
    // Nothing to change is nothing to refuse; a writable or unknown backend is not refused.
    expect(plan(eth()).refused).toBeUndefined();
    expect(
      interfaceKind.plan(loaded(br), undefined, { ...contextOf([loaded(br)]), host: { interfaceBackend: 'unknown' } }).refused,
    ).toBeUndefined();
  });

  it('a member cycle does not recurse forever', () => {
    const a = manifest('Interface', 'a', { type: 'bridge', members: ['b'] });
    const b = manifest('Interface', 'b', { type: 'bond', members: ['a'] });
    expect(() => interfaceKind.toXml(a, undefined, contextOf([loaded(a), loaded(b)]))).not.toThrow();
  });
});
