// virtkeeper's ownership mark inside a domain's <metadata>. libvirt keeps foreign-namespace
// metadata verbatim, so the mark survives redefines made by others; it also records the
// `xml.merge` overlay last applied, which lets a later apply remove what an edited overlay
// no longer asks for instead of piling up devices.
import { attr, child, children, cloneElement, el, isElement, textEl, text, type XmlElement } from '../xml.js';
import { markableMerge } from './overlay.js';

export const VK_NAMESPACE = 'https://virtkeeper.io/xmlns/v1';
export const VK_PREFIX = 'vk';

export interface OwnershipMark {
  /** Identity key of the manifest that owns the domain ("Domain/web-1"). */
  key?: string;
  /** The `xml.merge` overlay applied at the last define, canonical and without secure attributes (markableMerge). */
  merge?: string;
}

/** The namespace prefix an element is bound to in its own attributes (libvirt writes the binding on the element). */
function prefixOf(node: XmlElement): string | undefined {
  const colon = node.name.indexOf(':');
  return colon === -1 ? undefined : node.name.slice(0, colon);
}

function isMark(node: XmlElement): boolean {
  const prefix = prefixOf(node);
  const local = prefix === undefined ? node.name : node.name.slice(prefix.length + 1);
  if (local !== 'managed') return false;
  const ns = prefix === undefined ? node.attrs.xmlns : node.attrs[`xmlns:${prefix}`];
  return ns === VK_NAMESPACE;
}

export function findMarkElement(domain: XmlElement): XmlElement | undefined {
  const metadata = children(domain, 'metadata')[0];
  return children(metadata).find(isMark);
}

export function readMark(domain: XmlElement): OwnershipMark | undefined {
  const node = findMarkElement(domain);
  if (!node) return undefined;
  const prefix = prefixOf(node);
  const mergeName = prefix === undefined ? 'merge' : `${prefix}:merge`;
  const merge = children(node, mergeName)[0];
  const out: OwnershipMark = {};
  const key = attr(node, 'key');
  if (key !== undefined) out.key = key;
  const mergeText = text(merge);
  if (mergeText) out.merge = mergeText;
  return out;
}

export function markElement(mark: OwnershipMark): XmlElement {
  return el(
    `${VK_PREFIX}:managed`,
    { [`xmlns:${VK_PREFIX}`]: VK_NAMESPACE, key: mark.key },
    mark.merge?.trim() ? textEl(`${VK_PREFIX}:merge`, markableMerge(mark.merge)) : undefined,
  );
}

/** Replaces any existing mark in `metadata`, keeping every other child (other tools' metadata). */
export function writeMark(metadata: XmlElement, mark: OwnershipMark): void {
  metadata.children = metadata.children.filter((c) => !(isElement(c) && isMark(c)));
  metadata.children.push(markElement(mark));
}

/**
 * The domain without virtkeeper's ownership mark, and without a <metadata> left empty by that:
 * apply writes the mark itself, and other tools' metadata is carried like any other element.
 */
export function withoutMark(root: XmlElement): XmlElement {
  const copy = cloneElement(root);
  const mark = findMarkElement(copy);
  const metadata = child(copy, 'metadata');
  if (mark && metadata) metadata.children = metadata.children.filter((c) => c !== mark);
  if (metadata && metadata.children.filter(isElement).length === 0) copy.children = copy.children.filter((c) => c !== metadata);
  return copy;
}
