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

/** Names of the fragment elements that the live document does not contain; [] when in sync. */
export function overlayDrift(merge: string | undefined, liveXml: string | undefined): string[] {
  if (!merge || !merge.trim()) return [];
  const live = liveXml ? parseXml(liveXml) : undefined;
  const drift: string[] = [];
  for (const fragment of parseXmlFragment(merge)) {
    const candidates = live?.name === fragment.name ? [{ ...live, children: [] }] : children(live, fragment.name);
    if (!candidates.some((c) => contains(c, fragment))) drift.push(fragment.name);
  }
  return drift;
}
