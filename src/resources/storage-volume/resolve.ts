// Host paths of volumes referred to by backingStore/cloneFrom. A volume's path is the host's
// (libvirt derives it from the pool), so it is read from the live volume's XML (target/path).
// When the referenced volume does not exist yet (it is created earlier in the same plan), the
// path is predicted as <pool target path>/<volume name> — exact for dir, fs and netfs pools,
// which are the pools that hold file-backed qcow2 overlays; the pool's path comes from the live
// pool when it exists, else from its manifest.
import type { VolumeRef } from './schema.js';
import { kindKey } from '../../manifests/keys.js';
import { volumeKey } from './key.js';
import type { LiveResource, PlanContext } from '../types.js';
import { find, parseXml, text } from '../xml.js';
import { defaultTargetPath } from '../storage-pool/to-xml.js';
import { scaledToBytes } from '../common/scaled.js';
import { parseSize } from '../../manifests/units.js';

export interface ResolvedVolume {
  path: string;
  /** False when the path is a prediction for a volume this plan creates. */
  exists: boolean;
}

export function refKey(ref: VolumeRef, ownPool: string): string {
  return volumeKey(ref.pool ?? ownPool, ref.name);
}

export function liveVolumePath(xml: string | undefined): string | undefined {
  return xml ? text(find(parseXml(xml), 'target', 'path')) || undefined : undefined;
}

function poolPath(pool: string, ctx: PlanContext): string | undefined {
  const live = ctx.live.get(kindKey('StoragePool', pool));
  const livePath = live?.kind === 'StoragePool' ? (live as LiveResource<'StoragePool'>).spec.path : undefined;
  if (livePath) return livePath;
  const desired = ctx.desired.byKey.get(kindKey('StoragePool', pool))?.manifest;
  return desired?.kind === 'StoragePool' ? defaultTargetPath(desired.spec) : undefined;
}

export class VolumeReferenceError extends Error {
  override name = 'VolumeReferenceError';
}

export function resolveVolume(ref: VolumeRef, ownPool: string, ctx: PlanContext): ResolvedVolume {
  const pool = ref.pool ?? ownPool;
  const live = ctx.live.get(volumeKey(pool, ref.name));
  const livePath = liveVolumePath(live?.xml);
  if (livePath) return { path: livePath, exists: true };
  const base = poolPath(pool, ctx);
  if (!base)
    throw new VolumeReferenceError(`cannot tell the path of volume ${pool}/${ref.name}: pool ${pool} is neither live nor in the manifests`);
  return { path: `${base.replace(/\/+$/, '')}/${ref.name}`, exists: false };
}

/** Capacity in bytes of a referenced volume: live first, else its manifest (clones need one). */
export function referencedCapacity(ref: VolumeRef, ownPool: string, ctx: PlanContext): number | undefined {
  const key = volumeKey(ref.pool ?? ownPool, ref.name);
  const liveXml = ctx.live.get(key)?.xml;
  if (liveXml) {
    const cap = find(parseXml(liveXml), 'capacity');
    const bytes = scaledToBytes(text(cap), cap?.attrs.unit);
    if (bytes !== undefined) return bytes;
  }
  const desired = ctx.desired.byKey.get(key)?.manifest;
  if (desired?.kind === 'StorageVolume' && desired.spec.capacity !== undefined) return parseSize(desired.spec.capacity);
  return undefined;
}
