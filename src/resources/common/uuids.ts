// UUIDs two manifests of one kind must not share. Pure.
import type { Candidate, CrossIssue, KindDocument } from '../contract.js';

/** UUIDs compare as 32 hex digits: libvirt reads them with or without dashes, in any case. */
const normUuid = (u: string): string => u.replace(/-/g, '').toLowerCase();

/** libvirt refuses a second object of a kind (domain, secret) with a UUID another one already has; each driver has its own UUID space. */
export function duplicateUuids<M extends KindDocument & { spec: { uuid?: string } }>(
  candidates: ReadonlyArray<Candidate<M>>,
): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const seen = new Map<string, string>();
  for (const c of candidates) {
    const m = c.manifest;
    if (m.spec.uuid === undefined) continue;
    const key = normUuid(m.spec.uuid);
    const prev = seen.get(key);
    if (prev) issues.push({ candidate: c, path: ['spec', 'uuid'], message: `is already used by ${m.kind} "${prev}"` });
    else seen.set(key, m.metadata.name);
  }
  return issues;
}
