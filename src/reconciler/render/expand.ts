// An update of a structured field, shown the way people read a diff: one line per leaf that
// changed, with list items named by what identifies them (`spec.ips[0].dhcp.hosts[web-2]`)
// rather than a before/after pair of whole JSON blobs. Only for the human and Markdown plans:
// the JSON plan keeps the kind's field changes as they are. Pure.
import type { FieldChange } from '../../resources/types.js';

/**
 * Item fields that name a list item, in order of preference (DHCP hosts by name, then by MAC;
 * disks by target). Values that are often what changed (an address, a range start) are not
 * names: such lists are matched by position.
 */
const ITEM_IDS = ['name', 'target', 'mac', 'dev', 'device'] as const;

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isPlain(a) && isPlain(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!same(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** The field that names every item of both lists uniquely, if one does. */
function itemId(before: unknown[], after: unknown[]): string | undefined {
  const items = [...before, ...after];
  if (items.length === 0 || !items.every(isPlain)) return undefined;
  return ITEM_IDS.find((id) => {
    const unique = (list: unknown[]) => {
      const seen = new Set<string>();
      for (const item of list as Plain[]) {
        const v = item[id];
        if (typeof v !== 'string' && typeof v !== 'number') return false;
        if (seen.has(String(v))) return false;
        seen.add(String(v));
      }
      return true;
    };
    return unique(before) && unique(after);
  });
}

function expand(path: string, before: unknown, after: unknown, out: Array<{ path: string; before: unknown; after: unknown }>): void {
  if (same(before, after)) return;
  if (isPlain(before) && isPlain(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) expand(`${path}.${key}`, before[key], after[key], out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const id = itemId(before, after);
    if (id) {
      const byId = (list: unknown[]) => new Map((list as Plain[]).map((item) => [String(item[id]), item]));
      const b = byId(before);
      const a = byId(after);
      // Kept and changed items in the manifest's order, then the removed ones.
      for (const [key, item] of a) expand(`${path}[${key}]`, b.get(key), item, out);
      for (const [key, item] of b) if (!a.has(key)) expand(`${path}[${key}]`, item, undefined, out);
      return;
    }
    if (before.length === after.length) {
      before.forEach((item, i) => expand(`${path}[${i}]`, item, after[i], out));
      return;
    }
  }
  out.push({ path, before, after });
}

/**
 * The lines to show for one field change: itself when it is a leaf, an addition or a removal;
 * for an update of a mapping or a list, one line per changed leaf or item. Every line keeps the
 * change's class and reason.
 */
export function displayedChanges(change: FieldChange): FieldChange[] {
  if (change.before === undefined || change.after === undefined) return [change];
  if (!(isPlain(change.before) && isPlain(change.after)) && !(Array.isArray(change.before) && Array.isArray(change.after))) return [change];
  const leaves: Array<{ path: string; before: unknown; after: unknown }> = [];
  expand(change.path, change.before, change.after, leaves);
  if (leaves.length === 0) return [change];
  return leaves.map((leaf) => ({ ...change, path: leaf.path, before: leaf.before, after: leaf.after }));
}
