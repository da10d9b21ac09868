// Shape of the manifests virtkeeper reads. These types mirror schemas/*.schema.json field for
// field: the JSON Schemas are what validates input, these types are what the rest of the code
// programs against once validation passed. Field names are a public contract (resource mappers
// and users' YAML depend on them): add fields, never rename them.
//
// Units:
// - Size: a string "<number><unit>" with binary units B, KiB, MiB, GiB, TiB, PiB
//   ("2GiB", "512MiB", "1.5GiB", "1073741824B"), or a bare non-negative integer meaning KiB
//   (libvirt's default unit). Use parseSize() from ./units.ts to get bytes; never parse by hand.
// - PCI/USB numbers are plain integers; write them in hex in YAML (`bus: 0x06`).

export const API_VERSION = 'virtkeeper.io/v1';
export type ApiVersion = typeof API_VERSION;

export const MANIFEST_KINDS = [
  'Domain',
  'Network',
  'StoragePool',
  'StorageVolume',
  'Interface',
  'NodeDevice',
  'Secret',
] as const;
export type ManifestKind = (typeof MANIFEST_KINDS)[number];

/** "2GiB", "512MiB", "64KiB", "1073741824B", or an integer number of KiB. */
export type Size = string | number;

/** Annotations with a meaning to virtkeeper. */
export const ANNOTATION_PRUNE = 'virtkeeper.io/prune'; // value "disabled": never prune this object
export const ANNOTATION_ALLOW_REPLACE = 'virtkeeper.io/allow-replace'; // value "true": destroy+recreate allowed

export interface Metadata {
  /** Object name in libvirt; safe pattern ^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$. */
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * Escape hatch for anything the friendly fields do not cover.
 * `merge` holds XML fragments written as they would appear directly inside the root element of
 * the generated document (<domain>, <network>, <pool>, <volume>, <interface>). Applied after the
 * friendly fields are mapped:
 * - the top-level fragment elements of one name together replace all generated elements of that
 *   name, or are appended when there is none;
 * - except <devices> (Domain only): each child replaces the generated device of the same identity
 *   (disk target dev, interface MAC, …: src/resources/device-identity.ts), else is appended;
 * - an element named like the root sets the root's attributes (docs/manifests.md).
 * The loader checks that `merge` is well-formed, carries no DOCTYPE/entity declarations and does
 * not set <name> (identity comes from metadata.name).
 */
export interface XmlOverlay {
  merge?: string;
}

// ---------------------------------------------------------------- shared pieces

/** PCI address; domain defaults to 0. Ranges: domain 0..0xffff, bus 0..0xff, slot 0..0x1f, function 0..7. */
export interface PciAddress {
  domain?: number;
  bus: number;
  slot: number;
  function: number;
}

/** A USB device either by vendor+product id or by bus+device number (exactly one pair). */
export interface UsbAddress {
  vendor?: number;
  product?: number;
  bus?: number;
  device?: number;
}

/** Reference to a StorageVolume manifest. `pool` may be omitted only where a default pool exists (a volume's own pool). */
export interface VolumeRef {
  pool?: string;
  name: string;
}

// ---------------------------------------------------------------- Domain

export type DomainType = 'kvm' | 'qemu' | 'test' | 'xen' | 'lxc';
/** saved: stopped with its memory in libvirt's managed save image; the next start resumes it (the guide's save/restore). */
export type DomainState = 'running' | 'stopped' | 'paused' | 'saved';
/** auto: virtkeeper restarts the domain to apply changes that need a restart; manual: the plan only reports "restart required". */
export type RestartPolicy = 'auto' | 'manual';
export type StopMode = 'shutdown' | 'destroy';
/** "90s", "2m", or a number of seconds. */
export type Duration = string | number;
export type LifecycleAction = 'destroy' | 'restart' | 'preserve' | 'rename-restart';
export type CrashAction = LifecycleAction | 'coredump-destroy' | 'coredump-restart';
export type BootDevice = 'hd' | 'cdrom' | 'network' | 'fd';

export interface DomainCpu {
  mode?: 'host-passthrough' | 'host-model' | 'custom' | 'maximum';
  /** CPU model name, with mode custom (e.g. "Skylake-Server"). */
  model?: string;
  topology?: { sockets: number; cores: number; threads: number };
}

export interface DomainOs {
  type?: 'hvm' | 'linux' | 'xen' | 'exe';
  arch?: string; // x86_64, aarch64, ...
  machine?: string; // q35, pc, pc-q35-8.2, virt, ...
  firmware?: 'bios' | 'efi';
  /** Boot order, first tried first. */
  boot?: BootDevice[];
  /** Direct kernel boot: absolute host paths. */
  kernel?: string;
  initrd?: string;
  cmdline?: string;
}

/** true: feature element present; false or absent: not present. */
export interface DomainFeatures {
  acpi?: boolean;
  apic?: boolean;
  pae?: boolean;
  hap?: boolean;
  smm?: boolean;
  vmport?: boolean;
}

export interface DomainClock {
  offset?: 'utc' | 'localtime' | 'timezone' | 'variable';
  /** With offset timezone, e.g. "Europe/Paris". */
  timezone?: string;
  timers?: Array<{
    name: 'rtc' | 'pit' | 'hpet' | 'kvmclock' | 'hypervclock' | 'tsc';
    present?: boolean;
    tickpolicy?: 'delay' | 'catchup' | 'merge' | 'discard';
  }>;
}

/**
 * Every format libvirt 9.0 knows for a file volume (its virStorageFileFormat, measured: vhdx,
 * luks and parallels are refused).
 */
export const VOLUME_FORMATS = ['raw', 'dir', 'bochs', 'cloop', 'dmg', 'iso', 'vpc', 'vdi', 'fat', 'vhd', 'ploop', 'cow', 'qcow', 'qcow2', 'qed', 'vmdk'] as const;
export type VolumeFormat = (typeof VOLUME_FORMATS)[number];

/** Image formats QEMU opens as a disk (a driver type): what a disk or a backing image may be. */
export const DISK_FORMATS = ['raw', 'qcow2', 'qcow', 'qed', 'vmdk', 'vdi', 'vpc', 'cloop', 'dmg', 'bochs'] as const;
export type DiskFormat = (typeof DISK_FORMATS)[number];

/** Formats that can sit on a backing image (libvirt's storageFormatBacking, less cow which QEMU dropped). */
export const BACKING_CAPABLE_FORMATS: readonly VolumeFormat[] = ['qcow2', 'qcow', 'qed', 'vmdk'];

/**
 * A disk. Source: at most one of `volume` (a StorageVolume manifest), `file` (absolute host path),
 * `block` (host block device); a cdrom may have none (empty tray). A disk (device disk) needs one.
 */
/** A Secret manifest named where libvirt needs a secret (encryption, auth). */
export interface SecretRef {
  secret: string;
}

/** Login to a network disk's or pool's server: a user name and the Secret holding its key or password. */
export interface SecretAuth extends SecretRef {
  username: string;
}

/** A disk served over the network (rbd: Ceph; iscsi: an iSCSI LUN; nbd, gluster, http(s)). */
export interface DomainNetworkDisk {
  protocol: 'rbd' | 'iscsi' | 'nbd' | 'gluster' | 'http' | 'https';
  /** rbd: pool/image; iscsi: target IQN/LUN; gluster: volume/path; http(s): the path. */
  name?: string;
  hosts?: Array<{ name: string; port?: number }>;
  /** rbd (a Secret with usage ceph) and iscsi (usage iscsi) only. */
  auth?: SecretAuth;
}

export interface DomainDisk {
  device?: 'disk' | 'cdrom';
  volume?: Required<VolumeRef>;
  file?: string;
  block?: string;
  network?: DomainNetworkDisk;
  /**
   * LUKS: the passphrase is the value of a Secret with usage volume. Default for a volume disk:
   * the volume manifest's encryption.
   */
  encryption?: SecretRef;
  /** Guest device name: vda, sda, hdc, ... */
  target: string;
  /** sd: an SD card bus (target sdX). */
  bus?: 'virtio' | 'sata' | 'scsi' | 'ide' | 'usb' | 'sd';
  /** Driver format; default: the volume's format, else raw. */
  format?: DiskFormat;
  readonly?: boolean;
  cache?: 'default' | 'none' | 'writethrough' | 'writeback' | 'directsync' | 'unsafe';
  discard?: 'unmap' | 'ignore';
  serial?: string;
}

/** A NIC: exactly one of `network` (a Network manifest) or `bridge` (a host bridge device name). */
export interface DomainInterface {
  network?: string;
  bridge?: string;
  model?: 'virtio' | 'e1000' | 'e1000e' | 'rtl8139' | 'vmxnet3';
  /** "52:54:00:12:34:56"; omitted: libvirt generates one and virtkeeper keeps it. */
  mac?: string;
}

export interface DomainGraphics {
  type: 'vnc' | 'spice';
  /** Listen address; default libvirt's (usually 127.0.0.1). */
  listen?: string;
  /** Fixed port; omitted: autoport. */
  port?: number;
  keymap?: string;
  /**
   * The display's password, the value of a Secret manifest (never written here). Set when the
   * domain is defined; a changed value is told by its salted digest, like a Secret's.
   */
  passwordFrom?: { secret: string };
}

export interface DomainCharDevice {
  /** Host side; default pty. */
  type?: 'pty' | 'file' | 'unix' | 'tcp' | 'null';
  /** For file and unix. */
  path?: string;
  /** For tcp. */
  host?: string;
  port?: number;
  mode?: 'bind' | 'connect';
}
export interface DomainConsole extends DomainCharDevice {
  /** sclp, sclplm: s390's consoles. */
  targetType?: 'serial' | 'virtio' | 'sclp' | 'sclplm';
}
export interface DomainSerial extends DomainCharDevice {
  /** Guest serial port number (0 = ttyS0). */
  targetPort?: number;
}

/** Device passthrough: exactly one of `nodeDevice` (a NodeDevice manifest name), `pci`, `usb` (inline address, needs no manifest). */
export interface DomainHostdev {
  nodeDevice?: string;
  pci?: PciAddress;
  usb?: UsbAddress;
  /** libvirt detaches/reattaches the host driver itself; default true. */
  managed?: boolean;
}

/**
 * A cloud-init document: text written as is ("#cloud-config" YAML, a "#!" script, …), a mapping
 * rendered as YAML, or `{fromFile}` — a file relative to the manifest, read by the loader (after
 * loading, only text and mappings remain).
 */
export type CloudInitDocument = string | Record<string, unknown> | { fromFile: string };

/**
 * First-boot configuration as a cloud-init NoCloud seed: virtkeeper renders the files into an ISO
 * (label cidata), uploads it into a volume named by its digest and attaches it as a read-only cdrom.
 */
export interface DomainCloudInit {
  userData?: CloudInitDocument;
  /** meta-data keys; instance-id and local-hostname default from the domain. */
  metaData?: Record<string, unknown>;
  /** Network configuration version 1 or 2. */
  networkConfig?: CloudInitDocument;
  vendorData?: CloudInitDocument;
  /** OpenSSH public keys added to user-data's ssh_authorized_keys: a key line, or {fromFile} of a .pub file (one key per line). */
  sshAuthorizedKeys?: Array<string | { fromFile: string }>;
  /** domain (default): instance-id from the domain name; content: also from the seed's files, so an edit re-provisions. */
  instanceIdFrom?: 'domain' | 'content';
  /** StoragePool manifest the seed volume goes into; default the pool of the first disk with a volume. */
  pool?: string;
  /** Guest device name of the cdrom; default the first free hdX (ide) or sdX (sata on q35). */
  target?: string;
  bus?: 'ide' | 'sata' | 'scsi' | 'usb';
  /** Placeholders in the seed's files that apply replaces with a Secret's value; plans show the placeholder. */
  secretRefs?: CloudInitSecretRef[];
}

/** `placeholder`, wherever it stands in a seed file, becomes the value of the Secret manifest `secret`. */
export interface CloudInitSecretRef {
  placeholder: string;
  secret: string;
}

export interface DomainSpec {
  /** Hypervisor type; default kvm. */
  type?: DomainType;
  uuid?: string;
  title?: string;
  description?: string;
  /** Desired lifecycle, enforced; default running. */
  state?: DomainState;
  autostart?: boolean;
  /** Default manual. */
  restartPolicy?: RestartPolicy;
  /** How long a graceful (ACPI) shutdown may take before the guest is forced off: "60s", "2m" or seconds. Default 60s. */
  shutdownTimeout?: Duration;
  /** How long apply waits for the running guest to release a hot-unplugged disk or NIC: "30s", "2m" or seconds. Default 30s. */
  detachTimeout?: Duration;
  /** How virtkeeper stops the domain (state stopped, restarts): shutdown (graceful, then forced after shutdownTimeout) or destroy (power off at once). Default shutdown. */
  stopMode?: StopMode;
  memory: Size;
  currentMemory?: Size;
  /** Default 1. */
  vcpus?: number;
  /** vCPUs the running guest may grow to by hotplug (libvirt's <vcpu> maximum); default vcpus. */
  maxVcpus?: number;
  cpu?: DomainCpu;
  os?: DomainOs;
  features?: DomainFeatures;
  clock?: DomainClock;
  onPoweroff?: LifecycleAction;
  onReboot?: LifecycleAction;
  onCrash?: CrashAction;
  disks?: DomainDisk[];
  interfaces?: DomainInterface[];
  graphics?: DomainGraphics[];
  consoles?: DomainConsole[];
  serials?: DomainSerial[];
  hostdevs?: DomainHostdev[];
  cloudInit?: DomainCloudInit;
  xml?: XmlOverlay;
}

// ---------------------------------------------------------------- Network

/** A static lease: identified by mac (IPv4 only), id (a DHCP client id / DHCPv6 DUID) or name. */
export interface NetworkDhcpHost {
  mac?: string;
  /** Client identifier: the DUID for DHCPv6, hex octets with colons ("0:3:0:1:0:16:3e:11:22:33"). */
  id?: string;
  /** Host name, dots allowed ("a.example.com"). */
  name?: string;
  ip: string;
}

export interface NetworkIp {
  /** Host-side address of the network's bridge, IPv4 or IPv6. */
  address: string;
  prefix: number;
  dhcp?: {
    ranges?: Array<{ start: string; end: string }>;
    hosts?: NetworkDhcpHost[];
  };
}

/**
 * isolated = no <forward>. bridge uses an existing host bridge (bridge) or macvtap on host NICs;
 * private, vepa and passthrough are macvtap modes; hostdev passes SR-IOV VFs through.
 */
export type NetworkForwardMode = 'nat' | 'route' | 'open' | 'isolated' | 'bridge' | 'private' | 'vepa' | 'passthrough' | 'hostdev';

export interface NetworkSpec {
  autostart?: boolean;
  /** Absent: isolated. */
  forward?: {
    mode: NetworkForwardMode;
    /** Host device to forward through (nat/route), or the one host NIC of a macvtap/hostdev network. */
    dev?: string;
    /** Host NICs the guests' macvtap devices (or VFs, hostdev) are taken from; dev, when set, is the first. */
    interfaces?: string[];
    /** SR-IOV physical function whose VFs form the pool (passthrough, hostdev, and the macvtap modes). */
    pf?: string;
    /** hostdev: libvirt detaches the VFs from their host driver itself. */
    managed?: boolean;
  };
  /** Bridge device name: created for nat/route/open/isolated, an existing host bridge for mode bridge. */
  bridge?: string;
  mtu?: number;
  /** DNS domain handed out to guests. */
  domain?: string;
  ips?: NetworkIp[];
  dns?: {
    enable?: boolean;
    forwarders?: string[];
    hosts?: Array<{ ip: string; hostnames: string[] }>;
  };
  xml?: XmlOverlay;
}

// ---------------------------------------------------------------- StoragePool

/** Every pool type libvirt 9.0 has (storagepool.rng). */
export const STORAGE_POOL_TYPES = ['dir', 'fs', 'netfs', 'logical', 'disk', 'iscsi', 'iscsi-direct', 'scsi', 'mpath', 'rbd', 'sheepdog', 'gluster', 'zfs', 'vstorage'] as const;
export type StoragePoolType = (typeof STORAGE_POOL_TYPES)[number];

/** scsi: the host adapter, by SCSI host name (scsi_host) or by Fibre Channel WWNs (fc_host, a vHBA). */
export interface StoragePoolAdapter {
  /** scsi_host name, e.g. host0. */
  name?: string;
  /** fc_host: world wide node and port names, 16 hex digits each (both or neither). */
  wwnn?: string;
  wwpn?: string;
  /** fc_host: the HBA the vHBA is created on, e.g. scsi_host5. */
  parent?: string;
}

export interface StoragePoolSource {
  /** netfs, iscsi, iscsi-direct, rbd (a monitor), sheepdog, gluster. */
  host?: string;
  port?: number;
  /** netfs: exported directory; gluster: a subdirectory of the volume. */
  dir?: string;
  /** fs, disk: the block device (exactly one); logical: physical volumes; zfs: the vdevs. */
  devices?: string[];
  /** logical: volume group; rbd: ceph pool; sheepdog: cluster; gluster: volume; zfs: zpool; vstorage: cluster. */
  name?: string;
  /** fs: auto|ext4|xfs|...; netfs: nfs|cifs|glusterfs|auto; disk: dos|gpt|...; logical: lvm2. */
  format?: string;
  /** iscsi, iscsi-direct: the target, usually an IQN (libvirt takes any name). */
  iqn?: string;
  /** iscsi, iscsi-direct (required there): initiator IQN. */
  initiatorIqn?: string;
  /** iscsi: CHAP login (a Secret with usage iscsi); rbd: cephx (usage ceph). */
  auth?: SecretAuth & { type: 'chap' | 'ceph' };
  /** scsi: the host adapter. */
  adapter?: StoragePoolAdapter;
}

export interface StoragePoolSpec {
  type: StoragePoolType;
  autostart?: boolean;
  /** Target path (absolute). Required for dir, fs, netfs, vstorage; not used by iscsi-direct, rbd, sheepdog, gluster. */
  path?: string;
  source?: StoragePoolSource;
  xml?: XmlOverlay;
}

// ---------------------------------------------------------------- StorageVolume

export interface StorageVolumeSpec {
  /** Name of the StoragePool manifest holding this volume; identity is pool/name. */
  pool: string;
  /** Required unless cloneFrom. */
  capacity?: Size;
  allocation?: Size;
  /** Default raw; a volume with a backing store must be qcow2, qcow, qed or vmdk. */
  format?: VolumeFormat;
  /** Copy-on-write base: exactly one of volume (pool defaults to this volume's pool) or path. */
  backingStore?: {
    volume?: VolumeRef;
    path?: string;
    format?: DiskFormat;
  };
  /** Create as a full copy of another volume (pool defaults to this volume's pool). */
  cloneFrom?: VolumeRef;
  /** LUKS-encrypted (format raw): the passphrase is the value of a Secret with usage volume. */
  encryption?: SecretRef & { format?: 'luks' };
  /** Upload content at creation: exactly one of path (on the machine running virtkeeper) or url (http/https). */
  source?: {
    path?: string;
    url?: string;
    /** Expected SHA-256 (hex) of the content. */
    sha256?: string;
    /** url only: request headers whose values are Secret values (a token), never written here. */
    headers?: Array<{ name: string; secret: string }>;
    /**
     * Not in the schema: set only on the volume virtkeeper derives from a Domain's cloudInit. The
     * content is the NoCloud ISO of these files (built where virtkeeper runs, deterministically),
     * and `sha256` is the image's.
     */
    seed?: SeedImageSource;
  };
  xml?: XmlOverlay;
}

/** The files of a NoCloud seed, as text; the image is buildSeedImage(files). */
export interface SeedImageSource {
  /** The Domain the seed belongs to. */
  domain: string;
  /** The instance-id written in its meta-data. */
  instanceId: string;
  files: Array<{ name: string; text: string }>;
  /** Placeholders in the files that apply replaces with Secret values (the image's sha256 is of the files as they are). */
  secretRefs?: CloudInitSecretRef[];
}

// ---------------------------------------------------------------- Interface (host network interface)

export interface InterfaceIpv4 {
  dhcp?: boolean;
  address?: string;
  prefix?: number;
  gateway?: string;
}
export interface InterfaceIpv6 extends InterfaceIpv4 {
  autoconf?: boolean;
}

export interface InterfaceSpec {
  type: 'ethernet' | 'bridge' | 'bond' | 'vlan';
  startMode?: 'onboot' | 'none' | 'hotplug';
  mac?: string;
  mtu?: number;
  ipv4?: InterfaceIpv4;
  ipv6?: InterfaceIpv6;
  /** bridge, bond: member interface names. A name that is also an Interface manifest is embedded with its definition; other names are plain ethernet devices. */
  members?: string[];
  /** delay: forward delay in seconds, decimals allowed (0.01). */
  bridge?: { stp?: boolean; delay?: number };
  bond?: {
    mode?: 'balance-rr' | 'active-backup' | 'balance-xor' | 'broadcast' | '802.3ad' | 'balance-tlb' | 'balance-alb';
    miimon?: number;
  };
  /** vlan: required. */
  vlan?: { tag: number; parent: string };
  xml?: XmlOverlay;
}

// ---------------------------------------------------------------- NodeDevice

/** A host device kept detached from its host driver so domains can pass it through. Exactly one of pci, usb. */
export interface NodeDeviceSpec {
  pci?: PciAddress;
  usb?: UsbAddress;
  /** true (default): detached from host drivers; false: given back to the host. */
  detached?: boolean;
  /** Driver to bind for passthrough; default vfio. */
  driver?: 'vfio' | 'xen';
  /** Accepted for uniformity; PCI/USB devices are only detached, never defined, so nothing is merged today. */
  xml?: XmlOverlay;
}

// ---------------------------------------------------------------- Secret

/** What libvirt uses the secret for: exactly one usage, which is also how libvirt finds it. */
export interface SecretUsage {
  /** Volume encryption (LUKS): the volume's path on the host. */
  volume?: string;
  /** Ceph (rbd disks and pools): a usage name, e.g. "client.admin secret". */
  ceph?: string;
  /** iSCSI CHAP (disks and pools): a usage target name. */
  iscsi?: string;
  /** TLS keys (QEMU's TLS for migration, NBD, chardevs): a usage name. */
  tls?: string;
  /** vTPM state encryption: a usage name. */
  vtpm?: string;
}

/**
 * Where the value comes from, on the machine running virtkeeper, read at plan (to tell whether it
 * changed) and at apply (to set it): exactly one of a file, an environment variable or a command.
 */
export interface SecretValueFrom {
  /** Path of a file; one trailing newline is dropped. */
  file?: string;
  /** Name of an environment variable. */
  env?: string;
  /** A program and its arguments (no shell), whose standard output is the value; one trailing newline is dropped. */
  command?: string[];
}

export interface SecretSpec {
  /** Absent: the Secret only holds a value for other objects (a graphics password) and is not defined in libvirt. */
  usage?: SecretUsage;
  valueFrom: SecretValueFrom;
  /** raw (default): the bytes as read; base64: the text read is base64 and the value is what it decodes to (ceph keys). */
  encoding?: 'raw' | 'base64';
  description?: string;
  /** libvirt never reveals the value to any client (default true). */
  private?: boolean;
  /** Fixed UUID; omitted: libvirt generates one and virtkeeper keeps it. */
  uuid?: string;
}

// ---------------------------------------------------------------- envelope

export interface Manifest<K extends ManifestKind, S> {
  apiVersion: ApiVersion;
  kind: K;
  metadata: Metadata;
  spec: S;
}

export type DomainManifest = Manifest<'Domain', DomainSpec>;
export type NetworkManifest = Manifest<'Network', NetworkSpec>;
export type StoragePoolManifest = Manifest<'StoragePool', StoragePoolSpec>;
export type StorageVolumeManifest = Manifest<'StorageVolume', StorageVolumeSpec>;
export type InterfaceManifest = Manifest<'Interface', InterfaceSpec>;
export type NodeDeviceManifest = Manifest<'NodeDevice', NodeDeviceSpec>;
export type SecretManifest = Manifest<'Secret', SecretSpec>;

export type AnyManifest =
  | DomainManifest
  | NetworkManifest
  | StoragePoolManifest
  | StorageVolumeManifest
  | InterfaceManifest
  | NodeDeviceManifest
  | SecretManifest;

export type ManifestOfKind<K extends ManifestKind> = Extract<AnyManifest, { kind: K }>;
export type SpecOfKind<K extends ManifestKind> = ManifestOfKind<K>['spec'];

/** "Domain/web-1", "StorageVolume/images/web-1-root". */
export type IdentityKey = string;

// ---------------------------------------------------------------- loading results

export interface SourceLocation {
  /** Relative to the loaded directory, forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface ManifestError extends SourceLocation {
  /** Field path like "spec.disks[0].volume.name"; "" for whole-file problems. */
  path: string;
  message: string;
}

export interface LoadedManifest<M extends AnyManifest = AnyManifest> {
  key: IdentityKey;
  manifest: M;
  /** Where the document starts. */
  source: SourceLocation;
}

/** The validated set of manifests: what the reconciler wants the host to look like. */
export interface DesiredState {
  /** The directory as given to the loader. */
  root: string;
  /** Sorted by source file, line, column. */
  manifests: readonly LoadedManifest[];
  byKey: ReadonlyMap<IdentityKey, LoadedManifest>;
}
