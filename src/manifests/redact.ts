// One place that keeps secrets out of everything virtkeeper shows: URL userinfo
// (`https://user:pass@host/`, see redact-url.ts) and the XML attributes libvirt itself treats as
// secure — the ones only VIR_DOMAIN_XML_SECURE reveals, a graphics `passwd` — wherever XML text
// appears (xml.merge in a plan, a define step's payload, an error quoting a document). Pure.
import { redactUrlsIn } from './redact-url.js';

/** How a hidden value reads. */
export const REDACTED = '(sensitive)';

/**
 * `passwd="…"` / `passwd='…'`, also inside JSON text where the quotes are escaped (`passwd=\"…\"`).
 * The attribute libvirt hides from clients without VIR_DOMAIN_XML_SECURE (graphics passwords).
 */
const SECURE_ATTRIBUTE = /(\bpasswd\s*=\s*)(\\?["'])(.*?)\2/g;

export function redactSecretsIn(text: string): string {
  return redactUrlsIn(text).replace(SECURE_ATTRIBUTE, (_m, lead: string, quote: string) => `${lead}${quote}${REDACTED}${quote}`);
}

/** A JSON-like value with every string inside redacted (plan field values, step payloads). */
export function redactSecretsInValue<T>(value: T): T {
  if (typeof value === 'string') return redactSecretsIn(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactSecretsInValue(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecretsInValue(v)])) as T;
  }
  return value;
}

/** Names of the secure attributes, for code that edits parsed XML (the ownership mark). */
export const SECURE_XML_ATTRIBUTES: readonly string[] = ['passwd'];
