// A StoragePool's rules a JSON Schema cannot express. Pure.
import type { StoragePoolManifest, StoragePoolSpec } from './schema.js';
import type { CheckIssue } from '../contract.js';
import { prefixed } from '../common/checks.js';

export function checkPool(m: StoragePoolManifest): CheckIssue[] {
  return checkPoolSpec(m.spec).map(prefixed(['spec']));
}

/** netfs formats whose source is a share or volume name, which libvirt takes relative (storagepool.rng). */
const NAMED_SHARE_FORMATS: ReadonlySet<string> = new Set(['cifs', 'glusterfs']);

function checkPoolSpec(spec: StoragePoolSpec): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const devices = spec.source?.devices;
  if ((spec.type === 'fs' || spec.type === 'disk') && devices && devices.length !== 1)
    issues.push({ path: ['source', 'devices'], message: `a ${spec.type} pool uses exactly one device` });
  const dir = spec.source?.dir;
  const shareName = spec.type === 'netfs' && NAMED_SHARE_FORMATS.has(spec.source?.format ?? '');
  if (dir !== undefined && !dir.startsWith('/') && !shareName)
    issues.push({
      path: ['source', 'dir'],
      message: 'must be an absolute path (starting with /); only a netfs pool of format cifs or glusterfs names its share relatively',
    });
  return issues;
}
