// Sizes as users write them. Only binary (IEC) units are accepted: "GB" would be ambiguous
// (libvirt reads it as 10^9, most people mean 2^30), so we refuse it rather than guess.
import type { Size } from './types.js';

const UNIT_BYTES: Record<string, number> = {
  B: 1,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
};

/** Same grammar as the `size` pattern in the schemas. */
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)?\\s*(B|KiB|MiB|GiB|TiB|PiB)?$';
const SIZE_RE = /^([0-9]+)(?:\.([0-9]+))?\s*(B|KiB|MiB|GiB|TiB|PiB)?$/;

export class SizeError extends Error {
  override name = 'SizeError';
}

/**
 * Bytes for a Size: "2GiB", "1.5GiB", "1073741824B", "2048" or 2048 (KiB).
 * Throws SizeError for malformed input, fractional bytes or results beyond 2^53.
 */
export function parseSize(size: Size): number {
  if (typeof size === 'number') {
    if (!Number.isInteger(size) || size < 0) throw new SizeError('must be a whole number of KiB or a size like 2GiB');
    return checked(size * 1024);
  }
  const m = SIZE_RE.exec(size.trim());
  if (!m) throw new SizeError('must be a size like 2GiB (units B, KiB, MiB, GiB, TiB, PiB; a bare number is KiB)');
  const [, whole, fraction = '', unit = 'KiB'] = m;
  const multiplier = UNIT_BYTES[unit];
  // Exact decimal arithmetic: "1.1GiB" must not become 1181116006.4000001.
  const decimals = fraction.length;
  const digits = BigInt(whole + fraction);
  const scaled = digits * BigInt(multiplier);
  const divisor = 10n ** BigInt(decimals);
  if (scaled % divisor !== 0n) throw new SizeError('is not a whole number of bytes');
  const bytes = scaled / divisor;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw new SizeError('is too large (over 8 PiB)');
  return Number(bytes);
}

function checked(bytes: number): number {
  if (bytes > Number.MAX_SAFE_INTEGER) throw new SizeError('is too large (over 8 PiB)');
  return bytes;
}

/** Largest unit that divides the byte count exactly: 2147483648 → "2GiB". */
export function formatSize(bytes: number): string {
  const units = ['PiB', 'TiB', 'GiB', 'MiB', 'KiB'] as const;
  for (const u of units) {
    const m = UNIT_BYTES[u];
    if (bytes >= m && bytes % m === 0) return `${bytes / m}${u}`;
  }
  return `${bytes}B`;
}

/** An approximate size for people to read: 314572800 → "300.0 MiB", 512 → "512 B". */
export function formatBytes(bytes: number | bigint): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = Number(bytes);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
