// The Domain spec: its JSON Schema fragment and the types derived from it (the one source of
// both; ../../manifests/schema/kinds.ts wraps it in the manifest envelope).
import type { Manifest } from '../../manifests/types.js';
import {
  absPath,
  arr,
  atLeastOne,
  atMostOne,
  bool,
  custom,
  enumOf,
  exactlyOne,
  forbidden,
  hostName,
  int,
  ipAny,
  mac,
  name,
  obj,
  pciAddress,
  secretAuth,
  size,
  str,
  usbAddress,
  when,
  xmlOverlay,
  type Item,
  type Properties,
  type Schema,
  type Static,
} from '../../manifests/schema/dsl.js';
import { DISK_FORMATS, volumeName } from '../storage-volume/schema.js';

/** "90s", "2m", or a number of seconds. */
export type Duration = string | number;

/**
 * A cloud-init document: text written as is ("#cloud-config" YAML, a "#!" script, …), a mapping
 * rendered as YAML, or `{fromFile}` — a file relative to the manifest, read by the loader (after
 * loading, only text and mappings remain).
 */
export type CloudInitDocument = string | Record<string, unknown> | { fromFile: string };

const lifecycle = ['destroy', 'restart', 'preserve', 'rename-restart'] as const;

/** A duration: "60s", "2m" or a number of seconds (1 s to a day); `example` is the default, shown in the message. */
const duration = (description: string, example: string): Schema<Duration> => ({
  description,
  oneOf: [
    { type: 'integer', minimum: 1, maximum: 86400 },
    { type: 'string', pattern: '^[1-9][0-9]{0,5}(s|m)$' },
  ],
  errorMessage: `must be a duration like ${example} or 2m, or a number of seconds`,
});

const charDevice = <T extends Properties>(what: string, target: T) =>
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

export const domainSpecSchema = obj(
  'Desired configuration and lifecycle of a virtual machine (libvirt domain).',
  {
    type: enumOf("Hypervisor driver; default kvm. Use test with libvirt's test:///default driver.", ['kvm', 'qemu', 'test', 'xen', 'lxc'], {
      default: 'kvm',
    }),
    uuid: str('Fixed UUID; omitted: libvirt generates one and virtkeeper keeps it.', {
      pattern: '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$',
      errorMessage: 'must be a UUID like 4dea22b3-1d52-d8f3-2516-782e98ab3fa0',
    }),
    title: str('Short one-line title shown by management tools.', {
      maxLength: 256,
      pattern: '^[^\\n\\r]*$',
      errorMessage: 'must be one line of at most 256 characters',
    }),
    description: str('Free-form description.', { maxLength: 65536 }),
    state: enumOf(
      "Desired lifecycle state, enforced on every reconcile: a domain shut down by hand is started again when running. saved: stopped with its memory kept in libvirt's managed save image, resumed where it was by the next start. Default running.",
      ['running', 'stopped', 'paused', 'saved'],
      { default: 'running' },
    ),
    autostart: bool('Start the domain when libvirtd starts.'),
    restartPolicy: enumOf(
      'What to do when a change only takes effect after a restart: auto restarts the domain (graceful shutdown, then start); manual only reports "restart required" in the plan. Default manual.',
      ['auto', 'manual'],
      { default: 'manual' },
    ),
    shutdownTimeout: duration(
      'How long a graceful (ACPI) shutdown may take before the guest is forced off, e.g. 60s, 2m, or a number of seconds. Default 60s.',
      '60s',
    ),
    detachTimeout: duration(
      'How long apply waits for the running guest to release a hot-unplugged disk or NIC before it reports the detach as not done, e.g. 30s, 2m, or a number of seconds. Default 30s.',
      '30s',
    ),
    stopMode: enumOf(
      'How virtkeeper stops the domain (state stopped, restarts): shutdown asks the guest (ACPI) and forces it off after shutdownTimeout; destroy powers it off at once. Default shutdown.',
      ['shutdown', 'destroy'],
      { default: 'shutdown' },
    ),
    memory: size('Maximum memory of the guest (fixed while it runs).'),
    currentMemory: size('Memory the guest has now (balloon), at most memory; changed live on a running guest. Default: memory.'),
    vcpus: int('Number of virtual CPUs; default 1. Changed live (hotplug) on a running guest up to maxVcpus.', 1, 4096, { default: 1 }),
    maxVcpus: int('vCPUs the running guest may grow to by hotplug; default vcpus. Changing it needs a restart.', 1, 4096),
    cpu: obj('CPU model presented to the guest.', {
      mode: enumOf(
        'host-passthrough: the host CPU as is; host-model: closest named model; custom: the model below; maximum: everything the hypervisor can offer.',
        ['host-passthrough', 'host-model', 'custom', 'maximum'],
      ),
      model: str('CPU model name for mode custom, e.g. Skylake-Server.', {
        pattern: '^[A-Za-z0-9_.+-]{1,64}$',
        errorMessage: 'must be a CPU model name like Skylake-Server',
      }),
      topology: obj(
        'How vcpus are arranged; sockets × cores × threads must equal vcpus.',
        {
          sockets: int('Number of sockets.', 1, 4096),
          cores: int('Cores per socket.', 1, 4096),
          threads: int('Threads per core.', 1, 64),
        },
        ['sockets', 'cores', 'threads'],
      ),
    }),
    os: obj('Boot configuration.', {
      type: enumOf(
        'Guest OS type: hvm for full virtualization (kvm, qemu, test), linux/xen for Xen paravirt, exe for containers.',
        ['hvm', 'linux', 'xen', 'exe'],
        { default: 'hvm' },
      ),
      arch: str('Guest CPU architecture, e.g. x86_64, aarch64.', {
        pattern: '^[a-z0-9_]{1,32}$',
        errorMessage: 'must be an architecture name like x86_64',
      }),
      machine: str('Machine type, e.g. q35, pc, virt, pc-q35-8.2.', {
        pattern: '^[A-Za-z0-9_.-]{1,64}$',
        errorMessage: 'must be a machine type like q35',
      }),
      firmware: enumOf('Firmware: bios (SeaBIOS) or efi (OVMF, selected automatically by libvirt).', ['bios', 'efi']),
      boot: arr('Boot devices in the order they are tried.', enumOf('A boot device.', ['hd', 'cdrom', 'network', 'fd']), {
        minItems: 1,
        maxItems: 4,
        uniqueItems: true,
      }),
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
    clock: obj(
      'Guest clock.',
      {
        offset: enumOf('How the guest clock relates to the host clock.', ['utc', 'localtime', 'timezone', 'variable']),
        timezone: str('Time zone for offset timezone, e.g. Europe/Paris.', {
          pattern: '^[A-Za-z0-9_+/-]{1,64}$',
          errorMessage: 'must be a time zone name like Europe/Paris',
        }),
        timers: arr(
          'Timer sources.',
          obj(
            'A timer.',
            {
              name: enumOf('Timer name.', ['rtc', 'pit', 'hpet', 'kvmclock', 'hypervclock', 'tsc']),
              present: bool('Whether the guest sees this timer.'),
              tickpolicy: enumOf('What happens when ticks are missed.', ['delay', 'catchup', 'merge', 'discard']),
            },
            ['name'],
          ),
        ),
      },
      [],
      { allOf: [when('offset', 'timezone', { required: ['timezone'], errorMessage: 'is required when offset is timezone' })] },
    ),
    onPoweroff: enumOf('Action when the guest powers off.', lifecycle),
    onReboot: enumOf('Action when the guest reboots.', lifecycle),
    onCrash: enumOf('Action when the guest crashes.', [...lifecycle, 'coredump-destroy', 'coredump-restart']),
    disks: arr(
      'Disks and CD-ROM drives.',
      obj(
        'A disk: from a volume, a file or a block device; a cdrom may be empty.',
        {
          device: enumOf('disk (default) or cdrom.', ['disk', 'cdrom'], { default: 'disk' }),
          volume: obj(
            'A StorageVolume declared in the manifests.',
            {
              pool: name('Name of the StoragePool manifest.'),
              name: volumeName('Name of the StorageVolume manifest in that pool.'),
            },
            ['pool', 'name'],
          ),
          file: absPath('Host path of a disk image (or ISO for a cdrom).'),
          block: absPath('Host block device, e.g. /dev/sdb.'),
          network: obj(
            'A disk served over the network.',
            {
              protocol: enumOf('rbd (Ceph), iscsi, nbd, gluster, http or https.', ['rbd', 'iscsi', 'nbd', 'gluster', 'http', 'https']),
              name: str('rbd: pool/image; iscsi: target IQN/LUN; gluster: volume/path; http(s): the path.', {
                minLength: 1,
                maxLength: 4096,
              }),
              hosts: arr(
                'Servers (rbd: the monitors).',
                obj(
                  'A server.',
                  {
                    name: hostName('Host name or address.'),
                    port: int('Port.', 1, 65535),
                  },
                  ['name'],
                ),
                { minItems: 1 },
              ),
              auth: secretAuth('Login: rbd with a Secret whose usage is ceph, iscsi with one whose usage is iscsi.'),
            },
            ['protocol'],
            {
              allOf: [
                when('protocol', ['nbd', 'gluster', 'http', 'https'], {
                  properties: { auth: forbidden('libvirt logs in only to rbd and iscsi disks') },
                }),
              ],
            },
          ),
          encryption: obj(
            "LUKS encryption: the passphrase is the value of a Secret with usage volume. A volume disk takes its volume manifest's encryption by default.",
            {
              secret: name('Name of a Secret manifest with usage volume.'),
            },
            ['secret'],
          ),
          target: str('Guest device name: vda (virtio), sda (sata/scsi/usb), hda (ide), ...', {
            pattern: '^(vd|sd|hd|xvd|fd)[a-z]{1,3}$',
            errorMessage: 'must be a device name like vda, sda or hdc',
          }),
          bus: enumOf('Guest bus; default from the target prefix. sd: an SD card (target sdX), e.g. on ARM boards.', [
            'virtio',
            'sata',
            'scsi',
            'ide',
            'usb',
            'sd',
          ]),
          format: enumOf("Image format QEMU opens the disk as; default the volume's format (iso: raw), else raw.", DISK_FORMATS),
          readonly: bool('Guest cannot write (always true for cdrom).'),
          cache: enumOf('Host cache mode.', ['default', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe']),
          discard: enumOf('Pass guest TRIM/discard to the image (unmap) or not (ignore).', ['unmap', 'ignore']),
          serial: str('Serial number the guest sees.', {
            pattern: '^[A-Za-z0-9_.-]{1,36}$',
            errorMessage: 'must be 1-36 letters, digits, "_", ".", "-"',
          }),
        },
        ['target'],
        {
          allOf: [
            atMostOne(['volume', 'file', 'block', 'network'], 'set at most one source: volume, file, block or network'),
            {
              if: { not: { properties: { device: { const: 'cdrom' } }, required: ['device'] } },
              then: atLeastOne(['volume', 'file', 'block', 'network'], 'a disk needs a source: set one of volume, file, block, network'),
            },
          ],
        },
      ),
    ),
    interfaces: arr(
      'Network interfaces.',
      obj(
        'A NIC attached to a virtkeeper Network or to a host bridge.',
        {
          network: name('Name of a Network manifest.'),
          bridge: str('Name of an existing host bridge, e.g. br0.', {
            pattern: '^[A-Za-z0-9_.:-]{1,15}$',
            errorMessage: 'must be a host interface name (at most 15 characters)',
          }),
          model: enumOf('NIC model; virtio is fastest.', ['virtio', 'e1000', 'e1000e', 'rtl8139', 'vmxnet3']),
          mac: mac('MAC address; omitted: libvirt generates one and virtkeeper keeps it.'),
        },
        [],
        { allOf: [exactlyOne(['network', 'bridge'], 'set exactly one of network or bridge')] },
      ),
    ),
    graphics: arr(
      'Graphical consoles.',
      obj(
        'A VNC or SPICE display.',
        {
          type: enumOf('Protocol.', ['vnc', 'spice']),
          listen: ipAny("Address to listen on; default libvirt's (usually 127.0.0.1)."),
          port: int('Fixed port; omitted: allocated automatically.', 1, 65535),
          keymap: str('Keyboard layout, e.g. en-us.', { pattern: '^[A-Za-z-]{2,16}$', errorMessage: 'must be a keymap like en-us' }),
          passwordFrom: obj(
            "The display's password: the value of a Secret manifest (VNC reads at most 8 characters).",
            {
              secret: name('Name of a Secret manifest; it needs no usage when it only holds this password.'),
            },
            ['secret'],
          ),
        },
        ['type'],
      ),
    ),
    consoles: arr(
      'Text consoles.',
      charDevice('A console.', {
        targetType: enumOf('Guest side: serial, virtio (hvc0), or on s390 sclp (the SCLP console) and sclplm (its line-mode twin).', [
          'serial',
          'virtio',
          'sclp',
          'sclplm',
        ]),
      }),
    ),
    serials: arr(
      'Serial ports.',
      charDevice('A serial port.', {
        targetPort: int('Guest port number, 0 = ttyS0.', 0, 31),
      }),
    ),
    hostdevs: arr(
      'Host devices passed through to the guest.',
      obj(
        'A PCI or USB device: by NodeDevice manifest name, or by inline address (no manifest needed).',
        {
          nodeDevice: name('Name of a NodeDevice manifest.'),
          pci: pciAddress('Inline PCI address of the host device.'),
          usb: usbAddress('Inline USB device.'),
          managed: bool('libvirt detaches the device from its host driver on start and gives it back on stop; default true.', {
            default: true,
          }),
        },
        [],
        { allOf: [exactlyOne(['nodeDevice', 'pci', 'usb'], 'set exactly one of nodeDevice, pci, usb')] },
      ),
    ),
    cloudInit: cloudInitSchema(),
    xml: xmlOverlay('domain'),
  },
  ['memory'],
);

/** Text, a mapping, or {fromFile}: the three ways to give a cloud-init document. */
function cloudInitDocument(description: string) {
  return custom<CloudInitDocument>({
    type: ['string', 'object'],
    description: `${description} Text is written as is (it must start with a line cloud-init knows: "#cloud-config", "#!", …); a mapping is written as #cloud-config YAML; {fromFile: path} reads a file relative to the manifest.`,
    maxLength: 1048576,
    if: { type: 'object', required: ['fromFile'] },
    then: {
      properties: {
        fromFile: str('A file next to the manifest (relative to its directory, inside the manifest tree).', {
          minLength: 1,
          maxLength: 4096,
        }),
      },
      maxProperties: 1,
      errorMessage: 'fromFile must be the only key: {fromFile: path/relative/to/the/manifest}',
    },
  });
}

function cloudInitSchema() {
  return obj(
    'First-boot configuration: a cloud-init NoCloud seed that virtkeeper renders as an ISO (label cidata), uploads into a volume and attaches as a read-only cdrom.',
    {
      userData: cloudInitDocument('user-data.'),
      metaData: custom<Record<string, unknown>>({
        type: 'object',
        description: 'meta-data keys; instance-id and local-hostname default from the domain (see instanceIdFrom).',
      }),
      networkConfig: cloudInitDocument('network-config: network configuration version 1 or 2.'),
      vendorData: cloudInitDocument('vendor-data.'),
      sshAuthorizedKeys: arr(
        "OpenSSH public keys added to the user-data's ssh_authorized_keys (user-data must be cloud-config, or absent).",
        custom<string | { fromFile: string }>({
          type: ['string', 'object'],
          description:
            'A public key line ("ssh-ed25519 AAAA… comment"), or {fromFile: path} of a .pub file (one key per line) relative to the manifest.',
          maxLength: 16384,
          if: { type: 'object' },
          then: {
            properties: {
              fromFile: str('A .pub file next to the manifest (relative to its directory, inside the manifest tree).', {
                minLength: 1,
                maxLength: 4096,
              }),
            },
            required: ['fromFile'],
            maxProperties: 1,
            errorMessage: 'give a key line or {fromFile: path/to/key.pub}',
          },
        }),
        { maxItems: 64 },
      ),
      instanceIdFrom: enumOf(
        "How the default instance-id is chosen: domain (default) from the domain name only, so an edited seed does not re-provision the guest; content also from the seed's files, so any edit gives a new instance-id and cloud-init runs its per-instance modules again at the next boot.",
        ['domain', 'content'],
        { default: 'domain' },
      ),
      pool: name('StoragePool manifest the seed volume goes into; default the pool of the first disk with a volume.'),
      target: str('Guest device name of the seed cdrom; default the first free hdX (ide), or sdX on a q35 machine (sata).', {
        pattern: '^(sd|hd)[a-z]{1,3}$',
        errorMessage: 'must be a device name like hdd or sdb',
      }),
      bus: enumOf('Bus of the seed cdrom; default ide, or sata on a q35 machine.', ['ide', 'sata', 'scsi', 'usb']),
      secretRefs: arr(
        'Secret values in the seed: apply replaces each placeholder, wherever it stands in user-data, vendor-data, network-config or meta-data, with the value of a Secret manifest. Plans and the state store show the placeholder, never the value.',
        obj(
          'A placeholder and the Secret whose value replaces it.',
          {
            placeholder: str(
              'Text written in the seed files where the value goes, e.g. @UBUNTU_PASSWORD@; choose text that appears nowhere else.',
              {
                pattern: '^\\S{3,128}$',
                errorMessage: 'must be 3 to 128 characters without spaces, e.g. @UBUNTU_PASSWORD@',
              },
            ),
            secret: name('Name of a Secret manifest; it needs no usage when it only holds this value.'),
          },
          ['placeholder', 'secret'],
        ),
        { maxItems: 32 },
      ),
    },
  );
}

export type DomainSpec = Static<typeof domainSpecSchema>;

/** Hypervisor driver; default kvm. */
export type DomainType = NonNullable<DomainSpec['type']>;
/** saved: stopped with its memory in libvirt's managed save image; the next start resumes it (the guide's save/restore). */
export type DomainState = NonNullable<DomainSpec['state']>;
/** auto: virtkeeper restarts the domain to apply changes that need a restart; manual: the plan only reports "restart required". */
export type RestartPolicy = NonNullable<DomainSpec['restartPolicy']>;
export type StopMode = NonNullable<DomainSpec['stopMode']>;
export type LifecycleAction = (typeof lifecycle)[number];
export type CrashAction = NonNullable<DomainSpec['onCrash']>;
export type DomainCpu = NonNullable<DomainSpec['cpu']>;
export type DomainOs = NonNullable<DomainSpec['os']>;
export type BootDevice = Item<DomainOs['boot']>;
/** true: feature element present; false or absent: not present. */
export type DomainFeatures = NonNullable<DomainSpec['features']>;
export type DomainClock = NonNullable<DomainSpec['clock']>;
/**
 * A disk. Source: at most one of `volume` (a StorageVolume manifest), `file` (absolute host path),
 * `block` (host block device), `network`; a cdrom may have none (empty tray). A disk (device disk) needs one.
 */
export type DomainDisk = Item<DomainSpec['disks']>;
/** A disk served over the network (rbd: Ceph; iscsi: an iSCSI LUN; nbd, gluster, http(s)). */
export type DomainNetworkDisk = NonNullable<DomainDisk['network']>;
/** A NIC: exactly one of `network` (a Network manifest) or `bridge` (a host bridge device name). */
export type DomainInterface = Item<DomainSpec['interfaces']>;
export type DomainGraphics = Item<DomainSpec['graphics']>;
export type DomainConsole = Item<DomainSpec['consoles']>;
export type DomainSerial = Item<DomainSpec['serials']>;
/** What a console and a serial port share: the host side of the character device. */
export type DomainCharDevice = Omit<DomainConsole, 'targetType'>;
/** Device passthrough: exactly one of `nodeDevice` (a NodeDevice manifest name), `pci`, `usb` (inline address, needs no manifest). */
export type DomainHostdev = Item<DomainSpec['hostdevs']>;
/**
 * First-boot configuration as a cloud-init NoCloud seed: virtkeeper renders the files into an ISO
 * (label cidata), uploads it into a volume named by its digest and attaches it as a read-only cdrom.
 */
export type DomainCloudInit = NonNullable<DomainSpec['cloudInit']>;
/** `placeholder`, wherever it stands in a seed file, becomes the value of the Secret manifest `secret`. */
export type CloudInitSecretRef = Item<DomainCloudInit['secretRefs']>;

/** A Domain manifest: the envelope around this spec. */
export type DomainManifest = Manifest<'Domain', DomainSpec>;
