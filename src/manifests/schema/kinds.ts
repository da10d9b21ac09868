// The JSON Schema of every kind. Must stay in step with ../types.ts (a unit test compares the
// property names of both) and is written to schemas/*.schema.json by build.ts.
import { API_VERSION, DISK_FORMATS, STORAGE_POOL_TYPES, VOLUME_FORMATS, type ManifestKind } from '../types.js';
import {
  absPath,
  arr,
  atLeastOne,
  atMostOne,
  bool,
  enumOf,
  exactlyOne,
  forbidden,
  hostName,
  int,
  ipAny,
  ipv4,
  ipv6,
  mac,
  name,
  NAME_MESSAGE,
  NAME_PATTERN,
  obj,
  pciAddress,
  size,
  str,
  usbAddress,
  when,
  xmlOverlay,
  type JsonSchema,
} from './dsl.js';

export const SCHEMA_BASE_URL = 'https://virtkeeper.io/schemas/v1/';

export const SCHEMA_FILES: Record<ManifestKind, string> = {
  Domain: 'domain.schema.json',
  Network: 'network.schema.json',
  StoragePool: 'storagepool.schema.json',
  StorageVolume: 'storagevolume.schema.json',
  Interface: 'interface.schema.json',
  NodeDevice: 'nodedevice.schema.json',
  Secret: 'secret.schema.json',
};
export const COMBINED_SCHEMA_FILE = 'manifest.schema.json';

// ------------------------------------------------------------------ envelope

const LABEL_KEY = '^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
const LABEL_KEY_MESSAGE = 'keys must look like "tier" or "example.com/tier" (letters, digits, "-", "_", ".")';

function metadata(nameSchema: JsonSchema): JsonSchema {
  return obj(
    'Identity and bookkeeping of the object.',
    {
      name: nameSchema,
      labels: {
        type: 'object',
        description: 'Free-form key/value pairs for selecting and grouping objects.',
        propertyNames: { pattern: LABEL_KEY, errorMessage: LABEL_KEY_MESSAGE },
        additionalProperties: str('A label value.', { maxLength: 256 }),
      },
      annotations: {
        type: 'object',
        description: 'Key/value pairs that change how virtkeeper treats the object.',
        propertyNames: { pattern: LABEL_KEY, errorMessage: LABEL_KEY_MESSAGE },
        properties: {
          'virtkeeper.io/prune': enumOf('"disabled": never delete this object, even when it leaves the manifests and --prune is given.', ['disabled', 'enabled'], {
            errorMessage: 'must be "disabled" or "enabled"',
          }),
          'virtkeeper.io/allow-replace': enumOf('"true": allow changes that destroy and recreate the object (possible data loss).', ['true', 'false'], {
            errorMessage: 'must be the string "true" or "false" (quote it in YAML)',
          }),
        },
        additionalProperties: str('An annotation value.', { maxLength: 65536 }),
      },
    },
    ['name'],
  );
}

function envelope(kind: ManifestKind, spec: JsonSchema, nameSchema?: JsonSchema): JsonSchema {
  return obj(
    `A virtkeeper ${kind} manifest.`,
    {
      apiVersion: {
        type: 'string',
        description: 'Manifest format version.',
        const: API_VERSION,
        errorMessage: `must be ${API_VERSION}`,
      },
      kind: { type: 'string', description: 'Kind of object.', const: kind, errorMessage: `must be ${kind}` },
      metadata: metadata(nameSchema ?? name(`Name of the ${kind} in libvirt. ${NAME_MESSAGE}.`)),
      spec,
    },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  );
}

// ------------------------------------------------------------------ Domain

const lifecycle = ['destroy', 'restart', 'preserve', 'rename-restart'];

/** A duration: "60s", "2m" or a number of seconds (1 s to a day); `example` is the default, shown in the message. */
const duration = (description: string, example: string): JsonSchema => ({
  description,
  oneOf: [
    { type: 'integer', minimum: 1, maximum: 86400 },
    { type: 'string', pattern: '^[1-9][0-9]{0,5}(s|m)$' },
  ],
  errorMessage: `must be a duration like ${example} or 2m, or a number of seconds`,
});

/** A login (user name and the Secret holding its key or password), with more fields where a kind needs them. */
const secretAuth = (description: string, more: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema =>
  obj(description, {
    ...more,
    username: str('User name.', { minLength: 1, maxLength: 256, pattern: '^[^\\s]+$', errorMessage: 'must be a user name without spaces' }),
    secret: name('Name of a Secret manifest holding the key or password.'),
  }, [...required, 'username', 'secret']);

const charDevice = (what: string, target: Record<string, JsonSchema>): JsonSchema =>
  obj(
    what,
    {
      type: enumOf('Host side of the device; default pty.', ['pty', 'file', 'unix', 'tcp', 'null'], { default: 'pty' }),
      path: absPath('Host path, for type file or unix.'),
      host: hostName('Host to bind or connect to, for type tcp.'),
      port: int('TCP port, for type tcp.', 1, 65535),
      mode: enumOf('For tcp and unix: bind (listen) or connect.', ['bind', 'connect']),
      ...target,
    },
    [],
    {
      allOf: [
        when('type', ['file', 'unix'], { required: ['path'], errorMessage: 'is required for type file and unix' }),
        when('type', 'tcp', { required: ['port'], errorMessage: 'is required for type tcp' }),
      ],
    },
  );

const domainSpec = obj(
  'Desired configuration and lifecycle of a virtual machine (libvirt domain).',
  {
    type: enumOf('Hypervisor driver; default kvm. Use test with libvirt\'s test:///default driver.', ['kvm', 'qemu', 'test', 'xen', 'lxc'], { default: 'kvm' }),
    uuid: str('Fixed UUID; omitted: libvirt generates one and virtkeeper keeps it.', {
      pattern: '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$',
      errorMessage: 'must be a UUID like 4dea22b3-1d52-d8f3-2516-782e98ab3fa0',
    }),
    title: str('Short one-line title shown by management tools.', { maxLength: 256, pattern: '^[^\\n\\r]*$', errorMessage: 'must be one line of at most 256 characters' }),
    description: str('Free-form description.', { maxLength: 65536 }),
    state: enumOf('Desired lifecycle state, enforced on every reconcile: a domain shut down by hand is started again when running. saved: stopped with its memory kept in libvirt\'s managed save image, resumed where it was by the next start. Default running.', ['running', 'stopped', 'paused', 'saved'], { default: 'running' }),
    autostart: bool('Start the domain when libvirtd starts.'),
    restartPolicy: enumOf('What to do when a change only takes effect after a restart: auto restarts the domain (graceful shutdown, then start); manual only reports "restart required" in the plan. Default manual.', ['auto', 'manual'], { default: 'manual' }),
    shutdownTimeout: duration('How long a graceful (ACPI) shutdown may take before the guest is forced off, e.g. 60s, 2m, or a number of seconds. Default 60s.', '60s'),
    detachTimeout: duration('How long apply waits for the running guest to release a hot-unplugged disk or NIC before it reports the detach as not done, e.g. 30s, 2m, or a number of seconds. Default 30s.', '30s'),
    stopMode: enumOf('How virtkeeper stops the domain (state stopped, restarts): shutdown asks the guest (ACPI) and forces it off after shutdownTimeout; destroy powers it off at once. Default shutdown.', ['shutdown', 'destroy'], { default: 'shutdown' }),
    memory: size('Maximum memory of the guest (fixed while it runs).'),
    currentMemory: size('Memory the guest has now (balloon), at most memory; changed live on a running guest. Default: memory.'),
    vcpus: int('Number of virtual CPUs; default 1. Changed live (hotplug) on a running guest up to maxVcpus.', 1, 4096, { default: 1 }),
    maxVcpus: int('vCPUs the running guest may grow to by hotplug; default vcpus. Changing it needs a restart.', 1, 4096),
    cpu: obj('CPU model presented to the guest.', {
      mode: enumOf('host-passthrough: the host CPU as is; host-model: closest named model; custom: the model below; maximum: everything the hypervisor can offer.', ['host-passthrough', 'host-model', 'custom', 'maximum']),
      model: str('CPU model name for mode custom, e.g. Skylake-Server.', { pattern: '^[A-Za-z0-9_.+-]{1,64}$', errorMessage: 'must be a CPU model name like Skylake-Server' }),
      topology: obj('How vcpus are arranged; sockets × cores × threads must equal vcpus.', {
        sockets: int('Number of sockets.', 1, 4096),
        cores: int('Cores per socket.', 1, 4096),
        threads: int('Threads per core.', 1, 64),
      }, ['sockets', 'cores', 'threads']),
    }),
    os: obj('Boot configuration.', {
      type: enumOf('Guest OS type: hvm for full virtualization (kvm, qemu, test), linux/xen for Xen paravirt, exe for containers.', ['hvm', 'linux', 'xen', 'exe'], { default: 'hvm' }),
      arch: str('Guest CPU architecture, e.g. x86_64, aarch64.', { pattern: '^[a-z0-9_]{1,32}$', errorMessage: 'must be an architecture name like x86_64' }),
      machine: str('Machine type, e.g. q35, pc, virt, pc-q35-8.2.', { pattern: '^[A-Za-z0-9_.-]{1,64}$', errorMessage: 'must be a machine type like q35' }),
      firmware: enumOf('Firmware: bios (SeaBIOS) or efi (OVMF, selected automatically by libvirt).', ['bios', 'efi']),
      boot: arr('Boot devices in the order they are tried.', enumOf('A boot device.', ['hd', 'cdrom', 'network', 'fd']), { minItems: 1, maxItems: 4, uniqueItems: true }),
      kernel: absPath('Direct kernel boot: host path of the kernel image.'),
      initrd: absPath('Direct kernel boot: host path of the initrd.'),
      cmdline: str('Direct kernel boot: kernel command line.', { maxLength: 4096 }),
    }),
    features: obj('Hypervisor features; true turns a feature on.', {
      acpi: bool('ACPI (needed for graceful shutdown).'),
      apic: bool('APIC.'),
      pae: bool('Physical address extension (32-bit guests with more than 4 GiB).'),
      hap: bool('Hardware assisted paging.'),
      smm: bool('System management mode (needed by secure-boot firmware).'),
      vmport: bool('VMware IO port emulation; false turns it off explicitly.'),
    }),
    clock: obj('Guest clock.', {
      offset: enumOf('How the guest clock relates to the host clock.', ['utc', 'localtime', 'timezone', 'variable']),
      timezone: str('Time zone for offset timezone, e.g. Europe/Paris.', { pattern: '^[A-Za-z0-9_+/-]{1,64}$', errorMessage: 'must be a time zone name like Europe/Paris' }),
      timers: arr('Timer sources.', obj('A timer.', {
        name: enumOf('Timer name.', ['rtc', 'pit', 'hpet', 'kvmclock', 'hypervclock', 'tsc']),
        present: bool('Whether the guest sees this timer.'),
        tickpolicy: enumOf('What happens when ticks are missed.', ['delay', 'catchup', 'merge', 'discard']),
      }, ['name'])),
    }, [], { allOf: [when('offset', 'timezone', { required: ['timezone'], errorMessage: 'is required when offset is timezone' })] }),
    onPoweroff: enumOf('Action when the guest powers off.', lifecycle),
    onReboot: enumOf('Action when the guest reboots.', lifecycle),
    onCrash: enumOf('Action when the guest crashes.', [...lifecycle, 'coredump-destroy', 'coredump-restart']),
    disks: arr('Disks and CD-ROM drives.', obj('A disk: from a volume, a file or a block device; a cdrom may be empty.', {
      device: enumOf('disk (default) or cdrom.', ['disk', 'cdrom'], { default: 'disk' }),
      volume: obj('A StorageVolume declared in the manifests.', {
        pool: name('Name of the StoragePool manifest.'),
        name: name('Name of the StorageVolume manifest in that pool.'),
      }, ['pool', 'name']),
      file: absPath('Host path of a disk image (or ISO for a cdrom).'),
      block: absPath('Host block device, e.g. /dev/sdb.'),
      network: obj('A disk served over the network.', {
        protocol: enumOf('rbd (Ceph), iscsi, nbd, gluster, http or https.', ['rbd', 'iscsi', 'nbd', 'gluster', 'http', 'https']),
        name: str('rbd: pool/image; iscsi: target IQN/LUN; gluster: volume/path; http(s): the path.', { minLength: 1, maxLength: 4096 }),
        hosts: arr('Servers (rbd: the monitors).', obj('A server.', {
          name: hostName('Host name or address.'),
          port: int('Port.', 1, 65535),
        }, ['name']), { minItems: 1 }),
        auth: secretAuth('Login: rbd with a Secret whose usage is ceph, iscsi with one whose usage is iscsi.'),
      }, ['protocol'], {
        allOf: [when('protocol', ['nbd', 'gluster', 'http', 'https'], { properties: { auth: forbidden('libvirt logs in only to rbd and iscsi disks') } })],
      }),
      encryption: obj('LUKS encryption: the passphrase is the value of a Secret with usage volume. A volume disk takes its volume manifest\'s encryption by default.', {
        secret: name('Name of a Secret manifest with usage volume.'),
      }, ['secret']),
      target: str('Guest device name: vda (virtio), sda (sata/scsi/usb), hda (ide), ...', {
        pattern: '^(vd|sd|hd|xvd|fd)[a-z]{1,3}$',
        errorMessage: 'must be a device name like vda, sda or hdc',
      }),
      bus: enumOf('Guest bus; default from the target prefix. sd: an SD card (target sdX), e.g. on ARM boards.', ['virtio', 'sata', 'scsi', 'ide', 'usb', 'sd']),
      format: enumOf('Image format QEMU opens the disk as; default the volume\'s format (iso: raw), else raw.', DISK_FORMATS),
      readonly: bool('Guest cannot write (always true for cdrom).'),
      cache: enumOf('Host cache mode.', ['default', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe']),
      discard: enumOf('Pass guest TRIM/discard to the image (unmap) or not (ignore).', ['unmap', 'ignore']),
      serial: str('Serial number the guest sees.', { pattern: '^[A-Za-z0-9_.-]{1,36}$', errorMessage: 'must be 1-36 letters, digits, "_", ".", "-"' }),
    }, ['target'], {
      allOf: [
        atMostOne(['volume', 'file', 'block', 'network'], 'set at most one source: volume, file, block or network'),
        { if: { not: { properties: { device: { const: 'cdrom' } }, required: ['device'] } }, then: atLeastOne(['volume', 'file', 'block', 'network'], 'a disk needs a source: set one of volume, file, block, network') },
      ],
    })),
    interfaces: arr('Network interfaces.', obj('A NIC attached to a virtkeeper Network or to a host bridge.', {
      network: name('Name of a Network manifest.'),
      bridge: str('Name of an existing host bridge, e.g. br0.', { pattern: '^[A-Za-z0-9_.:-]{1,15}$', errorMessage: 'must be a host interface name (at most 15 characters)' }),
      model: enumOf('NIC model; virtio is fastest.', ['virtio', 'e1000', 'e1000e', 'rtl8139', 'vmxnet3']),
      mac: mac('MAC address; omitted: libvirt generates one and virtkeeper keeps it.'),
    }, [], { allOf: [exactlyOne(['network', 'bridge'], 'set exactly one of network or bridge')] })),
    graphics: arr('Graphical consoles.', obj('A VNC or SPICE display.', {
      type: enumOf('Protocol.', ['vnc', 'spice']),
      listen: ipAny('Address to listen on; default libvirt\'s (usually 127.0.0.1).'),
      port: int('Fixed port; omitted: allocated automatically.', 1, 65535),
      keymap: str('Keyboard layout, e.g. en-us.', { pattern: '^[A-Za-z-]{2,16}$', errorMessage: 'must be a keymap like en-us' }),
      passwordFrom: obj('The display\'s password: the value of a Secret manifest (VNC reads at most 8 characters).', {
        secret: name('Name of a Secret manifest; it needs no usage when it only holds this password.'),
      }, ['secret']),
    }, ['type'])),
    consoles: arr('Text consoles.', charDevice('A console.', {
      targetType: enumOf('Guest side: serial, virtio (hvc0), or on s390 sclp (the SCLP console) and sclplm (its line-mode twin).', ['serial', 'virtio', 'sclp', 'sclplm']),
    })),
    serials: arr('Serial ports.', charDevice('A serial port.', {
      targetPort: int('Guest port number, 0 = ttyS0.', 0, 31),
    })),
    hostdevs: arr('Host devices passed through to the guest.', obj('A PCI or USB device: by NodeDevice manifest name, or by inline address (no manifest needed).', {
      nodeDevice: name('Name of a NodeDevice manifest.'),
      pci: pciAddress('Inline PCI address of the host device.'),
      usb: usbAddress('Inline USB device.'),
      managed: bool('libvirt detaches the device from its host driver on start and gives it back on stop; default true.', { default: true }),
    }, [], { allOf: [exactlyOne(['nodeDevice', 'pci', 'usb'], 'set exactly one of nodeDevice, pci, usb')] })),
    cloudInit: cloudInitSchema(),
    xml: xmlOverlay('domain'),
  },
  ['memory'],
);

/** Text, a mapping, or {fromFile}: the three ways to give a cloud-init document. */
function cloudInitDocument(description: string): JsonSchema {
  return {
    type: ['string', 'object'],
    description: `${description} Text is written as is (it must start with a line cloud-init knows: "#cloud-config", "#!", …); a mapping is written as #cloud-config YAML; {fromFile: path} reads a file relative to the manifest.`,
    maxLength: 1048576,
    if: { type: 'object', required: ['fromFile'] },
    then: {
      properties: { fromFile: str('A file next to the manifest (relative to its directory, inside the manifest tree).', { minLength: 1, maxLength: 4096 }) },
      maxProperties: 1,
      errorMessage: 'fromFile must be the only key: {fromFile: path/relative/to/the/manifest}',
    },
  };
}

function cloudInitSchema(): JsonSchema {
  return obj('First-boot configuration: a cloud-init NoCloud seed that virtkeeper renders as an ISO (label cidata), uploads into a volume and attaches as a read-only cdrom.', {
    userData: cloudInitDocument('user-data.'),
    metaData: { type: 'object', description: 'meta-data keys; instance-id and local-hostname default from the domain (see instanceIdFrom).' },
    networkConfig: cloudInitDocument('network-config: network configuration version 1 or 2.'),
    vendorData: cloudInitDocument('vendor-data.'),
    sshAuthorizedKeys: arr('OpenSSH public keys added to the user-data\'s ssh_authorized_keys (user-data must be cloud-config, or absent).', {
      type: ['string', 'object'],
      description: 'A public key line ("ssh-ed25519 AAAA… comment"), or {fromFile: path} of a .pub file (one key per line) relative to the manifest.',
      maxLength: 16384,
      if: { type: 'object' },
      then: {
        properties: { fromFile: str('A .pub file next to the manifest (relative to its directory, inside the manifest tree).', { minLength: 1, maxLength: 4096 }) },
        required: ['fromFile'],
        maxProperties: 1,
        errorMessage: 'give a key line or {fromFile: path/to/key.pub}',
      },
    }, { maxItems: 64 }),
    instanceIdFrom: enumOf('How the default instance-id is chosen: domain (default) from the domain name only, so an edited seed does not re-provision the guest; content also from the seed\'s files, so any edit gives a new instance-id and cloud-init runs its per-instance modules again at the next boot.', ['domain', 'content'], { default: 'domain' }),
    pool: name('StoragePool manifest the seed volume goes into; default the pool of the first disk with a volume.'),
    target: str('Guest device name of the seed cdrom; default the first free hdX (ide), or sdX on a q35 machine (sata).', {
      pattern: '^(sd|hd)[a-z]{1,3}$',
      errorMessage: 'must be a device name like hdd or sdb',
    }),
    bus: enumOf('Bus of the seed cdrom; default ide, or sata on a q35 machine.', ['ide', 'sata', 'scsi', 'usb']),
    secretRefs: arr('Secret values in the seed: apply replaces each placeholder, wherever it stands in user-data, vendor-data, network-config or meta-data, with the value of a Secret manifest. Plans and the state store show the placeholder, never the value.', obj('A placeholder and the Secret whose value replaces it.', {
      placeholder: str('Text written in the seed files where the value goes, e.g. @UBUNTU_PASSWORD@; choose text that appears nowhere else.', {
        pattern: '^\\S{3,128}$',
        errorMessage: 'must be 3 to 128 characters without spaces, e.g. @UBUNTU_PASSWORD@',
      }),
      secret: name('Name of a Secret manifest; it needs no usage when it only holds this value.'),
    }, ['placeholder', 'secret']), { maxItems: 32 }),
  });
}

// ------------------------------------------------------------------ Network

// Every mode libvirt 9.0's network.rng lists, plus isolated (written as no <forward>).
const FORWARD_MODES = ['nat', 'route', 'open', 'isolated', 'bridge', 'private', 'vepa', 'passthrough', 'hostdev'];

/** A DNS name: labels of letters, digits and "-" (inner "_" too: dnsmasq takes it), joined by dots. */
const DNS_NAME = '^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$';

const ifaceDev = (description: string): JsonSchema =>
  str(description, { pattern: '^[A-Za-z0-9_.:-]{1,15}$', errorMessage: 'must be a host interface name (at most 15 characters)' });

const networkSpec = obj(
  'A virtual network: a bridge on the host, optionally with NAT/routing, DHCP and DNS.',
  {
    autostart: bool('Start the network when libvirtd starts.'),
    forward: obj('How traffic leaves the network; absent: isolated.', {
      mode: enumOf('nat: masquerade to the host\'s network; route: routed without NAT; open: routed, no firewall rules; isolated: guests and host only; bridge: an existing host bridge (bridge), or macvtap on host NICs (dev, interfaces or pf); private, vepa, passthrough: macvtap modes on host NICs; hostdev: SR-IOV VFs passed through.', FORWARD_MODES),
      dev: ifaceDev('Host interface to forward through (nat/route), or the host NIC of a macvtap or hostdev network, e.g. eth0.'),
      interfaces: arr('Host NICs guests are attached to (bridge, private, vepa, passthrough, hostdev); with dev, dev must be the first.', ifaceDev('A host NIC.'), { minItems: 1, uniqueItems: true }),
      pf: ifaceDev('SR-IOV physical function whose virtual functions form the pool (bridge, private, vepa, passthrough, hostdev).'),
      managed: bool('hostdev: libvirt detaches each VF from its host driver when a guest gets it; default false.'),
    }, ['mode']),
    bridge: str('Bridge device: created by libvirt (e.g. virbr10) or, with forward mode bridge, an existing host bridge.', { pattern: '^[A-Za-z0-9_.:-]{1,15}$', errorMessage: 'must be a host interface name (at most 15 characters)' }),
    // 65535, not 65536: a Linux bridge's max_mtu is ETH_MAX_MTU, and libvirt's network.rng says unsignedShort.
    mtu: int('MTU of the bridge libvirt makes (nat, route, open, isolated), at most 65535.', 68, 65535),
    domain: str('DNS domain of the guests, e.g. lab.example.', { pattern: '^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$', errorMessage: 'must be a DNS domain like lab.example' }),
    ips: arr('Addresses of the host on this network, each with optional DHCP.', obj('An IPv4 or IPv6 subnet.', {
      address: ipAny('Host address on the network, e.g. 192.168.100.1.'),
      prefix: int('Prefix length, e.g. 24 (0-32 for IPv4, 0-128 for IPv6).', 0, 128),
      dhcp: obj('DHCP service on this subnet.', {
        ranges: arr('Address ranges handed out dynamically.', obj('An address range.', {
          start: ipAny('First address.'),
          end: ipAny('Last address.'),
        }, ['start', 'end'])),
        hosts: arr('Static leases.', obj('A static DHCP lease, matched by mac (IPv4 only), id or name.', {
          mac: mac('MAC address of the guest (IPv4 only: libvirt refuses a mac in a DHCPv6 host).'),
          id: str('DHCP client identifier; for DHCPv6 the guest\'s DUID, e.g. 0:3:0:1:0:16:3e:11:22:33.', { pattern: '^[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2})*$', maxLength: 383, errorMessage: 'must be hex octets separated by colons, like 0:3:0:1:0:16:3e:11:22:33' }),
          name: str('Host name given to the guest, e.g. web-1 or web-1.lab.example.', { pattern: DNS_NAME, maxLength: 253, errorMessage: 'must be a host name like web-1 or web-1.lab.example' }),
          ip: ipAny('Address to give.'),
        }, ['ip'], { allOf: [{ anyOf: [{ required: ['mac'] }, { required: ['id'] }, { required: ['name'] }], errorMessage: 'a static host needs a mac, an id or a name' }] })),
      }),
    }, ['address', 'prefix'])),
    dns: obj('DNS service for the guests.', {
      enable: bool('Run a DNS server on the network; default true.'),
      forwarders: arr('Upstream DNS servers.', ipAny('A DNS server address.')),
      hosts: arr('Extra host records.', obj('Names for one address.', {
        ip: ipAny('Address.'),
        hostnames: arr('Names resolving to the address.', str('A host name.', { pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$', errorMessage: 'must be a host name' }), { minItems: 1 }),
      }, ['ip', 'hostnames'])),
    }),
    xml: xmlOverlay('network'),
  },
  [],
);

// ------------------------------------------------------------------ StoragePool

// What libvirt 9.0's pool parser takes as the source <format> of each type (measured: btrfs is
// refused, though the filesystem exists).
const FS_FORMATS = ['auto', 'ext2', 'ext3', 'ext4', 'ufs', 'iso9660', 'udf', 'gfs', 'gfs2', 'vfat', 'hfs+', 'xfs', 'ocfs2', 'vmfs'];
const NETFS_FORMATS = ['auto', 'nfs', 'cifs', 'glusterfs'];
const DISK_LABELS = ['unknown', 'dos', 'dvh', 'gpt', 'mac', 'bsd', 'pc98', 'sun', 'lvm2'];
const LOGICAL_FORMATS = ['unknown', 'lvm2'];

const formatIn = (values: string[]): JsonSchema => ({ enum: values, errorMessage: `must be one of: ${values.join(', ')}` });

/** An iSCSI target or initiator name: usually an IQN, but libvirt takes any name without spaces. */
const iscsiName = (description: string): JsonSchema =>
  str(description, { pattern: '^\\S{1,223}$', errorMessage: 'must be an iSCSI name without spaces (at most 223 characters), e.g. iqn.2013-06.com.example:storage' });

const wwn = (description: string): JsonSchema =>
  str(description, { pattern: '^(0x)?[0-9A-Fa-f]{16}$', errorMessage: 'must be a world wide name of 16 hex digits, e.g. 20000000c9831b4b' });

/** Pool types whose storage is reached over the network by libvirt itself: no local target path. */
const NO_TARGET_TYPES = ['iscsi-direct', 'rbd', 'sheepdog', 'gluster'];

const poolSpec = obj(
  'A storage pool: where volumes live.',
  {
    type: enumOf('Pool backend: any type libvirt 9.0 has.', STORAGE_POOL_TYPES),
    autostart: bool('Start the pool when libvirtd starts.'),
    path: absPath('Target path: the directory (dir, fs, netfs mount point, vstorage) or device directory (logical, iscsi, scsi, mpath, disk, zfs). Not used by iscsi-direct, rbd, sheepdog, gluster.'),
    source: obj('Where the pool\'s storage comes from (not for dir or mpath).', {
      host: hostName('Server (netfs, iscsi, iscsi-direct, gluster, sheepdog) or a ceph monitor (rbd).'),
      port: int('Server port.', 1, 65535),
      // Relative only as a cifs share or glusterfs volume name: checks.ts holds the rest to absolute paths.
      dir: str('Exported directory on the server (netfs; for format cifs or glusterfs the share or volume name, e.g. vms), or a subdirectory of the volume (gluster).', { pattern: '^[^\\s]', maxLength: 4096, errorMessage: 'must be a path' }),
      devices: arr('Block devices: the one device (fs, disk), the physical volumes (logical) or the vdevs (zfs).', absPath('A block device, e.g. /dev/sdb.'), { minItems: 1 }),
      name: str('Volume group (logical), ceph pool (rbd), cluster (sheepdog, vstorage), volume (gluster) or zpool (zfs).', { pattern: '^[A-Za-z0-9_.+-]{1,127}$', errorMessage: 'must be a name of letters, digits, "_", ".", "+", "-"' }),
      format: str('Format: fs: auto, ext2, ext3, ext4, xfs, vfat, ...; netfs: auto, nfs, cifs, glusterfs; disk: dos, gpt, ...; logical: lvm2.', { pattern: '^[a-z0-9+-]{1,16}$', errorMessage: 'must be a format name like ext4' }),
      iqn: iscsiName('Target (iscsi, iscsi-direct), usually an IQN such as iqn.2013-06.com.example:storage.'),
      initiatorIqn: iscsiName('Initiator IQN (iscsi; required for iscsi-direct).'),
      adapter: obj('SCSI host adapter (scsi): name, or wwnn and wwpn of a Fibre Channel vHBA.', {
        name: str('SCSI host name, e.g. host0.', { pattern: '^[A-Za-z0-9_.-]{1,64}$', errorMessage: 'must be a SCSI host name like host0' }),
        wwnn: wwn('World wide node name (fc_host).'),
        wwpn: wwn('World wide port name (fc_host).'),
        parent: str('HBA the vHBA is created on, e.g. scsi_host5 (fc_host).', { pattern: '^[A-Za-z0-9_.-]{1,64}$', errorMessage: 'must be a SCSI host name like scsi_host5' }),
      }, [], {
        allOf: [
          { oneOf: [{ required: ['name'] }, { required: ['wwnn', 'wwpn'] }], errorMessage: 'set either name (scsi_host) or wwnn and wwpn (fc_host)' },
          { if: { required: ['name'] }, then: { properties: { parent: forbidden('is only for an fc_host adapter (wwnn and wwpn)') } } },
        ],
      }),
      auth: secretAuth('Login to the server: chap (iscsi) with a Secret whose usage is iscsi, ceph (rbd) with one whose usage is ceph.', {
        type: enumOf('chap (iscsi) or ceph (rbd).', ['chap', 'ceph']),
      }, ['type']),
    }),
    xml: xmlOverlay('pool'),
  },
  ['type'],
  {
    allOf: [
      when('type', 'dir', { required: ['path'], errorMessage: 'is required for a dir pool', properties: { source: forbidden('is not used by a dir pool') } }),
      when('type', 'fs', { required: ['path', 'source'], errorMessage: 'is required for an fs pool', properties: { source: { required: ['devices'], errorMessage: 'is required for an fs pool', properties: { format: formatIn(FS_FORMATS) } } } }),
      when('type', 'netfs', { required: ['path', 'source'], errorMessage: 'is required for a netfs pool', properties: { source: { required: ['host', 'dir'], errorMessage: 'is required for a netfs pool', properties: { format: formatIn(NETFS_FORMATS) } } } }),
      when('type', 'logical', { required: ['source'], errorMessage: 'is required for a logical pool', properties: { source: { required: ['name'], errorMessage: 'is required for a logical pool (the volume group)', properties: { format: formatIn(LOGICAL_FORMATS) } } } }),
      when('type', 'iscsi', { required: ['source'], errorMessage: 'is required for an iscsi pool', properties: { source: { required: ['host', 'iqn'], errorMessage: 'is required for an iscsi pool' } } }),
      when('type', 'iscsi-direct', { required: ['source'], errorMessage: 'is required for an iscsi-direct pool', properties: { source: { required: ['host', 'iqn', 'initiatorIqn'], errorMessage: 'is required for an iscsi-direct pool' } } }),
      when('type', 'disk', { required: ['source'], errorMessage: 'is required for a disk pool', properties: { source: { required: ['devices'], errorMessage: 'is required for a disk pool', properties: { format: formatIn(DISK_LABELS) } } } }),
      when('type', 'scsi', { required: ['source'], errorMessage: 'is required for a scsi pool', properties: { source: { required: ['adapter'], errorMessage: 'is required for a scsi pool' } } }),
      when('type', 'mpath', { properties: { source: forbidden('is not used by an mpath pool (it takes every multipath device)') } }),
      when('type', ['rbd', 'gluster'], { required: ['source'], errorMessage: 'is required for this pool type', properties: { source: { required: ['name', 'host'], errorMessage: 'is required for this pool type' } } }),
      when('type', 'sheepdog', { required: ['source'], errorMessage: 'is required for a sheepdog pool', properties: { source: { required: ['host'], errorMessage: 'is required for a sheepdog pool' } } }),
      when('type', ['zfs', 'vstorage'], { required: ['source'], errorMessage: 'is required for this pool type', properties: { source: { required: ['name'], errorMessage: 'is required for this pool type (the zpool or cluster)' } } }),
      when('type', 'vstorage', { required: ['path'], errorMessage: 'is required for a vstorage pool (the mount point)' }),
      when('type', NO_TARGET_TYPES, { properties: { path: forbidden('is not used by this pool type: libvirt reaches the storage itself and drops a target path') } }),
      { if: { not: { properties: { type: { const: 'scsi' } } } }, then: { properties: { source: { properties: { adapter: forbidden('is only for a scsi pool') } } } } },
    ],
  },
);

// ------------------------------------------------------------------ StorageVolume

const volumeRef = (description: string): JsonSchema =>
  obj(description, {
    pool: name('StoragePool manifest; default: this volume\'s pool.'),
    name: name('StorageVolume manifest name.'),
  }, ['name']);

const volumeSpec = obj(
  'A volume (disk image) in a pool. Its identity is pool/name.',
  {
    pool: name('Name of the StoragePool manifest that holds the volume.'),
    capacity: size('Virtual size of the volume. Required unless cloneFrom.'),
    allocation: size('Space allocated up front; default: sparse (libvirt decides).'),
    format: enumOf('Image format, any libvirt 9.0 knows for a file volume; default raw. A volume with a backing store must be qcow2, qcow, qed or vmdk.', VOLUME_FORMATS),
    backingStore: obj('Copy-on-write base image: this volume only stores differences.', {
      volume: volumeRef('A StorageVolume manifest to use as base.'),
      path: absPath('Host path of the base image.'),
      format: enumOf('Format of the base image; default: the base volume\'s format. Set it when using path.', DISK_FORMATS),
    }, [], { allOf: [exactlyOne(['volume', 'path'], 'set exactly one of volume or path')] }),
    cloneFrom: volumeRef('Create the volume as a full copy of another StorageVolume manifest.'),
    encryption: obj('LUKS encryption (format raw): libvirt formats the volume with the passphrase from a Secret with usage volume; domains using the volume get the same encryption.', {
      format: enumOf('luks (the only format libvirt creates).', ['luks'], { default: 'luks' }),
      secret: name('Name of a Secret manifest with usage volume.'),
    }, ['secret']),
    source: obj('Content uploaded when the volume is created (never re-uploaded afterwards).', {
      path: absPath('Image file on the machine running virtkeeper.'),
      url: str('http(s) URL to download the image from.', { pattern: '^https?://[^\\s]+$', maxLength: 4096, errorMessage: 'must be an http:// or https:// URL' }),
      sha256: str('Expected SHA-256 of the content (hex); the upload is rejected on mismatch.', { pattern: '^[0-9a-fA-F]{64}$', errorMessage: 'must be 64 hex digits' }),
      headers: arr('Request headers for url whose values are the values of Secret manifests (a token: "Bearer …", "Basic …"); sent only to the URL\'s own origin, never after a redirect to another.', obj('A header and the Secret holding its value.', {
        name: str('Header name, e.g. Authorization or PRIVATE-TOKEN.', { pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$", errorMessage: 'must be an HTTP header name' }),
        secret: name('Name of a Secret manifest; it needs no usage when it only holds this value.'),
      }, ['name', 'secret']), { maxItems: 8 }),
    }, [], { allOf: [exactlyOne(['path', 'url'], 'set exactly one of path or url'), { if: { required: ['headers'] }, then: { required: ['url'], errorMessage: 'headers go with url: a local path needs none' } }] }),
    xml: xmlOverlay('volume'),
  },
  ['pool'],
  {
    allOf: [
      atMostOne(['backingStore', 'cloneFrom', 'source'], 'set at most one of backingStore, cloneFrom, source'),
      { if: { not: { required: ['cloneFrom'] } }, then: { required: ['capacity'], errorMessage: 'is required (unless cloneFrom is set)' } },
    ],
  },
);

// ------------------------------------------------------------------ Interface

const ifaceName = str('Host interface name, e.g. br0, bond0, eth0.100 (at most 15 characters).', {
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$',
  errorMessage: 'must be a host interface name: 1-15 letters, digits, "_", ".", "-"',
});

const ipProto = (family: 4 | 6): JsonSchema =>
  obj(`IPv${family} configuration: dhcp, or a static address.`, {
    dhcp: bool(`Get the address by DHCP${family === 6 ? 'v6' : ''}.`),
    ...(family === 6 ? { autoconf: bool('Stateless address autoconfiguration (SLAAC).') } : {}),
    address: family === 4 ? ipv4('Static address.') : ipv6('Static address.'),
    prefix: int('Prefix length of the static address.', 0, family === 4 ? 32 : 128),
    gateway: family === 4 ? ipv4('Default gateway.') : ipv6('Default gateway.'),
  }, [], { dependentRequired: { address: ['prefix'], prefix: ['address'] } });

const interfaceSpec = obj(
  'A host network interface managed through libvirt (netcf/NetworkManager backends).',
  {
    type: enumOf('ethernet: a plain NIC; bridge: a bridge over members; bond: bonded members; vlan: tagged sub-interface of a parent.', ['ethernet', 'bridge', 'bond', 'vlan']),
    startMode: enumOf('When the interface comes up.', ['onboot', 'none', 'hotplug']),
    mac: mac('MAC address to match or set.'),
    mtu: int('MTU; Linux allows up to 65536 (lo has it).', 68, 65536),
    ipv4: ipProto(4),
    ipv6: ipProto(6),
    members: arr('Member interfaces of a bridge or bond. A name that is also an Interface manifest is embedded with its configuration; other names are plain ethernet devices.', ifaceName, { uniqueItems: true }),
    bridge: obj('Bridge settings (type bridge).', {
      stp: bool('Spanning tree protocol.'),
      delay: { type: 'number', description: 'Forward delay in seconds; decimals allowed down to hundredths (0.01), the kernel\'s granularity.', minimum: 0, maximum: 60, errorMessage: 'must be a number of seconds from 0 to 60, e.g. 2 or 0.01' },
    }),
    bond: obj('Bond settings (type bond).', {
      mode: enumOf('Bonding mode.', ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb']),
      miimon: int('Link monitoring interval in milliseconds.', 0, 100000),
    }),
    vlan: obj('VLAN settings (type vlan).', {
      tag: int('VLAN id.', 1, 4094),
      parent: ifaceName,
    }, ['tag', 'parent']),
    xml: xmlOverlay('interface'),
  },
  ['type'],
  {
    allOf: [
      when('type', 'bond', { required: ['members'], errorMessage: 'is required for a bond', properties: { members: { minItems: 1, errorMessage: 'a bond needs at least one member' } } }),
      when('type', 'vlan', { required: ['vlan'], errorMessage: 'is required for type vlan' }),
      when('type', ['ethernet', 'vlan'], { properties: { members: forbidden('only a bridge or a bond has members') } }),
      { if: { not: { properties: { type: { const: 'bridge' } } } }, then: { properties: { bridge: forbidden('is only for type bridge') } } },
      { if: { not: { properties: { type: { const: 'bond' } } } }, then: { properties: { bond: forbidden('is only for type bond') } } },
      { if: { not: { properties: { type: { const: 'vlan' } } } }, then: { properties: { vlan: forbidden('is only for type vlan') } } },
    ],
  },
);

// ------------------------------------------------------------------ NodeDevice

const nodeDeviceSpec = obj(
  'A host PCI or USB device kept detached from its host driver, so domains can pass it through.',
  {
    pci: pciAddress('PCI address of the device, as in lspci -D (0000:06:12.5).'),
    usb: usbAddress('USB device.'),
    detached: bool('true (default): keep the device detached from host drivers; false: give it back to the host.', { default: true }),
    driver: enumOf('Driver bound for passthrough; default vfio.', ['vfio', 'xen']),
    xml: xmlOverlay('device', ' Accepted for uniformity: PCI/USB devices are only detached, never defined, so nothing is merged today.'),
  },
  [],
  { allOf: [exactlyOne(['pci', 'usb'], 'set exactly one of pci or usb')] },
);

// ------------------------------------------------------------------ Secret

const usageName = (what: string) => str(what, { minLength: 1, maxLength: 1024, pattern: '^[^\\n\\r]+$', errorMessage: 'must be one line of at most 1024 characters' });

const secretSpec = obj(
  'A libvirt secret (volume encryption, ceph or iSCSI auth, TLS keys, vTPM): virtkeeper defines it and sets its value, read from a file, an environment variable or a command on the machine running virtkeeper. The value is never written in a manifest, never printed, and never read back from libvirt.',
  {
    usage: obj('What libvirt uses the secret for; libvirt finds it by this usage. At most one; none: the Secret only holds a value for other manifests (a graphics password) and is not defined in libvirt.', {
      volume: absPath('Volume encryption (LUKS): the volume\'s path on the host.'),
      ceph: usageName('Ceph auth for rbd disks and pools: a usage name, e.g. "client.admin secret".'),
      iscsi: usageName('iSCSI CHAP for disks and pools: a usage target name.'),
      tls: usageName('TLS keys (migration, NBD, chardevs): a usage name.'),
      vtpm: usageName('vTPM state encryption: a usage name.'),
    }, [], { allOf: [exactlyOne(['volume', 'ceph', 'iscsi', 'tls', 'vtpm'], 'set exactly one of volume, ceph, iscsi, tls, vtpm')] }),
    valueFrom: obj('Where the value is read, at plan (to tell whether it changed) and at apply (to set it). Exactly one.', {
      file: absPath('A file on the machine running virtkeeper; one trailing newline is dropped.'),
      env: str('An environment variable of the virtkeeper process.', { pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$', errorMessage: 'must be an environment variable name like CEPH_KEY' }),
      command: arr('A program and its arguments, run without a shell; its standard output is the value (one trailing newline dropped).', str('An argument.', { maxLength: 4096 }), { minItems: 1, maxItems: 64 }),
    }, [], { allOf: [exactlyOne(['file', 'env', 'command'], 'set exactly one of file, env, command')] }),
    value: { description: 'Not allowed: a value written here would be in git and in every plan. Use valueFrom.', ...forbidden('a secret value must not be written in a manifest (it would be in git and in every plan); give valueFrom: {file|env|command} instead') },
    encoding: enumOf('raw (default): the value is the bytes read; base64: what is read is base64 text and the value is what it decodes to (ceph keys as ceph prints them).', ['raw', 'base64'], { default: 'raw' }),
    description: str('Shown by virsh secret-list.', { maxLength: 1024, pattern: '^[^\\n\\r]*$', errorMessage: 'must be one line of at most 1024 characters' }),
    private: bool('libvirt never reveals the value to any client; default true.', { default: true }),
    uuid: str('Fixed UUID; omitted: libvirt generates one and virtkeeper keeps it.', {
      pattern: '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$',
      errorMessage: 'must be a UUID like 4dea22b3-1d52-d8f3-2516-782e98ab3fa0',
    }),
  },
  ['valueFrom'],
);

// ------------------------------------------------------------------ assembly

const SPECS: Record<ManifestKind, JsonSchema> = {
  Domain: domainSpec,
  Network: networkSpec,
  StoragePool: poolSpec,
  StorageVolume: volumeSpec,
  Interface: interfaceSpec,
  NodeDevice: nodeDeviceSpec,
  Secret: secretSpec,
};

const NAME_OVERRIDES: Partial<Record<ManifestKind, JsonSchema>> = {
  Interface: ifaceName,
};

export function kindSchema(kind: ManifestKind): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_BASE_URL + SCHEMA_FILES[kind],
    title: `virtkeeper ${kind}`,
    ...envelope(kind, SPECS[kind], NAME_OVERRIDES[kind]),
  };
}

/** One schema for a whole directory of mixed kinds (editor setting yaml.schemas). */
export function combinedSchema(kinds: readonly ManifestKind[]): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_BASE_URL + COMBINED_SCHEMA_FILE,
    title: 'virtkeeper manifest (any kind)',
    description: 'A virtkeeper manifest; the kind field selects the schema.',
    type: 'object',
    properties: {
      apiVersion: { type: 'string', description: 'Manifest format version.', const: API_VERSION },
      kind: { type: 'string', description: 'Kind of object.', enum: [...kinds] },
    },
    required: ['apiVersion', 'kind'],
    allOf: kinds.map((k) => ({
      if: { properties: { kind: { const: k } }, required: ['kind'] },
      then: envelope(k, SPECS[k], NAME_OVERRIDES[k]),
    })),
  };
}

export { NAME_PATTERN };
