// The `xml.merge` escape hatch on top of a live document. applyXmlOverlay appends <devices>
// children, which on a document derived from the live one would add the same device again at
// every apply; here the overlay is reconciled against what is already there first.
import { child, children, isElement, parseXmlFragment, text, toXmlString, type XmlElement, type XmlNode } from '../xml.js';
import { removeChildren } from './tree.js';
import { deviceIdentity, documentIdentities } from '../device-identity.js';
import { SECURE_XML_ATTRIBUTES } from '../../manifests/redact.js';

function fragments(merge: string | undefined): XmlElement[] {
  if (!merge?.trim()) return [];
  return parseXmlFragment(merge);
}

/**
 * The overlay as the ownership mark keeps it and the diff compares it: canonical (formatting is
 * not drift), with every secure attribute (a graphics
 * `passwd`) removed. libvirt returns <metadata> to read-only clients too, so nothing secret may
 * be stored there; prepareOverlay only needs the previous overlay to recognise what it created,
 * and an element without its password still contains()-matches the live one. Unparsable text is
 * not stored at all rather than stored as it is.
 */
export function markableMerge(merge: string | undefined): string | undefined {
  if (!merge?.trim()) return undefined;
  let frags: XmlElement[];
  try {
    frags = fragments(merge);
  } catch {
    return undefined;
  }
  const strip = (node: XmlElement): void => {
    for (const name of SECURE_XML_ATTRIBUTES) delete node.attrs[name];
    for (const c of children(node)) strip(c);
  };
  frags.forEach(strip);
  return frags.map((f) => toXmlString(f).trim()).join('\n');
}

/**
 * True when `have` carries everything `want` says: same name, the same values for every attribute
 * `want` sets, the same text, and each child element of `want` contained in a distinct child of
 * `have`. libvirt adds defaults (addresses, models) to what it stores; those are not differences,
 * nor are namespace declarations (xmlns:p), which libvirt moves to the root element.
 */
export function contains(have: XmlElement, want: XmlElement): boolean {
  if (have.name !== want.name) return false;
  for (const [k, v] of Object.entries(want.attrs)) if (!k.startsWith('xmlns') && have.attrs[k] !== v) return false;
  const wantText = text(want) ?? '';
  if (wantText !== '' && wantText !== (text(have) ?? '')) return false;
  const used = new Set<XmlElement>();
  for (const w of children(want)) {
    const match = children(have).find((h) => !used.has(h) && contains(h, w));
    if (!match) return false;
    used.add(match);
  }
  return true;
}

/** Whether a domain document still carries an overlay (used to detect out-of-band edits). */
export function overlayPresent(domain: XmlElement, merge: string | undefined): boolean {
  const used = new Set<XmlElement>();
  for (const frag of fragments(merge)) {
    if (frag.name === 'devices') {
      const devices = child(domain, 'devices');
      for (const want of children(frag)) {
        const match = children(devices).find((h) => !used.has(h) && contains(h, want));
        if (!match) return false;
        used.add(match);
      }
    } else if (frag.name === domain.name) {
      if (!contains({ ...domain, children: [] }, frag)) return false;
    } else if (!children(domain, frag.name).some((h) => contains(h, frag))) {
      return false;
    }
  }
  return true;
}

/**
 * Whether `next` says at least what `previous` said: each element of `previous` is contained in
 * an element of `next` (each device in a device of `next`). A next overlay that covers the one
 * the mark recorded removes nothing from the domain when applied (prepareOverlay).
 */
export function mergeCovers(next: string | undefined, previous: string | undefined): boolean {
  const nextFrags = fragments(next);
  const nextDevices = nextFrags.filter((f) => f.name === 'devices').flatMap((f) => children(f));
  return fragments(previous).every((f) =>
    f.name === 'devices'
      ? children(f).every((d) => nextDevices.some((n) => contains(n, d)))
      : nextFrags.some((n) => n.name === f.name && contains(n, f)),
  );
}

export interface PreparedOverlay {
  /** Live devices that already satisfy an overlay device: keep them (with their addresses) untouched. */
  keep: Set<XmlNode>;
  /** What is left to merge on top of the generated document. */
  merge: string | undefined;
}

/**
 * Edits `domain` (a copy of the live document) so that applying the returned overlay yields the
 * `next` overlay exactly once: elements that only the `previous` overlay put there are removed,
 * devices already present are kept instead of appended again.
 */
export function prepareOverlay(domain: XmlElement, previous: string | undefined, next: string | undefined): PreparedOverlay {
  const prev = fragments(previous);
  const nextFrags = fragments(next);
  const nextNames = new Set(nextFrags.map((f) => f.name));
  for (const f of prev) {
    if (f.name !== 'devices' && !nextNames.has(f.name)) removeChildren(domain, f.name);
  }

  const devices = child(domain, 'devices');
  const liveDevices = children(devices);
  const ownedByPrevious: XmlElement[] = [];
  for (const want of prev.filter((f) => f.name === 'devices').flatMap((f) => children(f))) {
    const match = liveDevices.find((h) => !ownedByPrevious.includes(h) && contains(h, want));
    if (match) ownedByPrevious.push(match);
  }

  const keep = new Set<XmlNode>();
  const remaining: XmlElement[] = [];
  for (const frag of nextFrags) {
    if (frag.name !== 'devices') {
      remaining.push(frag);
      continue;
    }
    const left: XmlNode[] = [];
    for (const want of children(frag)) {
      // Prefer the device the previous overlay created; any identical live device will do.
      const match =
        ownedByPrevious.find((h) => !keep.has(h) && contains(h, want)) ?? liveDevices.find((h) => !keep.has(h) && contains(h, want));
      if (match) keep.add(match);
      else left.push(want);
    }
    if (left.length > 0) remaining.push({ ...frag, children: left });
  }
  if (devices) {
    devices.children = devices.children.filter((c) => !(isElement(c) && ownedByPrevious.includes(c) && !keep.has(c)));
  }
  const merge = remaining.length > 0 ? remaining.map((f) => toXmlString(f).trim()).join('\n') : undefined;
  return { keep, merge };
}

/**
 * A live device kept for the overlay (prepareOverlay) wins over the device the friendly fields
 * generated for the same identity, as a merged device replaces it on a new domain
 * (applyXmlOverlay): the generated twin goes, so the disk is not defined twice.
 */
export function dropShadowed(devices: XmlElement, keep: ReadonlySet<XmlNode>): void {
  const kept = new Set(
    children(devices)
      .filter((d) => keep.has(d))
      .map((d) => deviceIdentity(d))
      .filter((id): id is string => id !== undefined),
  );
  if (kept.size === 0) return;
  const generated = documentIdentities(children(devices).filter((d) => !keep.has(d)));
  devices.children = devices.children.filter((c) => !isElement(c) || keep.has(c) || !kept.has(generated.get(c) ?? ''));
}
