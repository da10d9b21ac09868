// Manifest durations (spec.shutdownTimeout, spec.detachTimeout) in milliseconds. Pure.
import type { Duration } from './schema.js';

/** "90s" → 90000, "2m" → 120000, 45 → 45000; the schema has checked the form. */
export function durationMs(d: Duration | undefined, fallback: number): number {
  if (d === undefined) return fallback;
  if (typeof d === 'number') return d * 1000;
  const m = /^(\d+)(s|m)$/.exec(d.trim());
  if (!m) return fallback;
  return Number(m[1]) * (m[2] === 'm' ? 60_000 : 1000);
}
