// A small element tree over fast-xml-parser's preserveOrder output. libvirt XML is order-sensitive
// and may carry comments, so the tree keeps sibling order and comments, and every resource kind
// maps spec ⇄ XML through it instead of through fast-xml-parser's raw shapes.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { deviceIdentity, documentIdentities } from './device-identity.js';

export interface XmlElement {
  readonly type: 'element';
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export interface XmlText {
  readonly type: 'text';
  value: string;
}
export interface XmlComment {
  readonly type: 'comment';
  value: string;
}
export type XmlNode = XmlElement | XmlText | XmlComment;

export class XmlParseError extends Error {
  override name = 'XmlParseError';
}

const PARSER_OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  commentPropName: '#comment',
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
} as const;

type RawNode = Record<string, unknown>;

function convert(raw: RawNode): XmlNode | null {
  const attrs = (raw[':@'] as Record<string, string> | undefined) ?? {};
  for (const key of Object.keys(raw)) {
    if (key === ':@') continue;
    const value = raw[key];
    if (key === '#text') return { type: 'text', value: String(value) };
    if (key === '#comment') {
      const inner = (value as RawNode[]).map((n) => String(n['#text'] ?? '')).join('');
      return { type: 'comment', value: inner };
    }
    const children = (value as RawNode[]).map(convert).filter((n): n is XmlNode => n !== null);
    return { type: 'element', name: key, attrs: { ...attrs }, children };
  }
  return null;
}

export interface ParseXmlOptions {
  /**
   * The text comes from libvirt's own XML writer, which only writes well-formed documents: skip
   * the separate validation pass (a third of the parse time on a host of thousands of domains).
   */
  fromLibvirt?: boolean;
}

/** Parses one XML document and returns its root element. Malformed XML is an XmlParseError. */
export function parseXml(xml: string, options: ParseXmlOptions = {}): XmlElement {
  const valid = options.fromLibvirt ? true : XMLValidator.validate(xml);
  if (valid !== true) {
    throw new XmlParseError(`invalid XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  const parsed = new XMLParser(PARSER_OPTIONS).parse(xml) as RawNode[];
  const roots = parsed.map(convert).filter((n): n is XmlElement => n?.type === 'element');
  if (roots.length !== 1) throw new XmlParseError(`expected one root element, found ${roots.length}`);
  return roots[0];
}

/** Parses a fragment that may hold several sibling elements (used by the `xml` escape hatch). */
export function parseXmlFragment(xml: string): XmlElement[] {
  return parseXml(`<fragment>${xml}</fragment>`).children.filter(isElement);
}

export function isElement(node: XmlNode): node is XmlElement {
  return node.type === 'element';
}

// ---- construction -------------------------------------------------------------------------

export type AttrValue = string | number | boolean | undefined | null;
export type ChildInput = XmlNode | string | number | undefined | null | false | readonly ChildInput[];

/**
 * Builds an element; undefined/null attributes and children are dropped so mapping code can pass
 * optional spec fields straight through.
 */
export function el(name: string, attrs: Record<string, AttrValue> = {}, ...children: ChildInput[]): XmlElement {
  const cleanAttrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    cleanAttrs[k] = typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
  }
  const out: XmlNode[] = [];
  const push = (c: ChildInput): void => {
    if (c === undefined || c === null || c === false) return;
    if (Array.isArray(c)) {
      for (const inner of c as readonly ChildInput[]) push(inner);
    } else if (typeof c === 'string' || typeof c === 'number') {
      out.push({ type: 'text', value: String(c) });
    } else {
      out.push(c as XmlNode);
    }
  };
  for (const c of children) push(c);
  return { type: 'element', name, attrs: cleanAttrs, children: out };
}

/** `<name>value</name>`, or nothing when value is undefined. */
export function textEl(
  name: string,
  value: string | number | undefined | null,
  attrs: Record<string, AttrValue> = {},
): XmlElement | undefined {
  if (value === undefined || value === null) return undefined;
  return el(name, attrs, String(value));
}

// ---- queries -----------------------------------------------------------------------------

export function children(parent: XmlElement | undefined, name?: string): XmlElement[] {
  if (!parent) return [];
  return parent.children.filter((c): c is XmlElement => c.type === 'element' && (name === undefined || c.name === name));
}

export function child(parent: XmlElement | undefined, name: string): XmlElement | undefined {
  return parent?.children.find((c): c is XmlElement => c.type === 'element' && c.name === name);
}

/** Follows a path of element names, e.g. find(domain, 'os', 'type'). */
export function find(parent: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let cur = parent;
  for (const n of names) cur = child(cur, n);
  return cur;
}

/** Concatenated text content (direct text children only), or undefined if the element is missing. */
export function text(node: XmlElement | undefined): string | undefined {
  if (!node) return undefined;
  return node.children
    .filter((c): c is XmlText => c.type === 'text')
    .map((c) => c.value)
    .join('')
    .trim();
}

export function attr(node: XmlElement | undefined, name: string): string | undefined {
  return node?.attrs[name];
}

// ---- serialisation ---------------------------------------------------------------------------

export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function isWhitespaceText(n: XmlNode): boolean {
  return n.type === 'text' && n.value.trim() === '';
}

function serialize(node: XmlNode, indent: string, depth: number, out: string[]): void {
  const pad = indent.repeat(depth);
  if (node.type === 'text') {
    out.push(pad + escapeText(node.value.trim()));
    return;
  }
  if (node.type === 'comment') {
    // "--" is illegal inside a comment; keep the content readable instead of failing.
    out.push(`${pad}<!--${node.value.replace(/--/g, '- -')}-->`);
    return;
  }
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join('');
  const kids = node.children.filter((c) => !isWhitespaceText(c));
  if (kids.length === 0) {
    out.push(`${pad}<${node.name}${attrs}/>`);
  } else if (kids.every((c) => c.type === 'text')) {
    const value = kids.map((c) => (c as XmlText).value).join('');
    out.push(`${pad}<${node.name}${attrs}>${escapeText(value)}</${node.name}>`);
  } else {
    out.push(`${pad}<${node.name}${attrs}>`);
    for (const c of kids) serialize(c, indent, depth + 1, out);
    out.push(`${pad}</${node.name}>`);
  }
}

/** Pretty-printed XML (two-space indent, like virsh dumpxml), ending in a newline. */
export function toXmlString(root: XmlElement): string {
  const out: string[] = [];
  serialize(root, '  ', 0, out);
  return out.join('\n') + '\n';
}

/** Deep copy, so mapping code can edit a parsed live document without aliasing it. */
export function cloneElement(node: XmlElement): XmlElement {
  return JSON.parse(JSON.stringify(node)) as XmlElement;
}

/**
 * Applies a manifest's `xml.merge` escape hatch to a generated document (semantics documented on
 * XmlOverlay in src/manifests/types.ts and in docs/manifests.md):
 * - the top-level fragment elements of one name together replace every generated element of that
 *   name, at the place of the first one, or are appended when there is none;
 * - children of <devices> (Domain) replace the generated device of the same identity (a disk of
 *   the same target dev, an interface of the same MAC: deviceIdentity), else are appended;
 * - an element named like the root itself (<volume type="block"/> in a volume's merge) sets the
 *   root's attributes, which no child element can reach.
 */
export function applyXmlOverlay(root: XmlElement, merge: string | undefined): XmlElement {
  if (!merge?.trim()) return root;
  const out = cloneElement(root);
  const fragments = parseXmlFragment(merge);
  const byName = new Map<string, XmlElement[]>();
  for (const fragment of fragments) {
    if (fragment.name === 'devices') {
      mergeDevices(out, fragment);
      continue;
    }
    if (fragment.name === out.name) {
      Object.assign(out.attrs, fragment.attrs);
      continue;
    }
    byName.set(fragment.name, [...(byName.get(fragment.name) ?? []), fragment]);
  }
  for (const [name, replacements] of byName) {
    const firstIndex = out.children.findIndex((c) => c.type === 'element' && c.name === name);
    if (firstIndex === -1) {
      out.children.push(...replacements);
      continue;
    }
    const before = out.children.slice(0, firstIndex);
    const after = out.children.slice(firstIndex).filter((c) => !(c.type === 'element' && c.name === name));
    out.children = [...before, ...replacements, ...after];
  }
  return out;
}

function mergeDevices(root: XmlElement, fragment: XmlElement): void {
  let devices = child(root, 'devices');
  if (!devices) {
    devices = el('devices');
    root.children.push(devices);
  }
  const replaced = new Set<XmlNode>();
  const generated = documentIdentities(devices.children.filter(isElement));
  for (const device of fragment.children.filter(isElement)) {
    const identity = deviceIdentity(device);
    const index =
      identity === undefined
        ? -1
        : devices.children.findIndex((c) => isElement(c) && !replaced.has(c) && c.name === device.name && generated.get(c) === identity);
    if (index === -1) devices.children.push(device);
    else devices.children[index] = device;
    replaced.add(device);
  }
}
