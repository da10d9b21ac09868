// Which live NIC a manifest's NIC is. A NIC's identity is its MAC; a manifest that gives none
// means "a NIC on this network (or bridge)". One rule serves the redefine's carry-over (the MAC
// libvirt generated is kept), the diff (a NIC is compared with the one it is, not the one at
// its index) and hotplug (what is plugged and unplugged). Pure.
import type { DomainInterface } from './schema.js';

/** The part of a NIC the match looks at. */
export type NicIdentity = Pick<DomainInterface, 'mac' | 'network' | 'bridge'>;

function sourceOf(n: NicIdentity): string {
  return n.bridge !== undefined ? `bridge:${n.bridge}` : `network:${n.network ?? ''}`;
}

/**
 * For each desired NIC, the index of the live NIC it is, or undefined for a new one: by MAC
 * when the manifest gives one; otherwise the live NIC at the same index on the same source,
 * else the first unclaimed one on that source (so inserting a NIC in front does not reshuffle
 * the MACs of the others).
 */
export function matchNics(desired: readonly NicIdentity[], live: readonly NicIdentity[]): Array<number | undefined> {
  const claimed = new Set<number>();
  const out: Array<number | undefined> = desired.map(() => undefined);
  const claim = (i: number, j: number): void => {
    claimed.add(j);
    out[i] = j;
  };
  desired.forEach((n, i) => {
    if (!n.mac) return;
    const mac = n.mac.toLowerCase();
    const j = live.findIndex((l, k) => !claimed.has(k) && l.mac?.toLowerCase() === mac);
    if (j >= 0) claim(i, j);
  });
  desired.forEach((n, i) => {
    if (n.mac) return;
    const here = live[i];
    const same = here !== undefined && !claimed.has(i) && sourceOf(here) === sourceOf(n) ? i : -1;
    const j = same >= 0 ? same : live.findIndex((l, k) => !claimed.has(k) && sourceOf(l) === sourceOf(n));
    if (j >= 0) claim(i, j);
  });
  return out;
}
