// StorageVolumeSpec → <volume> XML for virStorageVolCreateXML(From). Sizes are written in bytes
// so nothing depends on libvirt's unit parsing. The volume's key and path are the host's and are
// never written. A backing volume reference becomes its host path (see resolve.ts).
import type { StorageVolumeManifest } from './schema.js';
import { parseSize } from '../../manifests/units.js';
import type { PlanContext } from '../types.js';
import { applyXmlOverlay, el, textEl, toXmlString, type XmlElement } from '../xml.js';
import { secretRefAttrs, secretUsageRef } from '../secret/usage.js';
import { referencedCapacity, resolveVolume } from './resolve.js';

/** The backing file path the manifest asks for, or undefined without a backing store. */
export function desiredBackingPath(manifest: StorageVolumeManifest, ctx: PlanContext): string | undefined {
  const b = manifest.spec.backingStore;
  if (!b) return undefined;
  if (b.path) return b.path;
  return b.volume ? resolveVolume(b.volume, manifest.spec.pool, ctx).path : undefined;
}

/** Bytes the volume is created with: its own capacity, or for a clone without one, its source's. */
export function desiredCapacity(manifest: StorageVolumeManifest, ctx: PlanContext): number | undefined {
  const spec = manifest.spec;
  if (spec.capacity !== undefined) return parseSize(spec.capacity);
  return spec.cloneFrom ? referencedCapacity(spec.cloneFrom, spec.pool, ctx) : undefined;
}

/** How libvirt finds the volume's LUKS passphrase: "usage:<its Secret's volume usage>". */
export function desiredEncryptionSecret(manifest: StorageVolumeManifest, ctx: PlanContext): string | undefined {
  const secret = manifest.spec.encryption?.secret;
  return secret === undefined ? undefined : secretUsageRef(ctx.desired, secret, 'volume');
}

function encryptionElement(manifest: StorageVolumeManifest, ctx: PlanContext): XmlElement | undefined {
  const usage = desiredEncryptionSecret(manifest, ctx);
  // libvirt formats the new volume with qemu-img, reading the passphrase from that secret.
  return usage === undefined
    ? undefined
    : el('encryption', { format: 'luks' }, el('secret', { type: 'passphrase', ...secretRefAttrs(usage) }));
}

export function volumeToXml(manifest: StorageVolumeManifest, ctx: PlanContext): string {
  const spec = manifest.spec;
  const capacity = desiredCapacity(manifest, ctx);
  const backingPath = desiredBackingPath(manifest, ctx);
  const root = el(
    'volume',
    {},
    textEl('name', manifest.metadata.name),
    textEl('capacity', capacity, { unit: 'bytes' }),
    spec.allocation !== undefined ? textEl('allocation', parseSize(spec.allocation), { unit: 'bytes' }) : undefined,
    el('target', {}, spec.format ? el('format', { type: spec.format }) : undefined, encryptionElement(manifest, ctx)),
    backingPath
      ? el(
          'backingStore',
          {},
          textEl('path', backingPath),
          spec.backingStore?.format ? el('format', { type: spec.backingStore.format }) : undefined,
        )
      : undefined,
  );
  return toXmlString(applyXmlOverlay(root, spec.xml?.merge));
}
