// The StoragePool spec: its JSON Schema fragment and the types derived from it (the one source of
// both; ../../manifests/schema/kinds.ts wraps it in the manifest envelope).
import type { Manifest } from '../../manifests/types.js';
import {
  absPath,
  arr,
  bool,
  enumOf,
  forbidden,
  hostName,
  int,
  obj,
  pciAddress,
  secretAuthFields,
  str,
  when,
  xmlOverlay,
  type JsonSchema,
  type Static,
} from '../../manifests/schema/dsl.js';

/** Every pool type libvirt 9.0 has (storagepool.rng). */
export const STORAGE_POOL_TYPES = [
  'dir',
  'fs',
  'netfs',
  'logical',
  'disk',
  'iscsi',
  'iscsi-direct',
  'scsi',
  'mpath',
  'rbd',
  'sheepdog',
  'gluster',
  'zfs',
  'vstorage',
] as const;
export type StoragePoolType = (typeof STORAGE_POOL_TYPES)[number];

// What libvirt 9.0's pool parser takes as the source <format> of each type (measured: btrfs is
// refused, though the filesystem exists).
const FS_FORMATS = [
  'auto',
  'ext2',
  'ext3',
  'ext4',
  'ufs',
  'iso9660',
  'udf',
  'gfs',
  'gfs2',
  'vfat',
  'hfs+',
  'xfs',
  'ocfs2',
  'vmfs',
] as const;
const NETFS_FORMATS = ['auto', 'nfs', 'cifs', 'glusterfs'] as const;
const DISK_LABELS = ['unknown', 'dos', 'dvh', 'gpt', 'mac', 'bsd', 'pc98', 'sun', 'lvm2'] as const;
const LOGICAL_FORMATS = ['unknown', 'lvm2'] as const;

const formatIn = (values: readonly string[]): JsonSchema => ({ enum: [...values], errorMessage: `must be one of: ${values.join(', ')}` });

/** An iSCSI target or initiator name: usually an IQN, but libvirt takes any name without spaces. */
const iscsiName = (description: string) =>
  str(description, {
    pattern: '^\\S{1,223}$',
    errorMessage: 'must be an iSCSI name without spaces (at most 223 characters), e.g. iqn.2013-06.com.example:storage',
  });

const wwn = (description: string) =>
  str(description, {
    pattern: '^(0x)?[0-9A-Fa-f]{16}$',
    errorMessage: 'must be a world wide name of 16 hex digits, e.g. 20000000c9831b4b',
  });

/** Pool types whose storage is reached over the network by libvirt itself: no local target path. */
const NO_TARGET_TYPES = ['iscsi-direct', 'rbd', 'sheepdog', 'gluster'] as const;

export const storagePoolSpecSchema = obj(
  'A storage pool: where volumes live.',
  {
    type: enumOf('Pool backend: any type libvirt 9.0 has.', STORAGE_POOL_TYPES),
    autostart: bool('Start the pool when libvirtd starts.'),
    path: absPath(
      'Target path: the directory (dir, fs, netfs mount point, vstorage) or device directory (logical, iscsi, scsi, mpath, disk, zfs). Not used by iscsi-direct, rbd, sheepdog, gluster.',
    ),
    source: obj("Where the pool's storage comes from (not for dir or mpath).", {
      host: hostName('Server (netfs, iscsi, iscsi-direct, gluster, sheepdog) or a ceph monitor (rbd).'),
      port: int('Server port.', 1, 65535),
      // Relative only as a cifs share or glusterfs volume name: checks.ts holds the rest to absolute paths.
      dir: str(
        'Exported directory on the server (netfs; for format cifs or glusterfs the share or volume name, e.g. vms), or a subdirectory of the volume (gluster).',
        { pattern: '^[^\\s]', maxLength: 4096, errorMessage: 'must be a path' },
      ),
      devices: arr(
        'Block devices: the one device (fs, disk), the physical volumes (logical) or the vdevs (zfs).',
        absPath('A block device, e.g. /dev/sdb.'),
        { minItems: 1 },
      ),
      name: str('Volume group (logical), ceph pool (rbd), cluster (sheepdog, vstorage), volume (gluster) or zpool (zfs).', {
        pattern: '^[A-Za-z0-9_.+-]{1,127}$',
        errorMessage: 'must be a name of letters, digits, "_", ".", "+", "-"',
      }),
      format: str(
        'Format: fs: auto, ext2, ext3, ext4, xfs, vfat, ...; netfs: auto, nfs, cifs, glusterfs; disk: dos, gpt, ...; logical: lvm2.',
        { pattern: '^[a-z0-9+-]{1,16}$', errorMessage: 'must be a format name like ext4' },
      ),
      iqn: iscsiName('Target (iscsi, iscsi-direct), usually an IQN such as iqn.2013-06.com.example:storage.'),
      initiatorIqn: iscsiName('Initiator IQN (iscsi; required for iscsi-direct).'),
      adapter: obj(
        'SCSI host adapter (scsi): name, or wwnn and wwpn of a Fibre Channel vHBA.',
        {
          name: str('SCSI host name, e.g. host0.', {
            pattern: '^[A-Za-z0-9_.-]{1,64}$',
            errorMessage: 'must be a SCSI host name like host0',
          }),
          wwnn: wwn('World wide node name (fc_host).'),
          wwpn: wwn('World wide port name (fc_host).'),
          parent: str('HBA the vHBA is created on, e.g. scsi_host5 (fc_host).', {
            pattern: '^[A-Za-z0-9_.-]{1,64}$',
            errorMessage: 'must be a SCSI host name like scsi_host5',
          }),
          parentAddress: obj(
            "The scsi_host by the PCI address of its HBA (libvirt's <parentaddr>): unlike hostN, it stays the same across reboots.",
            {
              pci: pciAddress('PCI address of the HBA, e.g. {bus: 0x00, slot: 0x1f, function: 2}.'),
              uniqueId: int(
                'unique_id of the scsi_host (/sys/class/scsi_host/hostN/unique_id), telling apart several hosts of one HBA.',
                0,
              ),
            },
            ['pci'],
          ),
        },
        [],
        {
          allOf: [
            {
              oneOf: [{ required: ['name'] }, { required: ['wwnn', 'wwpn'] }, { required: ['parentAddress'] }],
              errorMessage: 'set either name or parentAddress (scsi_host), or wwnn and wwpn (fc_host)',
            },
            {
              if: { anyOf: [{ required: ['name'] }, { required: ['parentAddress'] }] },
              then: { properties: { parent: forbidden('is only for an fc_host adapter (wwnn and wwpn)') } },
            },
          ],
        },
      ),
      auth: obj(
        'Login to the server: chap (iscsi) with a Secret whose usage is iscsi, ceph (rbd) with one whose usage is ceph.',
        {
          type: enumOf('chap (iscsi) or ceph (rbd).', ['chap', 'ceph']),
          ...secretAuthFields(),
        },
        ['type', 'username', 'secret'],
      ),
    }),
    xml: xmlOverlay('pool'),
  },
  ['type'],
  {
    allOf: [
      when('type', 'dir', {
        required: ['path'],
        errorMessage: 'is required for a dir pool',
        properties: { source: forbidden('is not used by a dir pool') },
      }),
      when('type', 'fs', {
        required: ['path', 'source'],
        errorMessage: 'is required for an fs pool',
        properties: {
          source: { required: ['devices'], errorMessage: 'is required for an fs pool', properties: { format: formatIn(FS_FORMATS) } },
        },
      }),
      when('type', 'netfs', {
        required: ['path', 'source'],
        errorMessage: 'is required for a netfs pool',
        properties: {
          source: {
            required: ['host', 'dir'],
            errorMessage: 'is required for a netfs pool',
            properties: { format: formatIn(NETFS_FORMATS) },
          },
        },
      }),
      when('type', 'logical', {
        required: ['source'],
        errorMessage: 'is required for a logical pool',
        properties: {
          source: {
            required: ['name'],
            errorMessage: 'is required for a logical pool (the volume group)',
            properties: { format: formatIn(LOGICAL_FORMATS) },
          },
        },
      }),
      when('type', 'iscsi', {
        required: ['source'],
        errorMessage: 'is required for an iscsi pool',
        properties: { source: { required: ['host', 'iqn'], errorMessage: 'is required for an iscsi pool' } },
      }),
      when('type', 'iscsi-direct', {
        required: ['source'],
        errorMessage: 'is required for an iscsi-direct pool',
        properties: { source: { required: ['host', 'iqn', 'initiatorIqn'], errorMessage: 'is required for an iscsi-direct pool' } },
      }),
      when('type', 'disk', {
        required: ['source'],
        errorMessage: 'is required for a disk pool',
        properties: {
          source: { required: ['devices'], errorMessage: 'is required for a disk pool', properties: { format: formatIn(DISK_LABELS) } },
        },
      }),
      when('type', 'scsi', {
        required: ['source'],
        errorMessage: 'is required for a scsi pool',
        properties: { source: { required: ['adapter'], errorMessage: 'is required for a scsi pool' } },
      }),
      when('type', 'mpath', { properties: { source: forbidden('is not used by an mpath pool (it takes every multipath device)') } }),
      when('type', ['rbd', 'gluster'], {
        required: ['source'],
        errorMessage: 'is required for this pool type',
        properties: { source: { required: ['name', 'host'], errorMessage: 'is required for this pool type' } },
      }),
      when('type', 'sheepdog', {
        required: ['source'],
        errorMessage: 'is required for a sheepdog pool',
        properties: { source: { required: ['host'], errorMessage: 'is required for a sheepdog pool' } },
      }),
      when('type', ['zfs', 'vstorage'], {
        required: ['source'],
        errorMessage: 'is required for this pool type',
        properties: { source: { required: ['name'], errorMessage: 'is required for this pool type (the zpool or cluster)' } },
      }),
      when('type', 'vstorage', { required: ['path'], errorMessage: 'is required for a vstorage pool (the mount point)' }),
      when('type', NO_TARGET_TYPES, {
        properties: { path: forbidden('is not used by this pool type: libvirt reaches the storage itself and drops a target path') },
      }),
      {
        if: { not: { properties: { type: { const: 'scsi' } } } },
        then: { properties: { source: { properties: { adapter: forbidden('is only for a scsi pool') } } } },
      },
    ],
  },
);

export type StoragePoolSpec = Static<typeof storagePoolSpecSchema>;
export type StoragePoolSource = NonNullable<StoragePoolSpec['source']>;
/** scsi: the host adapter, by SCSI host name (scsi_host) or by Fibre Channel WWNs (fc_host, a vHBA). */
export type StoragePoolAdapter = NonNullable<StoragePoolSource['adapter']>;

/** A StoragePool manifest: the envelope around this spec. */
export type StoragePoolManifest = Manifest<'StoragePool', StoragePoolSpec>;
