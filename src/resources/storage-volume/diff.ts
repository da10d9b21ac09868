// Desired vs live StorageVolumeSpec. Growing a volume is a live resize; a smaller capacity is
// refused (volumes are never shrunk: the guest's filesystem would be cut). Format and backing
// store can only change by recreating the volume, which loses its data: replace. allocation,
// cloneFrom and source only shape the volume at creation and are not compared afterwards
// (allocation grows on its own as a sparse volume fills).
import type { StorageVolumeManifest } from './schema.js';
import { parseSize } from '../../manifests/units.js';
import type { FieldChange, LiveResource, PlanContext } from '../types.js';
import { FieldDiff } from '../common/field-diff.js';
import { overlayDrift } from '../common/overlay-diff.js';

const VOLATILE = ['target/permissions/owner', 'target/permissions/group', 'target/permissions/label'];
import { desiredBackingPath, desiredEncryptionSecret } from './to-xml.js';

export interface VolumeDiff {
  changes: FieldChange[];
  /** New capacity in bytes when the volume grows. */
  growTo?: number;
  /** Set when the manifest asks for a smaller volume. */
  shrink?: { from: number; to: number };
}

const normPath = (p: string): string => p.replace(/\/+/g, '/');

export function diffVolume(manifest: StorageVolumeManifest, live: LiveResource<'StorageVolume'>, ctx: PlanContext): VolumeDiff {
  const want = manifest.spec;
  const have = live.spec;
  const diff = new FieldDiff();
  const out: VolumeDiff = { changes: diff.changes };
  if (want.capacity !== undefined && have.capacity !== undefined) {
    const to = parseSize(want.capacity);
    const from = parseSize(have.capacity);
    if (to > from) out.growTo = to;
    if (to < from) out.shrink = { from, to };
    if (to !== from) diff.add({ path: 'spec.capacity', before: have.capacity, after: want.capacity, class: 'live' });
  }
  diff.field('spec.format', want.format, have.format, 'replace');
  if (want.backingStore) {
    diff.field('spec.backingStore.path', desiredBackingPath(manifest, ctx), have.backingStore?.path, 'replace', normPath);
    diff.field('spec.backingStore.format', want.backingStore.format, have.backingStore?.format, 'replace');
  }
  if (want.encryption) {
    // Encrypting, decrypting or re-keying rewrites every byte: only by recreating the volume.
    diff.field('spec.encryption.secret', desiredEncryptionSecret(manifest, ctx), have.encryption?.secret, 'replace');
  }
  // A guest's image changes owner (and label) while the guest runs, by libvirt's
  // dynamic_ownership: the owner an exported merge carries is not compared.
  if (overlayDrift(want.xml?.merge, live.xml, VOLATILE).length) {
    diff.add({ path: 'spec.xml.merge', after: want.xml?.merge, class: 'replace' });
  }
  return out;
}
