// A StorageVolume's rules a JSON Schema cannot express (sizes, backing formats, self references, URLs). Pure.
import { BACKING_CAPABLE_FORMATS, type StorageVolumeManifest, type StorageVolumeSpec } from './schema.js';
import { hasUserinfo } from '../../manifests/redact-url.js';
import type { CheckIssue } from '../contract.js';
import { prefixed, size } from '../common/checks.js';

export function checkVolume(m: StorageVolumeManifest): CheckIssue[] {
  return checkVolumeSpec(m.metadata.name, m.spec).map(prefixed(['spec']));
}

// The message never repeats the URL: it would print the password it warns about.
const USERINFO_MESSAGE =
  "must not carry a user name or password (user:pass@): they would be sent in clear and shown in plans, errors and logs, and Node's fetch refuses them anyway; " +
  'remove them and give the credentials as a header from a Secret: headers: [{name: Authorization, secret: NAME}] (the Secret\'s value "Basic <base64 of user:pass>" or "Bearer <token>")';

/**
 * Storage allocates in blocks and extents (4KiB filesystem blocks, 1MiB qemu-img alignment, 4MiB
 * LVM extents), so a volume read back or exported can report a little more allocation than
 * capacity; libvirt takes that. More than such a rounding is a mistake.
 */
const ALLOCATION_ROUNDING = 4 * 1024 * 1024;

function roundUp(bytes: number, unit: number): number {
  return Math.ceil(bytes / unit) * unit;
}

function checkVolumeSpec(name: string, spec: StorageVolumeSpec): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const capacity = size(['capacity'], spec.capacity, issues);
  const allocation = size(['allocation'], spec.allocation, issues);
  if (capacity !== undefined && allocation !== undefined && allocation > roundUp(capacity, ALLOCATION_ROUNDING))
    issues.push({ path: ['allocation'], message: 'must not be more than capacity (beyond rounding it up to whole 4MiB extents)' });
  if (spec.backingStore && !BACKING_CAPABLE_FORMATS.includes(spec.format ?? 'raw'))
    issues.push({
      path: spec.format ? ['format'] : ['backingStore'],
      message: `a volume with a backing store must have format ${BACKING_CAPABLE_FORMATS.join(', ')}`,
    });
  const self = (ref: { pool?: string; name: string } | undefined) => ref && ref.name === name && (ref.pool ?? spec.pool) === spec.pool;
  if (self(spec.backingStore?.volume))
    issues.push({ path: ['backingStore', 'volume'], message: 'a volume cannot be its own backing store' });
  if (self(spec.cloneFrom)) issues.push({ path: ['cloneFrom'], message: 'a volume cannot be cloned from itself' });
  if (spec.source?.url !== undefined && hasUserinfo(spec.source.url)) issues.push({ path: ['source', 'url'], message: USERINFO_MESSAGE });
  return issues;
}
