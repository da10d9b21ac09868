// Semantic comparison of two libvirt XML documents for the corpus round-trip: attribute order,
// whitespace and comments do not count, nor do the identities libvirt generates (uuids, MAC
// values, device addresses it adds) or virtkeeper's own ownership mark. Returns every differing
// path, first one first, so the test can say which element or attribute export lost.
import { netmaskToPrefix } from '../../../src/resources/common/normalize.js';
import { isElement, parseXml, type XmlElement } from '../../../src/resources/xml.js';

/** `-path`: in A, not in B (lost); `+path`: in B only (added); `~path`: both, different value. */
export type Difference = string;

/** Elements whose text is an identity libvirt makes up when none is given. */
const GENERATED_TEXT = new Set(['uuid']);
/** Elements libvirt may add on its own: present in B alone, they are not a difference. */
const GENERATED_ELEMENTS = new Set(['uuid', 'address', 'mac', 'key']);

interface Node {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: Node[];
}

function normalize(el: XmlElement, givenMacs: ReadonlySet<string>): Node {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(el.attrs)) {
    // A MAC libvirt generated differs on every define: only its presence is compared. One the
    // corpus document wrote itself must come back as it was.
    attrs[k] = el.name === 'mac' && k === 'address' && !givenMacs.has(v.toLowerCase()) ? '*' : v;
  }
  if (el.name === 'ip') sameIpNotation(attrs);
  const text = el.children
    .filter((c) => c.type === 'text')
    .map((c) => c.value)
    .join('')
    .trim();
  const children = el.children
    .filter(isElement)
    // virtkeeper's ownership mark (domains' <metadata>) is what apply adds on purpose.
    .filter((c) => !Object.entries(c.attrs).some(([k, v]) => k.startsWith('xmlns') && v.includes('virtkeeper.io')))
    .map((c) => normalize(c, givenMacs))
    .filter((c) => !(c.name === 'metadata' && c.children.length === 0 && c.text === ''));
  return { name: el.name, attrs, text: GENERATED_TEXT.has(el.name) ? '*' : text, children };
}

/**
 * Two spellings of the same address libvirt accepts: netmask='255.255.255.0' is prefix='24', and
 * family='ipv4' is what an <ip> without family means. Export writes the second of each; counting
 * that as a difference would hide the real losses among these.
 */
function sameIpNotation(attrs: Record<string, string>): void {
  // Only a contiguous mask has a prefix; anything else stays as written (and differs).
  const prefix = attrs.netmask !== undefined && attrs.prefix === undefined ? netmaskToPrefix(attrs.netmask) : undefined;
  if (prefix !== undefined) {
    attrs.prefix = String(prefix);
    delete attrs.netmask;
  }
  if (attrs.family === 'ipv4') delete attrs.family;
}

function diffNodes(a: Node, b: Node, at: string, out: Difference[]): void {
  for (const k of [...new Set([...Object.keys(a.attrs), ...Object.keys(b.attrs)])].sort()) {
    const va = a.attrs[k];
    const vb = b.attrs[k];
    if (va === vb) continue;
    out.push(`${va === undefined ? '+' : vb === undefined ? '-' : '~'}${at}@${k}`);
  }
  if (a.text !== b.text) out.push(`${a.text === '' ? '+' : b.text === '' ? '-' : '~'}${at}#text`);
  // Siblings are matched by name and position among their namesakes: libvirt writes elements in
  // its own order, which is not the document's.
  const names = [...new Set([...a.children.map((c) => c.name), ...b.children.map((c) => c.name)])];
  for (const name of names) {
    const ca = a.children.filter((c) => c.name === name);
    const cb = b.children.filter((c) => c.name === name);
    for (let i = 0; i < Math.max(ca.length, cb.length); i++) {
      const path = `${at}/${name}${Math.max(ca.length, cb.length) > 1 ? `[${i}]` : ''}`;
      const x = ca[i];
      const y = cb[i];
      if (x && y) diffNodes(x, y, path, out);
      else if (x) out.push(`-${path}`);
      else if (y && !GENERATED_ELEMENTS.has(name)) out.push(`+${path}`);
    }
  }
}

/**
 * Every difference between A (libvirt's dump of the corpus document) and B (after export →
 * apply). `source` is the corpus document itself: the MACs it names are not generated ones.
 */
export function xmlDifferences(a: string, b: string, source: string): Difference[] {
  const givenMacs = new Set([...source.matchAll(/([0-9a-f]{2}(?::[0-9a-f]{2}){5})/gi)].map((m) => (m[1] ?? '').toLowerCase()));
  const ra = parseXml(a);
  const rb = parseXml(b);
  const out: Difference[] = [];
  diffNodes(normalize(ra, givenMacs), normalize(rb, givenMacs), ra.name, out);
  return out;
}

/** A difference's path without positions, for counting the same loss across documents. */
export function lossKey(d: Difference): string {
  return d.replace(/\[\d+\]/g, '');
}
