// The Network spec: its JSON Schema fragment and the types derived from it (the one source of
// both; ../../manifests/schema/kinds.ts wraps it in the manifest envelope).
import type { Manifest } from '../../manifests/types.js';
import { arr, bool, enumOf, int, ipAny, mac, obj, str, xmlOverlay, type Item, type Static } from '../../manifests/schema/dsl.js';

// Every mode libvirt 9.0's network.rng lists, plus isolated (written as no <forward>).
const FORWARD_MODES = ['nat', 'route', 'open', 'isolated', 'bridge', 'private', 'vepa', 'passthrough', 'hostdev'] as const;

/** A DNS name: labels of letters, digits and "-" (inner "_" too: dnsmasq takes it), joined by dots. */
const DNS_NAME = '^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$';

const ifaceDev = (description: string) =>
  str(description, { pattern: '^[A-Za-z0-9_.:-]{1,15}$', errorMessage: 'must be a host interface name (at most 15 characters)' });

export const networkSpecSchema = obj(
  'A virtual network: a bridge on the host, optionally with NAT/routing, DHCP and DNS.',
  {
    autostart: bool('Start the network when libvirtd starts.'),
    forward: obj(
      'How traffic leaves the network; absent: isolated.',
      {
        mode: enumOf(
          "nat: masquerade to the host's network; route: routed without NAT; open: routed, no firewall rules; isolated: guests and host only; bridge: an existing host bridge (bridge), or macvtap on host NICs (dev, interfaces or pf); private, vepa, passthrough: macvtap modes on host NICs; hostdev: SR-IOV VFs passed through.",
          FORWARD_MODES,
        ),
        dev: ifaceDev('Host interface to forward through (nat/route), or the host NIC of a macvtap or hostdev network, e.g. eth0.'),
        interfaces: arr(
          'Host NICs guests are attached to (bridge, private, vepa, passthrough, hostdev); with dev, dev must be the first.',
          ifaceDev('A host NIC.'),
          { minItems: 1, uniqueItems: true },
        ),
        pf: ifaceDev('SR-IOV physical function whose virtual functions form the pool (bridge, private, vepa, passthrough, hostdev).'),
        managed: bool('hostdev: libvirt detaches each VF from its host driver when a guest gets it; default false.'),
      },
      ['mode'],
    ),
    bridge: str('Bridge device: created by libvirt (e.g. virbr10) or, with forward mode bridge, an existing host bridge.', {
      pattern: '^[A-Za-z0-9_.:-]{1,15}$',
      errorMessage: 'must be a host interface name (at most 15 characters)',
    }),
    // 65535, not 65536: a Linux bridge's max_mtu is ETH_MAX_MTU, and libvirt's network.rng says unsignedShort.
    mtu: int('MTU of the bridge libvirt makes (nat, route, open, isolated), at most 65535.', 68, 65535),
    domain: str('DNS domain of the guests, e.g. lab.example.', {
      pattern: '^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$',
      errorMessage: 'must be a DNS domain like lab.example',
    }),
    ips: arr(
      'Addresses of the host on this network, each with optional DHCP.',
      obj(
        'An IPv4 or IPv6 subnet.',
        {
          address: ipAny('Host address on the network, e.g. 192.168.100.1.'),
          prefix: int('Prefix length, e.g. 24 (0-32 for IPv4, 0-128 for IPv6).', 0, 128),
          dhcp: obj('DHCP service on this subnet.', {
            ranges: arr(
              'Address ranges handed out dynamically.',
              obj(
                'An address range.',
                {
                  start: ipAny('First address.'),
                  end: ipAny('Last address.'),
                },
                ['start', 'end'],
              ),
            ),
            hosts: arr(
              'Static leases.',
              obj(
                'A static DHCP lease, matched by mac (IPv4 only), id or name.',
                {
                  mac: mac('MAC address of the guest (IPv4 only: libvirt refuses a mac in a DHCPv6 host).'),
                  id: str("DHCP client identifier; for DHCPv6 the guest's DUID, e.g. 0:3:0:1:0:16:3e:11:22:33.", {
                    pattern: '^[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2})*$',
                    maxLength: 383,
                    errorMessage: 'must be hex octets separated by colons, like 0:3:0:1:0:16:3e:11:22:33',
                  }),
                  name: str('Host name given to the guest, e.g. web-1 or web-1.lab.example.', {
                    pattern: DNS_NAME,
                    maxLength: 253,
                    errorMessage: 'must be a host name like web-1 or web-1.lab.example',
                  }),
                  ip: ipAny('Address to give.'),
                },
                ['ip'],
                {
                  allOf: [
                    {
                      anyOf: [{ required: ['mac'] }, { required: ['id'] }, { required: ['name'] }],
                      errorMessage: 'a static host needs a mac, an id or a name',
                    },
                  ],
                },
              ),
            ),
          }),
        },
        ['address', 'prefix'],
      ),
    ),
    dns: obj('DNS service for the guests.', {
      enable: bool('Run a DNS server on the network; default true.'),
      forwarders: arr('Upstream DNS servers.', ipAny('A DNS server address.')),
      hosts: arr(
        'Extra host records.',
        obj(
          'Names for one address.',
          {
            ip: ipAny('Address.'),
            hostnames: arr(
              'Names resolving to the address.',
              str('A host name.', { pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$', errorMessage: 'must be a host name' }),
              { minItems: 1 },
            ),
          },
          ['ip', 'hostnames'],
        ),
      ),
    }),
    xml: xmlOverlay('network'),
  },
  [],
);

export type NetworkSpec = Static<typeof networkSpecSchema>;
/**
 * isolated = no <forward>. bridge uses an existing host bridge (bridge) or macvtap on host NICs;
 * private, vepa and passthrough are macvtap modes; hostdev passes SR-IOV VFs through.
 */
export type NetworkForwardMode = (typeof FORWARD_MODES)[number];
export type NetworkIp = Item<NetworkSpec['ips']>;
/** A static lease: identified by mac (IPv4 only), id (a DHCP client id / DHCPv6 DUID) or name. */
export type NetworkDhcpHost = Item<NonNullable<NetworkIp['dhcp']>['hosts']>;

/** A Network manifest: the envelope around this spec. */
export type NetworkManifest = Manifest<'Network', NetworkSpec>;
