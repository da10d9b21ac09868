// Helpers the kinds' per-document checks share. Pure.
import type { FieldPath } from '../../manifests/paths.js';
import type { Size } from '../../manifests/types.js';
import { parseSize, SizeError } from '../../manifests/units.js';
import type { CheckIssue } from '../contract.js';

// libvirt refuses these for a guest NIC and a DHCP host ("expected unicast mac address").
export const GROUP_MAC_MESSAGE =
  "is a multicast or broadcast address (the first octet's lowest bit is set); a NIC needs a unicast MAC, e.g. 52:54:00:…";

/** A size in bytes, or undefined (reported in `issues` when it does not parse). */
export function size(path: FieldPath, value: Size | undefined, issues: CheckIssue[]): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseSize(value);
  } catch (e) {
    if (e instanceof SizeError) {
      issues.push({ path, message: e.message });
      return undefined;
    }
    throw e;
  }
}

/** Calls `report` for every item whose key an earlier item already has. */
export function firstDuplicate<T>(
  items: readonly T[],
  key: (t: T) => string | undefined,
  report: (index: number, first: number) => void,
): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first !== undefined) report(i, first);
    else seen.set(k, i);
  });
}

/** Issues of a part of a document, moved under `p` ("spec"). */
export const prefixed =
  (p: readonly string[]) =>
  (i: CheckIssue): CheckIssue => ({ ...i, path: [...p, ...i.path] });
