// Memory sizes between manifest notation and libvirt's <memory unit=...> elements.
import { formatSize, parseSize } from '../../manifests/units.js';
import type { Size } from '../../manifests/types.js';

// libvirt's scaled-integer units (virScaleInteger): single letters and the *iB forms are binary,
// the *B forms decimal. libvirt itself always prints KiB, but hand-written XML may use any.
const LIBVIRT_UNITS: Record<string, number> = {
  b: 1,
  bytes: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
  p: 1024 ** 5,
  pib: 1024 ** 5,
  pb: 1000 ** 5,
};

/** KiB for a manifest size; libvirt keeps memory in KiB, so partial KiB round up as libvirt does. */
export function sizeToKiB(size: Size): number {
  return Math.ceil(parseSize(size) / 1024);
}

/** Bytes for a libvirt memory element's text and unit attribute (default KiB). */
export function libvirtMemoryToBytes(value: string, unit: string | undefined): number | undefined {
  const n = Number(value.trim());
  if (!Number.isFinite(n) || n < 0) return undefined;
  const mult = LIBVIRT_UNITS[(unit ?? 'KiB').toLowerCase()];
  if (mult === undefined) return undefined;
  return n * mult;
}

/** Most natural manifest notation: 2147483648 → "2GiB", 1536 KiB → "1536KiB". */
export function bytesToSize(bytes: number): string {
  return formatSize(bytes);
}
