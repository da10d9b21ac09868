// What XML 1.0 and Namespaces in XML forbid that fast-xml-parser's validator lets through, so an
// xml.merge libvirt's libxml2 would refuse at apply is refused at validate instead: references to
// entities no DTD declares, character references to characters XML cannot carry, "--" inside a
// comment, and namespace prefixes no xmlns:prefix declares. Pure.
import { XMLParser } from 'fast-xml-parser';

/** The five entities XML predefines; without a DOCTYPE (which xml.merge refuses) there are no others. */
const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

// Comments, CDATA and processing instructions are skipped whole, so a "&" inside them is no
// reference; everything else starting with "&" is one, well-formed or not.
const TOKENS = /<!--([\s\S]*?)-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_][\w.-]*)?(;?)/g;

/** XML 1.0's Char production: what a character reference may name. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 0x0a) line++;
  return line;
}

function where(text: string, index: number): string {
  const line = lineAt(text, index);
  return line > 1 ? ` (line ${line} of the fragment)` : '';
}

function referenceProblem(name: string | undefined, semicolon: string): string | undefined {
  if (name === undefined || semicolon === '')
    return 'has a "&" that starts no entity or character reference: write &amp; for a literal "&"';
  if (name.startsWith('#')) {
    const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    if (!isXmlChar(code))
      return `has the character reference &${name}; to U+${code.toString(16).toUpperCase().padStart(4, '0')}, a character XML cannot carry`;
    return undefined;
  }
  if (!PREDEFINED.has(name))
    return `uses the undefined entity &${name}; (only &amp; &lt; &gt; &quot; &apos; and character references exist without a DOCTYPE)`;
  return undefined;
}

function commentProblem(body: string): string | undefined {
  if (body.includes('--') || body.endsWith('-'))
    return 'has a comment containing "--" (or ending in "-"), which XML forbids inside <!-- -->';
  return undefined;
}

/** Lexical problems: entity and character references, comments. The first one found, with its line. */
export function lexicalProblem(fragment: string): string | undefined {
  for (const m of fragment.matchAll(TOKENS)) {
    const [token, comment, reference, semicolon] = m;
    const problem = token.startsWith('<!--')
      ? commentProblem(comment)
      : token.startsWith('&')
        ? referenceProblem(reference, semicolon)
        : undefined;
    if (problem) return problem + where(fragment, m.index);
  }
  return undefined;
}

type OrderedNode = Record<string, unknown>;

// "xml" is bound by the Namespaces spec itself; "xmlns" only declares.
const BOUND = new Set(['xml', 'xmlns']);

function prefixOf(name: string): string | undefined {
  const colon = name.indexOf(':');
  return colon > 0 ? name.slice(0, colon) : undefined;
}

/** Prefixes an element declares with xmlns:p="…". */
function declared(attrs: Record<string, string>): string[] {
  return Object.keys(attrs)
    .filter((a) => a.startsWith('xmlns:'))
    .map((a) => a.slice('xmlns:'.length));
}

function undeclaredIn(nodes: readonly OrderedNode[], scope: ReadonlySet<string>): string | undefined {
  for (const node of nodes) {
    const attrs = (node[':@'] ?? {}) as Record<string, string>;
    const tag = Object.keys(node).find((k) => k !== ':@');
    if (tag === undefined || tag.startsWith('#')) continue;
    const inner = new Set([...scope, ...declared(attrs)]);
    const used = [
      prefixOf(tag),
      ...Object.keys(attrs)
        .filter((a) => !a.startsWith('xmlns'))
        .map(prefixOf),
    ];
    const missing = used.find((p) => p !== undefined && !inner.has(p));
    if (missing !== undefined) return missing;
    const deeper = undeclaredIn((node[tag] ?? []) as OrderedNode[], inner);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

/**
 * A namespace prefix used on an element or attribute that neither it nor an ancestor inside the
 * fragment declares (the generated document around it declares none the user can rely on).
 * Only call on a fragment that parses.
 */
export function undeclaredPrefix(wrapped: string): string | undefined {
  const parsed = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
  }).parse(wrapped) as OrderedNode[];
  return undeclaredIn(parsed, BOUND);
}

/** The problem message for an undeclared prefix, pointing at its first use. */
export function undeclaredPrefixMessage(fragment: string, prefix: string): string {
  const at = fragment.search(new RegExp(`[<\\s]${prefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}:`));
  return `uses the namespace prefix "${prefix}" without declaring it: add xmlns:${prefix}="…" to the element${at >= 0 ? where(fragment, at + 1) : ''}`;
}
