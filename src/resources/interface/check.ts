// An Interface's rules a JSON Schema cannot express. Pure.
import type { InterfaceManifest, InterfaceSpec } from './schema.js';
import type { CheckIssue } from '../contract.js';
import { prefixed } from '../common/checks.js';

export function checkInterface(m: InterfaceManifest): CheckIssue[] {
  return checkInterfaceSpec(m.metadata.name, m.spec).map(prefixed(['spec']));
}

function checkInterfaceSpec(name: string, spec: InterfaceSpec): CheckIssue[] {
  const issues: CheckIssue[] = [];
  if (spec.members?.includes(name)) issues.push({ path: ['members'], message: 'an interface cannot be its own member' });
  if (spec.vlan?.parent === name) issues.push({ path: ['vlan', 'parent'], message: 'an interface cannot be its own parent' });
  // The kernel keeps the forward delay in hundredths of a second: a finer value would be written
  // as given but read back rounded, a change that never settles.
  const delay = spec.bridge?.delay;
  if (delay !== undefined && Math.abs(delay * 100 - Math.round(delay * 100)) > 1e-9)
    issues.push({ path: ['bridge', 'delay'], message: 'must have at most two decimals (the kernel counts hundredths of a second)' });
  return issues;
}
