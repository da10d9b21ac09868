// Graphics passwords from Secret manifests. A plan never holds one: the generated XML carries a
// placeholder naming the Secret, the define step says where each value is read, and apply puts
// the value in just before virDomainDefineXML (live.ts). Whether a value changed is told like a
// Secret's, by a salted digest kept per domain and Secret (resources/secret/digest.ts). Pure.
import type { DesiredState, DomainSpec, IdentityKey } from '../../manifests/types.js';
import type { NamedValueSource } from '../secret/named-source.js';
import { namedValueSources } from '../secret/named-source.js';
import type { FieldChange, PlanContext } from '../types.js';

/** Where a password is read: the Secret's value source, and its name for the digest. */
export type PasswordSource = NamedValueSource;

const PLACEHOLDER_PREFIX = 'virtkeeper-secret:';

/** What the generated XML holds where the password goes. */
export function passwordPlaceholder(secret: string): string {
  return `${PLACEHOLDER_PREFIX}${secret}`;
}

/** The attribute text toXmlString writes for a placeholder, for apply to replace. */
export function placeholderAttribute(secret: string): string {
  return `passwd="${passwordPlaceholder(secret)}"`;
}

/** Key of the digest of `secret`'s value as set in `domainKey`'s graphics. */
export function passwordDigestKey(domainKey: IdentityKey, secret: string): IdentityKey {
  return `${domainKey}#password:${secret}`;
}

/** Where each password of the spec's graphics is read: from the Secret manifests it names. */
export function passwordSources(spec: DomainSpec, desired: DesiredState | undefined): PasswordSource[] {
  return namedValueSources((spec.graphics ?? []).flatMap((g) => (g.passwordFrom ? [g.passwordFrom.secret] : [])), desired, 'graphics passwordFrom');
}

/** The graphics whose password must be set again: its value changed, or none is recorded as set. */
export function passwordChanges(domainKey: IdentityKey, spec: DomainSpec, ctx: PlanContext): FieldChange[] {
  const out: FieldChange[] = [];
  (spec.graphics ?? []).forEach((g, i) => {
    if (!g.passwordFrom) return;
    const state = ctx.secretValues?.get(passwordDigestKey(domainKey, g.passwordFrom.secret));
    if (state?.state === 'changed') out.push({ path: `spec.graphics[${i}].password`, before: '(sensitive)', after: '(sensitive, changed)', class: 'redefine' });
    else if (state?.state === 'unrecorded') {
      out.push({ path: `spec.graphics[${i}].password`, after: '(sensitive)', class: 'redefine', reason: 'no digest of the password is recorded, so apply sets it' });
    }
  });
  return out;
}
