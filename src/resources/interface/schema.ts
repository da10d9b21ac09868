// The Interface spec (a host network interface): its JSON Schema fragment and the types derived
// from it (the one source of both; ../../manifests/schema/kinds.ts wraps it in the manifest envelope).
import type { Manifest } from '../../manifests/types.js';
import {
  arr,
  bool,
  enumOf,
  forbidden,
  int,
  ipv4,
  ipv6,
  mac,
  num,
  obj,
  str,
  when,
  xmlOverlay,
  type Static,
} from '../../manifests/schema/dsl.js';

export const interfaceNameSchema = str('Host interface name, e.g. br0, bond0, eth0.100 (at most 15 characters).', {
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$',
  errorMessage: 'must be a host interface name: 1-15 letters, digits, "_", ".", "-"',
});

// IPv4 and IPv6 differ in address format, prefix range and SLAAC: two schemas, field order kept.
const ipv4Proto = obj(
  'IPv4 configuration: dhcp, or a static address.',
  {
    dhcp: bool('Get the address by DHCP.'),
    address: ipv4('Static address.'),
    prefix: int('Prefix length of the static address.', 0, 32),
    gateway: ipv4('Default gateway.'),
  },
  [],
  { dependentRequired: { address: ['prefix'], prefix: ['address'] } },
);

const ipv6Proto = obj(
  'IPv6 configuration: dhcp, or a static address.',
  {
    dhcp: bool('Get the address by DHCPv6.'),
    autoconf: bool('Stateless address autoconfiguration (SLAAC).'),
    address: ipv6('Static address.'),
    prefix: int('Prefix length of the static address.', 0, 128),
    gateway: ipv6('Default gateway.'),
  },
  [],
  { dependentRequired: { address: ['prefix'], prefix: ['address'] } },
);

export const interfaceSpecSchema = obj(
  'A host network interface managed through libvirt (netcf/NetworkManager backends).',
  {
    type: enumOf('ethernet: a plain NIC; bridge: a bridge over members; bond: bonded members; vlan: tagged sub-interface of a parent.', [
      'ethernet',
      'bridge',
      'bond',
      'vlan',
    ]),
    startMode: enumOf('When the interface comes up.', ['onboot', 'none', 'hotplug']),
    mac: mac('MAC address to match or set.'),
    mtu: int('MTU; Linux allows up to 65536 (lo has it).', 68, 65536),
    ipv4: ipv4Proto,
    ipv6: ipv6Proto,
    members: arr(
      'Member interfaces of a bridge or bond. A name that is also an Interface manifest is embedded with its configuration; other names are plain ethernet devices.',
      interfaceNameSchema,
      { uniqueItems: true },
    ),
    bridge: obj('Bridge settings (type bridge).', {
      stp: bool('Spanning tree protocol.'),
      delay: num("Forward delay in seconds; decimals allowed down to hundredths (0.01), the kernel's granularity.", 0, 60, {
        errorMessage: 'must be a number of seconds from 0 to 60, e.g. 2 or 0.01',
      }),
    }),
    bond: obj('Bond settings (type bond).', {
      mode: enumOf('Bonding mode.', ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb']),
      miimon: int('Link monitoring interval in milliseconds.', 0, 100000),
    }),
    vlan: obj(
      'VLAN settings (type vlan).',
      {
        tag: int('VLAN id.', 1, 4094),
        parent: interfaceNameSchema,
      },
      ['tag', 'parent'],
    ),
    xml: xmlOverlay('interface'),
  },
  ['type'],
  {
    allOf: [
      when('type', 'bond', {
        required: ['members'],
        errorMessage: 'is required for a bond',
        properties: { members: { minItems: 1, errorMessage: 'a bond needs at least one member' } },
      }),
      when('type', 'vlan', { required: ['vlan'], errorMessage: 'is required for type vlan' }),
      when('type', ['ethernet', 'vlan'], { properties: { members: forbidden('only a bridge or a bond has members') } }),
      {
        if: { not: { properties: { type: { const: 'bridge' } } } },
        then: { properties: { bridge: forbidden('is only for type bridge') } },
      },
      { if: { not: { properties: { type: { const: 'bond' } } } }, then: { properties: { bond: forbidden('is only for type bond') } } },
      { if: { not: { properties: { type: { const: 'vlan' } } } }, then: { properties: { vlan: forbidden('is only for type vlan') } } },
    ],
  },
);

export type InterfaceSpec = Static<typeof interfaceSpecSchema>;
export type InterfaceIpv4 = Static<typeof ipv4Proto>;
export type InterfaceIpv6 = Static<typeof ipv6Proto>;

/** A Interface manifest: the envelope around this spec. */
export type InterfaceManifest = Manifest<'Interface', InterfaceSpec>;
