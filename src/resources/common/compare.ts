// Structural comparison for diffs: values are compared after normalisation, as canonical JSON
// (sorted keys, undefined dropped) so that field order and absent-vs-undefined never count as drift.

export function canonical(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortDeep(v);
    }
    return out;
  }
  return value;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** Drops undefined properties so objects built from optional XML parts stay minimal. */
export function compact<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** True when an object has no defined property (used to drop empty sub-objects in fromXml). */
export function isEmpty(obj: object | undefined): boolean {
  return obj === undefined || Object.values(obj).every((v) => v === undefined);
}
