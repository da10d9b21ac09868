// Drift in the `xml.merge` escape hatch. libvirt fills defaults into whatever it is given
// (attributes, child elements), so a fragment is in sync when it is contained in the live
// element of the same name: same attributes it sets, same text, and its child elements found in
// order among the live children. Anything stricter would report drift forever. Namespace
// declarations (xmlns:p) are not content: libvirt moves them to the root element. A fragment
// named like the root element holds the root's own attributes.
import { children, isElement, parseXml, parseXmlFragment, text, type XmlElement } from '../xml.js';

function contains(live: XmlElement, want: XmlElement): boolean {
  if (live.name !== want.name) return false;
  for (const [k, v] of Object.entries(want.attrs)) if (!k.startsWith('xmlns') && live.attrs[k] !== v) return false;
  const wantText = text(want) ?? '';
  if (wantText !== '' && wantText !== (text(live) ?? '')) return false;
  const liveKids = children(live);
  let i = 0;
  for (const kid of want.children.filter(isElement)) {
    while (i < liveKids.length && !contains(liveKids[i], kid)) i++;
    if (i === liveKids.length) return false;
    i++;
  }
  return true;
}

/** `node` without the elements at `paths` below it ("target/permissions/owner" under <volume>). */
function without(node: XmlElement, paths: readonly string[][]): XmlElement {
  const here = paths.filter((p) => p.length === 1).map((p) => p[0]);
  const kids = node.children
    .filter((c) => !(isElement(c) && here.includes(c.name)))
    .map((c) =>
      isElement(c)
        ? without(
            c,
            paths.filter((p) => p.length > 1 && p[0] === c.name).map((p) => p.slice(1)),
          )
        : c,
    );
  return { ...node, children: kids };
}

/**
 * Names of the fragment elements that the live document does not contain; [] when in sync.
 * `volatile`: paths from the root ("target/permissions/owner") that libvirt itself changes while
 * the object is used, not compared.
 */
export function overlayDrift(merge: string | undefined, liveXml: string | undefined, volatile: readonly string[] = []): string[] {
  if (!merge?.trim()) return [];
  const live = liveXml ? parseXml(liveXml) : undefined;
  const drift: string[] = [];
  const ignored = volatile.map((p) => p.split('/'));
  for (const parsed of parseXmlFragment(merge)) {
    const fragment = without(
      parsed,
      ignored.filter((p) => p.length > 1 && p[0] === parsed.name).map((p) => p.slice(1)),
    );
    const candidates = live?.name === fragment.name ? [{ ...live, children: [] }] : children(live, fragment.name);
    if (!candidates.some((c) => contains(c, fragment))) drift.push(fragment.name);
  }
  return drift;
}
