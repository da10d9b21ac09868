// What a live document has that the friendly fields do not reproduce. Export reads the live
// document A as a spec S (the kind's fromXml) and renders S back as apply would on an empty host
// (R, the kind's toXml); the residual is the part of A that R lacks or renders differently,
// written so that `xml.merge` (applyXmlOverlay) puts it back: top-level elements by name, and
// for a domain's <devices> each device by identity (deviceIdentity). Pure.
import { withoutMark } from '../resources/domain/mark.js';
import { documentIdentities } from '../resources/device-identity.js';
import type { ResidualRules } from '../resources/contract.js';
import { isElement, toXmlString, type XmlElement } from '../resources/xml.js';

export type { ResidualRules };

export interface Residual {
  /** The xml.merge fragments, one top-level element each; none when R already reproduces A. */
  fragments: string[];
  /**
   * What the overlay cannot carry, by path: root attributes ("@type"), elements R generates that
   * A does not have ("+features"), skipped elements that differ. Export reports these.
   */
  uncarried: string[];
}

/** A's children of `name`, R's children of `name`: same when they print the same, order among namesakes kept. */
function sameElements(a: readonly XmlElement[], r: readonly XmlElement[], sameAs?: ResidualRules['sameAs']): boolean {
  return a.length === r.length && a.every((x, i) => canonical(x, NOTHING, sameAs) === canonical(r[i] as XmlElement, NOTHING, sameAs));
}

const NOTHING: ReadonlySet<string> = new Set();
/** What libvirt adds to every device by itself, and fills in again on a new domain. */
const DEVICE_GENERATED: ReadonlySet<string> = new Set(['address', 'alias']);

/**
 * A printable form in which attribute order, whitespace, comments and the order of differently
 * named siblings do not count (libvirt and the renderers each write their own order); the order
 * of namesakes does (boot devices, addresses of a network).
 */
export function canonical(
  node: XmlElement,
  ignore: ReadonlySet<string> = NOTHING,
  sameAs?: (element: XmlElement) => Record<string, string>,
): string {
  const attrs = Object.entries(sameAs ? sameAs(node) : node.attrs)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  const text = node.children
    .filter((c) => c.type === 'text')
    .map((c) => c.value)
    .join('')
    .trim();
  const kids = node.children.filter(isElement).filter((c) => !ignore.has(c.name));
  const names = [...new Set(kids.map((c) => c.name))].sort();
  const inner = names
    .map((n) =>
      kids
        .filter((c) => c.name === n)
        .map((c) => canonical(c, NOTHING, sameAs))
        .join(''),
    )
    .join('');
  return `<${node.name} ${attrs}>${JSON.stringify(text)}${inner}</${node.name}>`;
}

/** The root's children of `name`; an empty one (libvirt prints `<source/>` for a pool without any) is none. */
function elementsNamed(parent: XmlElement | undefined, name: string): XmlElement[] {
  const empty = (c: XmlElement): boolean =>
    Object.keys(c.attrs).length === 0 && c.children.every((k) => k.type !== 'element' && (k.type !== 'text' || k.value.trim() === ''));
  return parent ? parent.children.filter(isElement).filter((c) => c.name === name && !empty(c)) : [];
}

function namesOf(...parents: Array<XmlElement | undefined>): string[] {
  const names: string[] = [];
  for (const p of parents) for (const c of p?.children.filter(isElement) ?? []) if (!names.includes(c.name)) names.push(c.name);
  return names;
}

function withoutPaths(node: XmlElement, paths: readonly string[]): XmlElement {
  const copy = JSON.parse(JSON.stringify(node)) as XmlElement;
  for (const p of paths) {
    const parts = p.split('/');
    const strip = (el: XmlElement, depth: number): void => {
      if (depth === parts.length - 1) {
        el.children = el.children.filter((c) => !(isElement(c) && c.name === parts[depth]));
        return;
      }
      for (const c of el.children.filter(isElement)) if (c.name === parts[depth]) strip(c, depth + 1);
    };
    strip(copy, 0);
  }
  return copy;
}

/** The devices of A that R lacks or renders differently, and R's devices A does not have. */
function deviceResidual(a: XmlElement | undefined, r: XmlElement | undefined, uncarried: string[]): XmlElement[] {
  const left = r ? r.children.filter(isElement) : [];
  const generatedIds = documentIdentities(left);
  const liveIds = documentIdentities(a ? a.children.filter(isElement) : []);
  const out: XmlElement[] = [];
  for (const device of a ? a.children.filter(isElement) : []) {
    const identity = liveIds.get(device);
    // The generated device this one is: the same identity, else (devices without one) the
    // first one exactly alike, which leaves nothing to carry.
    const index =
      identity !== undefined
        ? left.findIndex((g) => g.name === device.name && generatedIds.get(g) === identity)
        : left.findIndex(
            (g) =>
              g.name === device.name &&
              generatedIds.get(g) === undefined &&
              canonical(g, DEVICE_GENERATED) === canonical(device, DEVICE_GENERATED),
          );
    const generated = index === -1 ? undefined : left.splice(index, 1)[0];
    if (generated && canonical(generated, DEVICE_GENERATED) === canonical(device, DEVICE_GENERATED)) continue;
    // Missing, or rendered only in part: the merged device replaces the generated one of its
    // identity at apply (applyXmlOverlay), or is added.
    out.push(device);
  }
  for (const g of left) uncarried.push(`+devices/${g.name}`);
  return out;
}

/** Namespace prefixes an element or anything in it uses ("fs" of <fs:mount_opts>). */
function prefixesIn(node: XmlElement, out: Set<string> = new Set()): Set<string> {
  for (const name of [node.name, ...Object.keys(node.attrs)]) {
    const colon = name.indexOf(':');
    if (colon > 0 && !name.startsWith('xmlns')) out.add(name.slice(0, colon));
  }
  for (const c of node.children.filter(isElement)) prefixesIn(c, out);
  return out;
}

/** The element declaring the namespaces it uses that the root declared: a fragment stands alone. */
function withNamespaces(node: XmlElement, rootAttrs: Record<string, string>): XmlElement {
  const declarations: Record<string, string> = {};
  for (const p of prefixesIn(node)) {
    const uri = rootAttrs[`xmlns:${p}`];
    if (uri !== undefined && node.attrs[`xmlns:${p}`] === undefined) declarations[`xmlns:${p}`] = uri;
  }
  return Object.keys(declarations).length === 0 ? node : { ...node, attrs: { ...declarations, ...node.attrs } };
}

/** The residual of A (the live root) over R (the rendered root). */
export function residual(a: XmlElement, rendered: XmlElement, rules: ResidualRules): Residual {
  const prepared = rules.ownershipMark ? withoutMark(a) : a;
  const live = rules.strip ? withoutPaths(prepared, rules.strip) : prepared;
  const r = rules.ownershipMark ? withoutMark(rendered) : rendered;
  const uncarried: string[] = [];
  const merge: XmlElement[] = [];
  // The root's own attributes, in an element named like the root (see applyXmlOverlay).
  // Namespace declarations go on the carried elements that use them instead.
  const rootAttrs: Record<string, string> = {};
  for (const k of new Set([...Object.keys(live.attrs), ...Object.keys(r.attrs)])) {
    if (k.startsWith('xmlns') || rules.skipAttrs?.has(k) || live.attrs[k] === r.attrs[k]) continue;
    const value = live.attrs[k];
    if (value === undefined) uncarried.push(`+@${k}`);
    else rootAttrs[k] = value;
  }
  if (Object.keys(rootAttrs).length > 0) merge.push({ type: 'element', name: live.name, attrs: rootAttrs, children: [] });
  for (const name of namesOf(live, r)) {
    const have = elementsNamed(live, name);
    const generated = elementsNamed(r, name);
    if (name === 'devices' && rules.devices) {
      const devices = deviceResidual(have[0], generated[0], uncarried);
      if (devices.length > 0) merge.push({ type: 'element', name: 'devices', attrs: {}, children: devices });
      continue;
    }
    if (rules.skip.has(name) || sameElements(have, generated, rules.sameAs)) continue;
    if (have.length === 0) {
      uncarried.push(`+${name}`);
      continue;
    }
    merge.push(...have.map((h) => withNamespaces(h, live.attrs)));
  }
  return { fragments: merge.map((m) => toXmlString(m).trim()), uncarried };
}
