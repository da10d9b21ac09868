// One manifest per kind that sets (nearly) every field the schema knows, with alternatives for the
// exclusive choices: valid input for the schema, semantic-check and combined-schema tests. Typed
// with the spec types, which are derived from the schemas themselves.
import type { DomainManifest } from '../../../src/resources/domain/schema.js';
import type { InterfaceManifest } from '../../../src/resources/interface/schema.js';
import type { NetworkManifest } from '../../../src/resources/network/schema.js';
import type { NodeDeviceManifest } from '../../../src/resources/node-device/schema.js';
import type { SecretManifest } from '../../../src/resources/secret/schema.js';
import type { StoragePoolManifest } from '../../../src/resources/storage-pool/schema.js';
import type { StorageVolumeManifest } from '../../../src/resources/storage-volume/schema.js';

const meta = (name: string) => ({
  name,
  labels: { tier: 'web', 'example.com/owner': 'ops' },
  annotations: { 'virtkeeper.io/prune': 'disabled', 'virtkeeper.io/allow-replace': 'true', 'example.com/note': 'free text' },
});

export const fullDomain: DomainManifest = {
  apiVersion: 'virtkeeper.io/v1',
  kind: 'Domain',
  metadata: meta('web-1'),
  spec: {
    type: 'kvm',
    uuid: '4dea22b3-1d52-d8f3-2516-782e98ab3fa0',
    title: 'Web server',
    description: 'Serves <b>everything</b>',
    state: 'running',
    autostart: true,
    restartPolicy: 'auto',
    shutdownTimeout: '90s',
    detachTimeout: '45s',
    stopMode: 'shutdown',
    memory: '4GiB',
    currentMemory: '2GiB',
    vcpus: 4,
    maxVcpus: 8,
    cpu: { mode: 'custom', model: 'Skylake-Server', topology: { sockets: 1, cores: 2, threads: 2 } },
    os: {
      type: 'hvm',
      arch: 'x86_64',
      machine: 'q35',
      firmware: 'efi',
      boot: ['hd', 'cdrom'],
      kernel: '/boot/vmlinuz',
      initrd: '/boot/initrd',
      cmdline: 'console=ttyS0',
    },
    features: { acpi: true, apic: true, pae: true, hap: true, smm: true, vmport: false },
    clock: { offset: 'timezone', timezone: 'Europe/Paris', timers: [{ name: 'rtc', present: true, tickpolicy: 'catchup' }] },
    onPoweroff: 'destroy',
    onReboot: 'restart',
    onCrash: 'coredump-restart',
    disks: [
      {
        device: 'disk',
        volume: { pool: 'images', name: 'web-1-root' },
        target: 'vda',
        bus: 'virtio',
        format: 'qcow2',
        readonly: false,
        cache: 'none',
        discard: 'unmap',
        serial: 'root-1',
      },
      { file: '/var/lib/libvirt/images/data.img', target: 'vdb', encryption: { secret: 'luks-data' } },
      { block: '/dev/sdb', target: 'vdc' },
      {
        network: {
          protocol: 'iscsi',
          name: 'iqn.2013-06.com.example:storage/1',
          hosts: [{ name: 'san.example', port: 3260 }],
          auth: { username: 'vk', secret: 'chap' },
        },
        target: 'vdd',
      },
      { device: 'cdrom', target: 'sda', bus: 'sata' },
    ],
    interfaces: [
      { network: 'lan', model: 'virtio', mac: '52:54:00:00:00:01' },
      { bridge: 'br0', model: 'e1000e' },
    ],
    graphics: [{ type: 'spice', listen: '127.0.0.1', port: 5901, keymap: 'en-us', passwordFrom: { secret: 'spice-web-1' } }],
    consoles: [
      { type: 'pty', targetType: 'virtio' },
      { type: 'unix', path: '/run/web-1.console', mode: 'bind' },
      { type: 'tcp', host: 'localhost', port: 4556, mode: 'connect', targetType: 'serial' },
    ],
    serials: [
      { type: 'tcp', host: '127.0.0.1', port: 4555, mode: 'bind', targetPort: 0 },
      { type: 'file', path: '/var/log/web-1.serial', targetPort: 1 },
    ],
    hostdevs: [
      { nodeDevice: 'gpu0', managed: true },
      { pci: { domain: 0, bus: 6, slot: 0x12, function: 5 }, managed: false },
      { usb: { vendor: 0x046d, product: 0xc52b } },
      { usb: { bus: 1, device: 4 } },
    ],
    cloudInit: {
      userData: { packages: ['nginx'], ssh_authorized_keys: ['ssh-ed25519 AAAAC3Nza... ops@example'] },
      metaData: { 'local-hostname': 'web-1.example' },
      networkConfig: { fromFile: 'web-1.network-config.yaml' },
      vendorData: '#cloud-config\nruncmd: [true]\n',
      sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB ops@example', { fromFile: 'keys/ops.pub' }],
      instanceIdFrom: 'content',
      pool: 'images',
      target: 'hdd',
      bus: 'ide',
      secretRefs: [{ placeholder: '@JOIN_TOKEN@', secret: 'join-token' }],
    },
    xml: { merge: '<devices><watchdog model="i6300esb" action="reset"/></devices>' },
  },
};

export const fullNetwork: NetworkManifest = {
  apiVersion: 'virtkeeper.io/v1',
  kind: 'Network',
  metadata: meta('lan'),
  spec: {
    autostart: true,
    forward: { mode: 'nat', dev: 'eth0' },
    bridge: 'virbr10',
    mtu: 1500,
    domain: 'lab.example',
    ips: [
      {
        address: '192.168.100.1',
        prefix: 24,
        dhcp: {
          ranges: [{ start: '192.168.100.100', end: '192.168.100.200' }],
          hosts: [{ mac: '52:54:00:00:00:01', name: 'web-1', ip: '192.168.100.10' }],
        },
      },
      {
        address: 'fd00::1',
        prefix: 64,
        dhcp: {
          hosts: [
            { name: 'web-1.lab.example', ip: 'fd00::10' },
            { id: '0:3:0:1:0:16:3e:11:22:33', ip: 'fd00::11' },
          ],
        },
      },
    ],
    dns: { enable: true, forwarders: ['9.9.9.9'], hosts: [{ ip: '192.168.100.10', hostnames: ['www.lab.example'] }] },
    xml: { merge: '<dns><txt name="x" value="y"/></dns>' },
  },
};

/** Pools whose source shapes the iscsi sample cannot carry. */
export const fullPoolAlternatives: StoragePoolManifest[] = [
  {
    apiVersion: 'virtkeeper.io/v1',
    kind: 'StoragePool',
    metadata: meta('scsi'),
    spec: { type: 'scsi', source: { adapter: { name: 'host0' } } },
  },
  {
    apiVersion: 'virtkeeper.io/v1',
    kind: 'StoragePool',
    metadata: meta('vhba'),
    spec: { type: 'scsi', source: { adapter: { parent: 'scsi_host5', wwnn: '20000000c9831b4b', wwpn: '10000000c9831b4b' } } },
  },
  {
    apiVersion: 'virtkeeper.io/v1',
    kind: 'StoragePool',
    metadata: meta('ceph'),
    spec: { type: 'rbd', source: { name: 'vms', host: 'mon1.example', port: 6789 } },
  },
];

/** Networks on host NICs: the forward fields a nat network cannot use. */
export const fullNetworkAlternatives: NetworkManifest[] = [
  {
    apiVersion: 'virtkeeper.io/v1',
    kind: 'Network',
    metadata: meta('macvtap'),
    spec: { forward: { mode: 'vepa', dev: 'eth1', interfaces: ['eth1', 'eth2'] } },
  },
  {
    apiVersion: 'virtkeeper.io/v1',
    kind: 'Network',
    metadata: meta('vfs'),
    spec: { forward: { mode: 'hostdev', pf: 'eth3', managed: true } },
  },
];

export const fullPool: StoragePoolManifest = {
  apiVersion: 'virtkeeper.io/v1',
  kind: 'StoragePool',
  metadata: meta('images'),
  spec: {
    type: 'iscsi',
    autostart: true,
    path: '/dev/disk/by-path',
    source: {
      host: 'san.example',
      port: 3260,
      dir: '/export',
      devices: ['/dev/sdb'],
      name: 'vg0',
      format: 'auto',
      iqn: 'iqn.2013-06.com.example:storage',
      initiatorIqn: 'iqn.2013-06.com.example:host',
      auth: { type: 'chap', username: 'vk', secret: 'chap' },
    },
    xml: { merge: '<target><permissions><mode>0711</mode></permissions></target>' },
  },
};

export const fullVolume: StorageVolumeManifest = {
  apiVersion: 'virtkeeper.io/v1',
  kind: 'StorageVolume',
  metadata: meta('web-1-root'),
  spec: {
    pool: 'images',
    capacity: '20GiB',
    allocation: '1GiB',
    format: 'qcow2',
    backingStore: { volume: { pool: 'images', name: 'base' }, format: 'qcow2' },
    xml: { merge: '<target><permissions><mode>0600</mode></permissions></target>' },
  },
};

/** Fields excluded from fullVolume by "at most one of backingStore, cloneFrom, source". */
export const fullVolumeAlternatives: StorageVolumeManifest[] = [
  {
    ...fullVolume,
    spec: { pool: 'images', capacity: '1GiB', backingStore: { path: '/var/lib/base.qcow2', format: 'qcow2' }, format: 'qcow2' },
  },
  { ...fullVolume, spec: { pool: 'images', cloneFrom: { pool: 'images', name: 'base' } } },
  { ...fullVolume, spec: { pool: 'images', capacity: '1GiB', source: { path: '/tmp/x.img', sha256: 'a'.repeat(64) } } },
  {
    ...fullVolume,
    spec: {
      pool: 'images',
      capacity: '1GiB',
      format: 'iso',
      source: { url: 'https://example.com/x.iso', headers: [{ name: 'Authorization', secret: 'spice-web-1' }] },
    },
  },
  { ...fullVolume, spec: { pool: 'images', capacity: '1GiB', format: 'raw', encryption: { format: 'luks', secret: 'luks-data' } } },
];

export const fullInterface: InterfaceManifest = {
  apiVersion: 'virtkeeper.io/v1',
  kind: 'Interface',
  metadata: { ...meta('br0'), name: 'br0' },
  spec: {
    type: 'bridge',
    startMode: 'onboot',
    mac: '52:54:00:aa:bb:cc',
    mtu: 9000,
    ipv4: { dhcp: false, address: '10.0.0.2', prefix: 24, gateway: '10.0.0.1' },
    ipv6: { dhcp: false, autoconf: true, address: 'fd00::2', prefix: 64, gateway: 'fd00::1' },
    members: ['eno1', 'eno2'],
    bridge: { stp: true, delay: 2 },
    xml: { merge: '<link speed="1000"/>' },
  },
};

export const fullInterfaceAlternatives: InterfaceManifest[] = [
  { ...fullInterface, metadata: { name: 'bond0' }, spec: { type: 'bond', members: ['eno1'], bond: { mode: '802.3ad', miimon: 100 } } },
  { ...fullInterface, metadata: { name: 'eno1.100' }, spec: { type: 'vlan', vlan: { tag: 100, parent: 'eno1' } } },
];

export const fullNodeDevice: NodeDeviceManifest = {
  apiVersion: 'virtkeeper.io/v1',
  kind: 'NodeDevice',
  metadata: meta('gpu0'),
  spec: { pci: { domain: 0, bus: 6, slot: 0, function: 0 }, detached: true, driver: 'vfio', xml: { merge: '' } },
};
export const usbNodeDevice: NodeDeviceManifest = {
  ...fullNodeDevice,
  spec: { usb: { vendor: 1, product: 2 }, detached: false },
};
export const usbBusNodeDevice: NodeDeviceManifest = {
  ...fullNodeDevice,
  spec: { usb: { bus: 1, device: 3 } },
};

export const fullSecret: SecretManifest = {
  apiVersion: 'virtkeeper.io/v1',
  kind: 'Secret',
  metadata: meta('ceph-client'),
  spec: {
    usage: { ceph: 'client.libvirt secret' },
    valueFrom: { file: '/run/secrets/ceph-client.key' },
    encoding: 'base64',
    description: 'Ceph client key for the rbd pool',
    private: true,
    uuid: '2ea9a0f0-7c7c-4a7a-9d4b-5b0a3c7e1f21',
  },
};

export const fullSecretAlternatives: SecretManifest[] = [
  {
    apiVersion: 'virtkeeper.io/v1',
    kind: 'Secret',
    metadata: { name: 'luks-data' },
    spec: { usage: { volume: '/var/lib/libvirt/images/data.img' }, valueFrom: { env: 'DATA_PASSPHRASE' }, encoding: 'raw' },
  },
  {
    apiVersion: 'virtkeeper.io/v1',
    kind: 'Secret',
    metadata: { name: 'chap' },
    spec: { usage: { iscsi: 'libvirtiscsi' }, valueFrom: { command: ['pass', 'show', 'iscsi/chap'] }, private: false },
  },
  {
    apiVersion: 'virtkeeper.io/v1',
    kind: 'Secret',
    metadata: { name: 'tls-key' },
    spec: { usage: { tls: 'TLS_migration' }, valueFrom: { file: '/etc/pki/tls.key' } },
  },
  {
    apiVersion: 'virtkeeper.io/v1',
    kind: 'Secret',
    metadata: { name: 'vtpm-1' },
    spec: { usage: { vtpm: 'VTPM_web-1' }, valueFrom: { env: 'VTPM_KEY' } },
  },
  // No usage: only a value for others (a graphics password).
  {
    apiVersion: 'virtkeeper.io/v1',
    kind: 'Secret',
    metadata: { name: 'spice-web-1' },
    spec: { valueFrom: { file: '/run/secrets/spice-web-1' } },
  },
];
