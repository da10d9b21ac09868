// What a Domain's spec.cloudInit becomes in the desired state: a StorageVolume holding the
// NoCloud seed ISO and a read-only cdrom disk on the domain that reads it. Pure: the loader calls
// deriveSeed after fromFile was resolved, and the volume kind rebuilds the same image from the
// files at upload time (buildSeedImage), so the plan carries text, not an image, and what it shows
// is what is uploaded.
//
// The volume is named by the image's digest ("web-1-cidata-<12 hex>.iso"): a new seed is a new
// volume, and the domain's cdrom changes medium from the old one to the new one — the same media
// change as any cdrom (live on a running guest). The volume it replaced is deleted by the plan once
// nothing refers to it (see isSupersededSeed): it holds nothing but what the manifests say.
import { createHash } from 'node:crypto';
import { buildIso } from '../iso/index.js';
import { kindKey } from '../manifests/keys.js';
import type { DomainDisk, DomainManifest } from '../resources/domain/schema.js';
import type { SeedImageSource, StorageVolumeManifest } from '../resources/storage-volume/schema.js';
import { ANNOTATION_PRUNE, API_VERSION, type AnyManifest, type DesiredState } from '../manifests/types.js';
import { NOCLOUD_LABEL, NoCloudInputError, renderNoCloud } from './nocloud.js';
import { checkSecretRefs, seedGrowthBound } from './seed-secrets.js';

/** Every timestamp of a seed image: fixed, so the same files always give the same bytes and digest. */
export const SEED_IMAGE_DATE = new Date('2000-01-01T00:00:00Z');

/** Marks the volume virtkeeper derived from a Domain's cloudInit (value: the domain's name). */
export const ANNOTATION_SEED_OF = 'virtkeeper.io/cloud-init-seed-of';

export interface DerivedSeed {
  /** The domain with the seed's cdrom appended to spec.disks. */
  domain: DomainManifest;
  volume: StorageVolumeManifest;
  instanceId: string;
  /** SHA-256 of the image, hex. */
  sha256: string;
  imageBytes: number;
}

export function buildSeedImage(files: SeedImageSource['files']): Uint8Array {
  return buildSeedImageOf(files.map((f) => ({ name: f.name, data: Buffer.from(f.text, 'utf8') })));
}

/** The image of files given as bytes (with Secret values put in: see seed-secrets.ts). */
export function buildSeedImageOf(files: ReadonlyArray<{ name: string; data: Uint8Array }>): Uint8Array {
  return buildIso({ volumeId: NOCLOUD_LABEL, files: files.map((f) => ({ name: f.name, data: f.data })), date: SEED_IMAGE_DATE });
}

export function seedVolumeName(domain: string, sha256: string): string {
  return `${domain}-cidata-${sha256.slice(0, 12)}.iso`;
}

/** "<domain>-cidata-<12 hex>.iso": what seedVolumeName makes. */
const SEED_VOLUME = /^(.+)-cidata-[0-9a-f]{12}\.iso$/;

/** True when `volume` is named like a seed of `domain` (any digest). */
export function isSeedVolumeName(volume: string, domain: string): boolean {
  return SEED_VOLUME.exec(volume)?.[1] === domain;
}

/**
 * Throws NoCloudInputError (field relative to cloudInit) when the seed cannot be made. Expects
 * spec.cloudInit with every fromFile already replaced by the file's text.
 */
export function deriveSeed(manifest: DomainManifest): DerivedSeed {
  const spec = manifest.spec;
  const ci = spec.cloudInit;
  if (!ci) throw new Error('deriveSeed: the domain has no cloudInit');
  const name = manifest.metadata.name;
  const seed = renderNoCloud({
    domainName: name,
    ...(ci.userData !== undefined ? { userData: resolvedDocument('userData', ci.userData) } : {}),
    ...(ci.metaData !== undefined ? { metaData: ci.metaData } : {}),
    ...(ci.networkConfig !== undefined ? { networkConfig: resolvedDocument('networkConfig', ci.networkConfig) } : {}),
    ...(ci.vendorData !== undefined ? { vendorData: resolvedDocument('vendorData', ci.vendorData) } : {}),
    ...(ci.instanceIdFrom !== undefined ? { instanceIdFrom: ci.instanceIdFrom } : {}),
    ...(ci.sshAuthorizedKeys !== undefined ? { sshAuthorizedKeys: ci.sshAuthorizedKeys.map((k) => resolvedKey(k)) } : {}),
  });
  const files = seed.files.map((f) => ({ name: f.name, text: Buffer.from(f.data).toString('utf8') }));
  const secretRefs = ci.secretRefs ?? [];
  checkSecretRefs(files, secretRefs);
  const image = buildSeedImage(files);
  const sha256 = createHash('sha256').update(image).digest('hex');
  const pool = ci.pool ?? spec.disks?.find((d) => d.volume)?.volume?.pool;
  if (!pool)
    throw new NoCloudInputError(
      'pool',
      'is not set and no disk has a volume to take the pool from; name the StoragePool the seed volume goes into',
    );
  const volumeName = seedVolumeName(name, sha256);
  const { target, bus } = cdromPlace(manifest);
  // format raw: libvirt's dir pools report an ISO volume's format as iso, which is no disk driver type.
  const disk: DomainDisk = { device: 'cdrom', volume: { pool, name: volumeName }, target, bus, format: 'raw', readonly: true };
  const pruneDisabled = manifest.metadata.annotations?.[ANNOTATION_PRUNE];
  const volume: StorageVolumeManifest = {
    apiVersion: API_VERSION,
    kind: 'StorageVolume',
    metadata: {
      name: volumeName,
      annotations: { [ANNOTATION_SEED_OF]: name, ...(pruneDisabled ? { [ANNOTATION_PRUNE]: pruneDisabled } : {}) },
    },
    // An ISO is a whole number of 2048-byte sectors, so its size is exact in KiB; with Secret values
    // the image apply writes can be larger than this one of the placeholders, by at most the bound.
    spec: {
      pool,
      capacity: `${(image.length + seedGrowthBound(files, secretRefs)) / 1024}KiB`,
      format: 'iso',
      source: {
        sha256,
        seed: {
          domain: name,
          instanceId: seed.instanceId,
          files,
          ...(secretRefs.length > 0 ? { secretRefs: secretRefs.map((r) => ({ ...r })) } : {}),
        },
      },
    },
  };
  // The domain as libvirt will hold it: the seed is its cdrom, cloudInit itself is not compared.
  const { cloudInit: _seedInput, ...asDefined } = spec;
  return {
    domain: { ...manifest, spec: { ...asDefined, disks: [...(spec.disks ?? []), disk] } },
    volume,
    instanceId: seed.instanceId,
    sha256,
    imageBytes: image.length,
  };
}

function resolvedDocument(
  field: string,
  doc: NonNullable<NonNullable<DomainManifest['spec']['cloudInit']>['userData']>,
): string | Record<string, unknown> {
  if (typeof doc === 'object' && 'fromFile' in doc && Object.keys(doc).length === 1) {
    // The loader replaces every fromFile before this runs; one left here is a caller's bug.
    throw new NoCloudInputError(`${field}.fromFile`, 'was not read by the loader');
  }
  return doc;
}

function resolvedKey(key: string | { fromFile: string }): string {
  if (typeof key !== 'string') throw new NoCloudInputError('sshAuthorizedKeys', 'a fromFile was not read by the loader');
  return key;
}

const IDE_TARGETS = ['hda', 'hdb', 'hdc', 'hdd'];

/**
 * The seed cdrom's target and bus. libvirt's default machine on x86 (pc, i440fx) has IDE, where
 * a cdrom needs no controller the guest lacks; q35 has none, so there it goes on SATA.
 */
function cdromPlace(manifest: DomainManifest): { target: string; bus: NonNullable<DomainDisk['bus']> } {
  const ci = manifest.spec.cloudInit!;
  const taken = new Set((manifest.spec.disks ?? []).map((d) => d.target));
  const q35 = /q35/.test(manifest.spec.os?.machine ?? '');
  const bus = ci.bus ?? (ci.target?.startsWith('hd') || (!ci.target && !q35) ? 'ide' : 'sata');
  if (ci.target) {
    if (taken.has(ci.target))
      throw new NoCloudInputError('target', `${ci.target} is already a disk of this domain; choose a free device name`);
    return { target: ci.target, bus };
  }
  const candidates = bus === 'ide' ? IDE_TARGETS : Array.from({ length: 26 }, (_, i) => `sd${String.fromCharCode(97 + i)}`);
  const free = candidates.find((t) => !taken.has(t));
  if (!free) throw new NoCloudInputError('target', `every ${bus} device name is taken by this domain's disks; set cloudInit.target`);
  return { target: free, bus };
}

/**
 * True for a recorded volume that an earlier seed of a still-declared domain left behind: virtkeeper
 * created it (not adopted), it is named like a seed, and the domain it was made for still has a
 * seed cdrom (whose volume is another, since this one is no longer desired). Such a
 * volume holds nothing but a rendering of the manifests, so the plan deletes it without --prune.
 */
export function isSupersededSeed(entry: { kind: string; name: string; origin: 'created' | 'adopted' }, desired: DesiredState): boolean {
  return entry.kind === 'StorageVolume' && entry.origin === 'created' && isSeedOfDeclaredDomain(entry.name, desired);
}

/** `volume` is named like a seed of a declared domain that has a seed cdrom. */
function isSeedOfDeclaredDomain(volume: string, desired: DesiredState): boolean {
  const domain = SEED_VOLUME.exec(volume)?.[1];
  const declared = domain === undefined ? undefined : desired.byKey.get(kindKey('Domain', domain))?.manifest;
  return (
    declared?.kind === 'Domain' &&
    (declared.spec.disks ?? []).some((d) => d.device === 'cdrom' && d.volume !== undefined && isSeedVolumeName(d.volume.name, domain!))
  );
}

/** A StorageVolume deriveSeed made (not one the user wrote). */
export function isSeedVolume(manifest: AnyManifest): boolean {
  return manifest.kind === 'StorageVolume' && manifest.spec.source?.seed !== undefined;
}
