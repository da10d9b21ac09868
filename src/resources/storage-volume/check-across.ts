// Volumes whose backing chains or clone sources loop. Pure.
import type { FieldPath } from '../../manifests/paths.js';
import type { StorageVolumeManifest } from './schema.js';
import type { IdentityKey } from '../../manifests/types.js';
import type { Candidate, CrossFindings, CrossIssue, CrossScope } from '../contract.js';
import { VOLUME_KIND, volumeKey } from './key.js';

export function checkVolumesAcross({ mine }: CrossScope<StorageVolumeManifest>): CrossFindings {
  return { errors: volumeCycles(mine), warnings: [] };
}

/** A volume whose backing chain or clone source leads back to itself can never be created. */
function volumeCycles(candidates: ReadonlyArray<Candidate<StorageVolumeManifest>>): CrossIssue[] {
  const next = new Map<IdentityKey, { key: IdentityKey; candidate: Candidate<StorageVolumeManifest>; path: FieldPath }>();
  for (const c of candidates) {
    const s = c.manifest.spec;
    const ref = s.backingStore?.volume ?? s.cloneFrom;
    if (!ref) continue;
    const path: FieldPath = s.backingStore?.volume ? ['spec', 'backingStore', 'volume'] : ['spec', 'cloneFrom'];
    next.set(volumeKey(s.pool, c.manifest.metadata.name), { key: volumeKey(ref.pool ?? s.pool, ref.name), candidate: c, path });
  }
  const issues: CrossIssue[] = [];
  const reported = new Set<IdentityKey>();
  for (const startKey of next.keys()) {
    const chain: IdentityKey[] = [];
    let k: IdentityKey | undefined = startKey;
    while (k !== undefined && next.has(k) && !chain.includes(k)) {
      chain.push(k);
      k = next.get(k)!.key;
    }
    // A self-reference is check.ts's business; report longer loops once, on their first member.
    if (k === startKey && chain.length > 1 && !chain.some((c) => reported.has(c))) {
      chain.forEach((c) => reported.add(c));
      const edge = next.get(startKey)!;
      const names = [...chain, startKey].map((c) => c.slice(VOLUME_KIND.length + 1));
      issues.push({ candidate: edge.candidate, path: edge.path, message: `volumes refer to each other in a loop: ${names.join(' → ')}` });
    }
  }
  return issues;
}
