// Graphics passwords from Secret manifests. A plan never holds one: the generated XML carries a
// placeholder naming the Secret, the define step says where each value is read, and apply puts
// the value in just before virDomainDefineXML (live.ts). Whether a value changed is told like a
// Secret's, by a salted digest kept per domain and Secret (resources/secret/digest.ts). Pure.
import type { DomainSpec } from './schema.js';
import type { DesiredState, IdentityKey } from '../../manifests/types.js';
import type { NamedValueSource } from '../secret/named-source.js';
import { namedValueSources } from '../secret/named-source.js';
import type { FieldChange, PlanContext } from '../types.js';
import { SECURE_XML_ATTRIBUTES } from '../../manifests/redact.js';
import { children, type XmlElement } from '../xml.js';

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
  return namedValueSources(
    (spec.graphics ?? []).flatMap((g) => (g.passwordFrom ? [g.passwordFrom.secret] : [])),
    desired,
    'graphics passwordFrom',
  );
}

/** The graphics whose password must be set again: its value changed, or none is recorded as set. */
export function passwordChanges(domainKey: IdentityKey, spec: DomainSpec, ctx: PlanContext): FieldChange[] {
  const out: FieldChange[] = [];
  (spec.graphics ?? []).forEach((g, i) => {
    if (!g.passwordFrom) return;
    const state = ctx.secretValues?.get(passwordDigestKey(domainKey, g.passwordFrom.secret));
    if (state?.state === 'changed')
      out.push({ path: `spec.graphics[${i}].password`, before: '(sensitive)', after: '(sensitive, changed)', class: 'redefine' });
    else if (state?.state === 'unrecorded') {
      out.push({
        path: `spec.graphics[${i}].password`,
        after: '(sensitive)',
        class: 'redefine',
        reason: 'no digest of the password is recorded, so apply sets it',
      });
    }
  });
  return out;
}

/** Key of the digest of the secure attributes (a graphics passwd) written in `domainKey`'s xml.merge. */
export function mergeSecretsDigestKey(domainKey: IdentityKey): IdentityKey {
  return `${domainKey}#xml.merge`;
}

/**
 * The secure attributes (libvirt's VIR_DOMAIN_XML_SECURE ones: a graphics passwd) that `elements`
 * carry, other than the placeholders of passwordFrom, in one canonical text ("graphics@passwd=…"
 * lines, sorted): what the digest of xml.merge's passwords is taken over. The merge text and the
 * define step's document (into which the merge went) give the same text. Undefined when none.
 */
export function secureAttributeText(elements: readonly XmlElement[]): Buffer | undefined {
  const lines: string[] = [];
  const walk = (node: XmlElement): void => {
    for (const name of SECURE_XML_ATTRIBUTES) {
      const value = node.attrs[name];
      if (value !== undefined && !value.startsWith(PLACEHOLDER_PREFIX)) lines.push(`${node.name}@${name}=${value}`);
    }
    for (const c of children(node)) walk(c);
  };
  elements.forEach(walk);
  return lines.length > 0 ? Buffer.from(lines.sort().join('\n'), 'utf8') : undefined;
}

/** A changed or never-recorded password in xml.merge, told by its digest like passwordFrom's. */
export function mergePasswordChange(domainKey: IdentityKey, ctx: PlanContext): FieldChange | undefined {
  const state = ctx.secretValues?.get(mergeSecretsDigestKey(domainKey));
  if (state?.state === 'changed')
    return { path: 'spec.xml.merge (passwd)', before: '(sensitive)', after: '(sensitive, changed)', class: 'redefine' };
  if (state?.state === 'unrecorded')
    return {
      path: 'spec.xml.merge (passwd)',
      after: '(sensitive)',
      class: 'redefine',
      reason: 'no digest of the password is recorded, so apply sets it',
    };
  return undefined;
}
