// The StorageVolume spec: its JSON Schema fragment and the types derived from it (the one source
// of both; ../../manifests/schema/kinds.ts wraps it in the manifest envelope).
import type { Manifest } from '../../manifests/types.js';
import type { CloudInitSecretRef } from '../domain/schema.js';
import { absPath, arr, atMostOne, enumOf, exactlyOne, name, obj, size, str, xmlOverlay, type Static } from '../../manifests/schema/dsl.js';

/**
 * Every format libvirt 9.0 knows for a file volume (its virStorageFileFormat, measured: vhdx,
 * luks and parallels are refused).
 */
export const VOLUME_FORMATS = [
  'raw',
  'dir',
  'bochs',
  'cloop',
  'dmg',
  'iso',
  'vpc',
  'vdi',
  'fat',
  'vhd',
  'ploop',
  'cow',
  'qcow',
  'qcow2',
  'qed',
  'vmdk',
] as const;
export type VolumeFormat = (typeof VOLUME_FORMATS)[number];

/** Image formats QEMU opens as a disk (a driver type): what a disk or a backing image may be. */
export const DISK_FORMATS = ['raw', 'qcow2', 'qcow', 'qed', 'vmdk', 'vdi', 'vpc', 'cloop', 'dmg', 'bochs'] as const;
export type DiskFormat = (typeof DISK_FORMATS)[number];

/** Formats that can sit on a backing image (libvirt's storageFormatBacking, less cow which QEMU dropped). */
export const BACKING_CAPABLE_FORMATS: readonly VolumeFormat[] = ['qcow2', 'qcow', 'qed', 'vmdk'];

/**
 * A volume's name, as libvirt takes it: any characters but "/" (it names a file in its pool's
 * directory), so names such as "disk <old>.img" that other tools made can be exported and
 * managed. "." and ".." are refused (they name the directory itself or its parent), and so are
 * control characters (they cannot stand in a file name a user reads).
 */
export const VOLUME_NAME_PATTERN = '^(?!\\.\\.?$)[^/\\u0000-\\u001f\\u007f]{1,255}$';
export const VOLUME_NAME_MESSAGE = 'must be 1-255 characters without "/" or control characters, and not "." or ".."';

export function volumeName(description: string) {
  return str(description, { pattern: VOLUME_NAME_PATTERN, errorMessage: VOLUME_NAME_MESSAGE });
}

const volumeRef = (description: string) =>
  obj(
    description,
    {
      pool: name("StoragePool manifest; default: this volume's pool."),
      name: volumeName('StorageVolume manifest name.'),
    },
    ['name'],
  );

export const storageVolumeSpecSchema = obj(
  'A volume (disk image) in a pool. Its identity is pool/name.',
  {
    pool: name('Name of the StoragePool manifest that holds the volume.'),
    capacity: size('Virtual size of the volume. Required unless cloneFrom.'),
    allocation: size('Space allocated up front; default: sparse (libvirt decides).'),
    format: enumOf(
      'Image format, any libvirt 9.0 knows for a file volume; default raw. A volume with a backing store must be qcow2, qcow, qed or vmdk.',
      VOLUME_FORMATS,
    ),
    backingStore: obj(
      'Copy-on-write base image: this volume only stores differences.',
      {
        volume: volumeRef('A StorageVolume manifest to use as base.'),
        path: absPath('Host path of the base image.'),
        format: enumOf("Format of the base image; default: the base volume's format. Set it when using path.", DISK_FORMATS),
      },
      [],
      { allOf: [exactlyOne(['volume', 'path'], 'set exactly one of volume or path')] },
    ),
    cloneFrom: volumeRef('Create the volume as a full copy of another StorageVolume manifest.'),
    encryption: obj(
      'LUKS encryption (format raw): libvirt formats the volume with the passphrase from a Secret with usage volume; domains using the volume get the same encryption.',
      {
        format: enumOf('luks (the only format libvirt creates).', ['luks'], { default: 'luks' }),
        secret: name('Name of a Secret manifest with usage volume.'),
      },
      ['secret'],
    ),
    source: obj(
      'Content uploaded when the volume is created (never re-uploaded afterwards).',
      {
        path: absPath('Image file on the machine running virtkeeper.'),
        url: str('http(s) URL to download the image from.', {
          pattern: '^https?://[^\\s]+$',
          maxLength: 4096,
          errorMessage: 'must be an http:// or https:// URL',
        }),
        sha256: str('Expected SHA-256 of the content (hex); the upload is rejected on mismatch.', {
          pattern: '^[0-9a-fA-F]{64}$',
          errorMessage: 'must be 64 hex digits',
        }),
        headers: arr(
          'Request headers for url whose values are the values of Secret manifests (a token: "Bearer …", "Basic …"); sent only to the URL\'s own origin, never after a redirect to another.',
          obj(
            'A header and the Secret holding its value.',
            {
              name: str('Header name, e.g. Authorization or PRIVATE-TOKEN.', {
                pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$",
                errorMessage: 'must be an HTTP header name',
              }),
              secret: name('Name of a Secret manifest; it needs no usage when it only holds this value.'),
            },
            ['name', 'secret'],
          ),
          { maxItems: 8 },
        ),
      },
      [],
      {
        allOf: [
          exactlyOne(['path', 'url'], 'set exactly one of path or url'),
          { if: { required: ['headers'] }, then: { required: ['url'], errorMessage: 'headers go with url: a local path needs none' } },
        ],
      },
    ),
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

/** Reference to a StorageVolume manifest; `pool` defaults to the referring volume's own pool. */
export type VolumeRef = Static<ReturnType<typeof volumeRef>>;

type SchemaVolumeSpec = Static<typeof storageVolumeSpecSchema>;

/** Content uploaded at creation: exactly one of path (on the machine running virtkeeper) or url (http/https). */
export type StorageVolumeSource = NonNullable<SchemaVolumeSpec['source']> & {
  /**
   * Not in the schema (so no manifest can set it): set only on the volume virtkeeper derives from
   * a Domain's cloudInit. The content is the NoCloud ISO of these files (built where virtkeeper
   * runs, deterministically), and `sha256` is the image's.
   */
  seed?: SeedImageSource;
};

/** A volume (disk image) in a pool; identity is pool/name. */
export type StorageVolumeSpec = Omit<SchemaVolumeSpec, 'source'> & { source?: StorageVolumeSource };

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

/** A StorageVolume manifest: the envelope around this spec. */
export type StorageVolumeManifest = Manifest<'StorageVolume', StorageVolumeSpec>;
