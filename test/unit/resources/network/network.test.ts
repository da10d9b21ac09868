import { describe, expect, it } from 'vitest';
import type { NetworkManifest, NetworkSpec } from '../../../../src/resources/network/schema.js';
import { networkKind } from '../../../../src/resources/network/index.js';
import { hostOps } from '../../../../src/resources/network/dhcp-hosts.js';
import { parseXml, find, attr, text } from '../../../../src/resources/xml.js';
import { loadExamples, loadKindFixtures } from '../common/fixtures.js';
import { contextOf, liveFromXml, loaded, manifest } from '../common/live.js';
import { payloadOf } from '../common/payload-of.js';

const LAN: NetworkSpec = {
  autostart: true,
  forward: { mode: 'nat' },
  bridge: 'virbr10',
  domain: 'lab.example',
  ips: [
    {
      address: '192.168.100.1',
      prefix: 24,
      dhcp: {
        ranges: [{ start: '192.168.100.100', end: '192.168.100.199' }],
        hosts: [
          { mac: '52:54:00:00:10:01', name: 'web-1', ip: '192.168.100.11' },
          { mac: '52:54:00:00:10:02', name: 'db-1', ip: '192.168.100.12' },
        ],
      },
    },
  ],
};

/** The lan network as a real libvirtd reports it after defining it: uuid, MAC, stp/delay, nat ports, netmask form. */
const LAN_LIVE_XML = `<network>
  <name>lan</name>
  <uuid>0d7ab24c-64b1-4a2c-9a52-2e0bd4b0a6c1</uuid>
  <forward mode='nat'>
    <nat>
      <port start='1024' end='65535'/>
    </nat>
  </forward>
  <bridge name='virbr10' stp='on' delay='0'/>
  <mac address='52:54:00:6F:1A:2B'/>
  <domain name='lab.example'/>
  <ip address='192.168.100.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.100.100' end='192.168.100.199'/>
      <host mac='52:54:00:00:10:01' name='web-1' ip='192.168.100.11'/>
      <host mac='52:54:00:00:10:02' name='db-1' ip='192.168.100.12'/>
    </dhcp>
  </ip>
</network>
`;

function lan(spec: Partial<NetworkSpec> = {}): NetworkManifest {
  return manifest('Network', 'lan', { ...LAN, ...spec });
}

function planAgainstLive(m: NetworkManifest, liveXml = LAN_LIVE_XML, runtime = { active: true, autostart: true }) {
  const live = liveFromXml(networkKind, 'lan', liveXml, runtime);
  return networkKind.plan(loaded(m), live, contextOf([loaded(m)], [live]));
}

describe('Network round trip', () => {
  it('fromXml(toXml(spec)) plans nothing for every example and fixture network', async () => {
    const states = [await loadExamples(), loadKindFixtures()];
    for (const state of states) {
      for (const lm of state.manifests) {
        if (lm.manifest.kind !== 'Network') continue;
        const m = lm.manifest;
        const xml = networkKind.toXml(m, undefined, contextOf([]));
        const live = liveFromXml(networkKind, m.metadata.name, xml, { active: true, autostart: m.spec.autostart ?? false });
        const change = networkKind.plan(lm as never, live, contextOf([lm], [live]));
        expect(change.changes, m.metadata.name).toEqual([]);
        expect(change.action).toBe('no-op');
      }
    }
  });

  it('reads libvirt XML back in manifest notation', () => {
    expect(networkKind.fromXml(LAN_LIVE_XML, { autostart: true })).toEqual({ ...LAN });
  });

  it('reads <forward> without mode as nat and an absent one as isolated', () => {
    expect(networkKind.fromXml('<network><name>n</name><forward/></network>', {}).forward).toEqual({ mode: 'nat' });
    expect(networkKind.fromXml('<network><name>n</name></network>', {}).forward).toBeUndefined();
  });
});

describe('Network defaults are not drift', () => {
  it('uuid, bridge MAC, stp/delay, nat port range and netmask spelling → no changes', () => {
    expect(planAgainstLive(lan()).action).toBe('no-op');
  });

  it('a manifest without bridge name accepts the one libvirt picked', () => {
    expect(planAgainstLive(lan({ bridge: undefined })).action).toBe('no-op');
  });

  it('MAC case and IPv6 spelling are normalised', () => {
    const spec: NetworkSpec = {
      forward: { mode: 'nat' },
      ips: [{ address: 'fd00:0:0::1', prefix: 64, dhcp: { hosts: [{ mac: '52:54:00:AB:CD:EF', ip: 'fd00::0010' }] } }],
    };
    const liveXml = `<network><name>lan</name><forward mode='nat'/><ip family='ipv6' address='fd00::1' prefix='64'><dhcp><host mac='52:54:00:ab:cd:ef' ip='fd00::10'/></dhcp></ip></network>`;
    expect(planAgainstLive(manifest('Network', 'lan', spec), liveXml, { active: true, autostart: false }).action).toBe('no-op');
  });

  it('DNS enabled by default equals an explicit enable: true', () => {
    expect(planAgainstLive(lan({ dns: { enable: true } })).changes).toEqual([]);
  });
});

describe('Network on host NICs', () => {
  // As libvirt 9.0 writes them back (measured with its test driver): dev again as the first <interface>.
  const VEPA_LIVE = `<network><name>lan</name><uuid>57e2de3b-ea93-44c0-bc88-d845a6cbfded</uuid><forward dev='eth0' mode='vepa'><interface dev='eth0'/></forward></network>`;
  const POOL_LIVE = `<network><name>lan</name><forward dev='eth0' mode='bridge'><interface dev='eth0'/><interface dev='eth1'/></forward></network>`;
  const runtime = { active: true, autostart: false };

  it('folds an interface list that only repeats dev into dev, and keeps a longer one', () => {
    expect(networkKind.fromXml(VEPA_LIVE, {}).forward).toEqual({ mode: 'vepa', dev: 'eth0' });
    expect(networkKind.fromXml(POOL_LIVE, {}).forward).toEqual({ mode: 'bridge', dev: 'eth0', interfaces: ['eth0', 'eth1'] });
  });

  it("libvirt's spelling of dev and interfaces is not drift", () => {
    expect(planAgainstLive(manifest('Network', 'lan', { forward: { mode: 'vepa', dev: 'eth0' } }), VEPA_LIVE, runtime).action).toBe(
      'no-op',
    );
    expect(
      planAgainstLive(manifest('Network', 'lan', { forward: { mode: 'vepa', interfaces: ['eth0'] } }), VEPA_LIVE, runtime).action,
    ).toBe('no-op');
    expect(
      planAgainstLive(manifest('Network', 'lan', { forward: { mode: 'bridge', interfaces: ['eth0', 'eth1'] } }), POOL_LIVE, runtime).action,
    ).toBe('no-op');
  });

  it('another NIC list, pf or managed is a redefine of the forward', () => {
    const changed = planAgainstLive(
      manifest('Network', 'lan', { forward: { mode: 'bridge', interfaces: ['eth0', 'eth2'] } }),
      POOL_LIVE,
      runtime,
    );
    expect(changed.changes.map((c) => c.path)).toEqual(['spec.forward']);
    const hostdevLive = `<network><name>lan</name><forward mode='hostdev' managed='no'><pf dev='eth3'/></forward></network>`;
    expect(planAgainstLive(manifest('Network', 'lan', { forward: { mode: 'hostdev', pf: 'eth3' } }), hostdevLive, runtime).action).toBe(
      'no-op',
    );
    expect(
      planAgainstLive(
        manifest('Network', 'lan', { forward: { mode: 'hostdev', pf: 'eth3', managed: true } }),
        hostdevLive,
        runtime,
      ).changes.map((c) => c.path),
    ).toEqual(['spec.forward']);
  });

  it('never writes the bridge MAC on a host-NIC network (libvirt refuses it)', () => {
    const live = liveFromXml(networkKind, 'lan', `<network><name>lan</name><mac address='52:54:00:00:00:01'/></network>`, {
      active: true,
      autostart: false,
    });
    const xml = networkKind.toXml(manifest('Network', 'lan', { forward: { mode: 'private', dev: 'eth0' } }), live, contextOf([]));
    expect(find(parseXml(xml), 'mac')).toBeUndefined();
  });
});

describe('Network DHCPv6 hosts by DUID', () => {
  const live = `<network><name>lan</name><bridge name='virbr10'/><ip family='ipv6' address='fd00::1' prefix='64'><dhcp><host id='0:3:0:1:0:16:3e:11:22:33' name='a.example.com' ip='fd00::5'/></dhcp></ip></network>`;
  const spec = (id: string): NetworkSpec => ({
    bridge: 'virbr10',
    ips: [{ address: 'fd00::1', prefix: 64, dhcp: { hosts: [{ id, name: 'a.example.com', ip: 'fd00::5' }] } }],
  });

  it('renders and reads back the id', () => {
    const xml = networkKind.toXml(manifest('Network', 'lan', spec('0:3:0:1:0:16:3e:11:22:33')), undefined, contextOf([]));
    expect(attr(find(parseXml(xml), 'ip', 'dhcp', 'host'), 'id')).toBe('0:3:0:1:0:16:3e:11:22:33');
    expect(networkKind.fromXml(live, {}).ips?.[0].dhcp?.hosts).toEqual([
      { id: '0:3:0:1:0:16:3e:11:22:33', name: 'a.example.com', ip: 'fd00::5' },
    ]);
  });

  it('the same id in other case is no change; another id is', () => {
    const runtime = { active: true, autostart: false };
    expect(planAgainstLive(manifest('Network', 'lan', spec('0:3:0:1:0:16:3E:11:22:33')), live, runtime).action).toBe('no-op');
    expect(planAgainstLive(manifest('Network', 'lan', spec('0:3:0:1:0:16:3e:11:22:44')), live, runtime).changes.map((c) => c.path)).toEqual(
      ['spec.ips[0].dhcp.hosts'],
    );
  });
});

describe('Network identities are kept on redefine', () => {
  it('carries uuid, MAC and generated bridge name over from the live XML', () => {
    const live = liveFromXml(networkKind, 'lan', LAN_LIVE_XML, { active: true });
    const root = parseXml(networkKind.toXml(lan({ bridge: undefined, mtu: 9000 }), live, contextOf([])));
    expect(text(find(root, 'uuid'))).toBe('0d7ab24c-64b1-4a2c-9a52-2e0bd4b0a6c1');
    expect(attr(find(root, 'mac'), 'address')).toBe('52:54:00:6F:1A:2B');
    expect(attr(find(root, 'bridge'), 'name')).toBe('virbr10');
  });

  it('drops the MAC for a network on a host bridge (libvirt refuses it there)', () => {
    const live = liveFromXml(networkKind, 'lan', LAN_LIVE_XML, { active: true });
    const root = parseXml(networkKind.toXml(lan({ forward: { mode: 'bridge' }, bridge: 'br0', ips: undefined }), live, contextOf([])));
    expect(find(root, 'mac')).toBeUndefined();
  });

  it('escapes values', () => {
    const xml = networkKind.toXml(manifest('Network', 'n', { domain: 'a&b<c>"' }), undefined, contextOf([]));
    expect(xml).toContain('<domain name="a&amp;b&lt;c&gt;&quot;"/>');
    expect(networkKind.fromXml(xml, {}).domain).toBe('a&b<c>"');
  });
});

describe('Network field changes', () => {
  const cases: Array<[string, Partial<NetworkSpec>, string]> = [
    ['forward mode', { forward: { mode: 'route' } }, 'spec.forward'],
    ['forward absent (isolated)', { forward: undefined }, 'spec.forward'],
    ['forward dev', { forward: { mode: 'nat', dev: 'eth0' } }, 'spec.forward'],
    ['bridge', { bridge: 'virbr11' }, 'spec.bridge'],
    ['mtu', { mtu: 9000 }, 'spec.mtu'],
    ['domain', { domain: 'other.example' }, 'spec.domain'],
    ['dns enable', { dns: { enable: false } }, 'spec.dns.enable'],
    ['dns forwarders', { dns: { forwarders: ['1.1.1.1'] } }, 'spec.dns.forwarders'],
    ['ip address', { ips: [{ ...LAN.ips![0], address: '192.168.100.2' }] }, 'spec.ips[0].address'],
    ['ip prefix', { ips: [{ ...LAN.ips![0], prefix: 16 }] }, 'spec.ips[0].prefix'],
    ['number of ips', { ips: [...LAN.ips!, { address: 'fd00::1', prefix: 64 }] }, 'spec.ips'],
    ['xml merge', { xml: { merge: '<bandwidth><inbound average="1000"/></bandwidth>' } }, 'spec.xml.merge'],
  ];
  for (const [what, patch, path] of cases) {
    it(`${what} → one redefine change at ${path}, restart required`, () => {
      const change = planAgainstLive(lan(patch));
      expect(change.changes.map((c) => [c.path, c.class])).toEqual([[path, 'redefine']]);
      expect(change.action).toBe('update');
      expect(change.restartRequired).toBe(true);
      expect(change.steps.map((s) => s.op)).toEqual(['define']);
    });
  }

  it('a redefine of an inactive network needs no restart and starts it', () => {
    const change = planAgainstLive(lan({ mtu: 9000 }), LAN_LIVE_XML, { active: false, autostart: true });
    expect(change.restartRequired).toBe(false);
    expect(change.steps.map((s) => s.op)).toEqual(['define', 'start']);
  });

  it('autostart → live setAutostart only', () => {
    const change = planAgainstLive(lan({ autostart: false }));
    expect(change.changes).toEqual([{ path: 'spec.autostart', before: true, after: false, class: 'live' }]);
    expect(change.steps).toEqual([
      { op: 'setAutostart', description: 'disable autostart of network lan', payload: { name: 'lan', autostart: false } },
    ]);
    expect(change.restartRequired).toBe(false);
  });

  it('an inactive network is started', () => {
    const change = planAgainstLive(lan(), LAN_LIVE_XML, { active: false, autostart: true });
    expect(change.changes).toEqual([{ path: 'status.active', before: false, after: true, class: 'live' }]);
    expect(change.steps.map((s) => s.op)).toEqual(['start']);
  });
});

describe('Network DHCP hosts', () => {
  const hosts = LAN.ips![0].dhcp!.hosts!;
  const withHosts = (h: typeof hosts, extra: Partial<NetworkSpec> = {}) =>
    lan({ ips: [{ ...LAN.ips![0], dhcp: { ...LAN.ips![0].dhcp, hosts: h } }], ...extra });

  it('host-only changes go live through networkUpdate, no restart', () => {
    const change = planAgainstLive(
      withHosts([
        { ...hosts[0], ip: '192.168.100.21' },
        { mac: '52:54:00:00:10:03', name: 'new', ip: '192.168.100.13' },
      ]),
    );
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.ips[0].dhcp.hosts', 'live']]);
    expect(change.restartRequired).toBe(false);
    expect(change.steps.map((s) => [s.op, payloadOf(s).command, payloadOf(s).xml])).toEqual([
      ['networkUpdate', 'delete', '<host mac="52:54:00:00:10:02" name="db-1" ip="192.168.100.12"/>'],
      ['networkUpdate', 'modify', '<host mac="52:54:00:00:10:01" name="web-1" ip="192.168.100.21"/>'],
      ['networkUpdate', 'add-last', '<host mac="52:54:00:00:10:03" name="new" ip="192.168.100.13"/>'],
    ]);
    expect(change.steps[0].payload).toMatchObject({ section: 'ip-dhcp-host', parentIndex: 0, affectLive: true, affectConfig: true });
  });

  it('on an inactive network only the config is updated, then it is started', () => {
    const change = planAgainstLive(withHosts([hosts[0]]), LAN_LIVE_XML, { active: false, autostart: true });
    expect(change.steps.map((s) => [s.op, payloadOf(s).affectLive])).toEqual([
      ['networkUpdate', false],
      ['start', undefined],
    ]);
  });

  it('hosts plus another change → everything is one redefine', () => {
    const change = planAgainstLive(withHosts([hosts[0]], { mtu: 1400 }));
    expect(change.changes.map((c) => [c.path, c.class]).sort()).toEqual([
      ['spec.ips[0].dhcp.hosts', 'redefine'],
      ['spec.mtu', 'redefine'],
    ]);
    expect(change.steps.map((s) => s.op)).toEqual(['define']);
  });

  it('a host without MAC is replaced by delete + add', () => {
    const ops = hostOps(0, [{ name: 'a', ip: '10.0.0.5' }], [{ name: 'b', ip: '10.0.0.5' }]);
    expect(ops.map((o) => o.command)).toEqual(['delete', 'add-last']);
  });
});

describe('Network DHCP ranges and DNS hosts', () => {
  const withRanges = (ranges: Array<{ start: string; end: string }>, extra: Partial<NetworkSpec> = {}) =>
    lan({ ips: [{ ...LAN.ips![0], dhcp: { ...LAN.ips![0].dhcp, ranges } }], ...extra });

  it('a changed range goes live: delete the old, add the new (libvirt restarts dnsmasq)', () => {
    const change = planAgainstLive(withRanges([{ start: '192.168.100.10', end: '192.168.100.20' }]));
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.ips[0].dhcp.ranges', 'live']]);
    expect(change.restartRequired).toBe(false);
    expect(change.steps.map((s) => [s.description, payloadOf(s).section, payloadOf(s).xml])).toEqual([
      [
        'delete DHCP range 192.168.100.100-192.168.100.199 in network lan',
        'ip-dhcp-range',
        '<range start="192.168.100.100" end="192.168.100.199"/>',
      ],
      [
        'add DHCP range 192.168.100.10-192.168.100.20 in network lan',
        'ip-dhcp-range',
        '<range start="192.168.100.10" end="192.168.100.20"/>',
      ],
    ]);
  });

  it('DNS host records are deleted and added (libvirt cannot modify them)', () => {
    const live = LAN_LIVE_XML.replace(
      "<domain name='lab.example'/>",
      "<domain name='lab.example'/>\n  <dns>\n    <host ip='192.168.100.5'><hostname>old</hostname></host>\n  </dns>",
    );
    const change = planAgainstLive(lan({ dns: { hosts: [{ ip: '192.168.100.5', hostnames: ['new', 'new.lab'] }] } }), live);
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.dns.hosts', 'live']]);
    expect(change.steps.map((s) => [payloadOf(s).command, payloadOf(s).section, String(payloadOf(s).xml).replace(/\n\s*/g, '')])).toEqual([
      ['delete', 'dns-host', '<host ip="192.168.100.5"><hostname>old</hostname></host>'],
      ['add-last', 'dns-host', '<host ip="192.168.100.5"><hostname>new</hostname><hostname>new.lab</hostname></host>'],
    ]);
  });

  it('a range plus another change → one redefine', () => {
    const change = planAgainstLive(withRanges([{ start: '192.168.100.10', end: '192.168.100.20' }], { mtu: 1400 }));
    expect(change.steps.map((s) => s.op)).toEqual(['define']);
    expect(change.restartRequired).toBe(true);
  });
});

describe('Network running config', () => {
  /** An active network defined as `defined` that still runs with `running`. */
  function planRunning(m: NetworkManifest, defined: string, running: string) {
    const live = liveFromXml(networkKind, 'lan', defined, { active: true, autostart: true });
    live.running = networkKind.fromXml(running, { active: true, autostart: true });
    return networkKind.plan(loaded(m), live, contextOf([loaded(m)], [live]));
  }

  it('a redefine not yet running is restart pending, never "in sync"', () => {
    const defined = LAN_LIVE_XML.replace("<bridge name='virbr10'", "<mtu size='9000'/>\n  <bridge name='virbr10'");
    const change = planRunning(lan({ mtu: 9000 }), defined, LAN_LIVE_XML);
    expect(change.action).toBe('no-op');
    expect(change.restartPending).toEqual([{ path: 'spec.mtu', running: undefined, defined: 9000 }]);
    expect(change.reason).toBe('restart pending: spec.mtu (absent) running, 9000 defined');
  });

  it('a range the config has but dnsmasq does not is fixed live, in the running config only', () => {
    const defined = LAN_LIVE_XML.replace("start='192.168.100.100' end='192.168.100.199'", "start='192.168.100.10' end='192.168.100.20'");
    const change = planRunning(
      lan({ ips: [{ ...LAN.ips![0], dhcp: { ...LAN.ips![0].dhcp, ranges: [{ start: '192.168.100.10', end: '192.168.100.20' }] } }] }),
      defined,
      LAN_LIVE_XML,
    );
    expect(change.action).toBe('update');
    expect(change.restartPending).toBeUndefined();
    expect(change.steps.map((s) => [payloadOf(s).command, payloadOf(s).affectLive, payloadOf(s).affectConfig])).toEqual([
      ['delete', true, false],
      ['add-last', true, false],
    ]);
    expect(change.steps[1]?.description).toBe('add DHCP range 192.168.100.10-192.168.100.20 in network lan (running config)');
  });

  it('running as defined → no-op', () => {
    expect(planRunning(lan(), LAN_LIVE_XML, LAN_LIVE_XML).action).toBe('no-op');
  });
});

describe('Network create and delete', () => {
  it('create: define, setAutostart, start', () => {
    const m = lan();
    const change = networkKind.plan(loaded(m), undefined, contextOf([loaded(m)]));
    expect(change.action).toBe('create');
    expect(change.steps.map((s) => s.op)).toEqual(['define', 'setAutostart', 'start']);
    expect(payloadOf(change.steps[0]).xml).toBe(networkKind.toXml(m, undefined, contextOf([])));
  });

  it('delete: destroy when active, undefine', () => {
    const live = liveFromXml(networkKind, 'lan', LAN_LIVE_XML, { active: true });
    expect(networkKind.plan(undefined, live, contextOf([], [live])).steps.map((s) => s.op)).toEqual(['destroy', 'undefine']);
    const inactive = liveFromXml(networkKind, 'lan', LAN_LIVE_XML, { active: false });
    expect(networkKind.plan(undefined, inactive, contextOf([], [inactive])).steps.map((s) => s.op)).toEqual(['undefine']);
  });

  it('has no dependencies', () => {
    expect(networkKind.definition.references(lan())).toEqual([]);
  });
});
