// Memory sizes between manifest notation and libvirt's <memory unit=...> elements.
import { formatSize, parseSize } from '../../manifests/units.js';
import type { Size } from '../../manifests/types.js';
import { scaledToBytes } from '../common/scaled.js';

/** KiB for a manifest size; libvirt keeps memory in KiB, so partial KiB round up as libvirt does. */
export function sizeToKiB(size: Size): number {
  return Math.ceil(parseSize(size) / 1024);
}

/** Bytes for a libvirt memory element's text and unit attribute (default KiB). */
export function libvirtMemoryToBytes(value: string, unit: string | undefined): number | undefined {
  // libvirt's scaled integers (virScaleInteger): it prints KiB, but hand-written XML may use any unit.
  const bytes = scaledToBytes(value, unit, 'KiB');
  return bytes !== undefined && bytes >= 0 ? bytes : undefined;
}

/** Most natural manifest notation: 2147483648 → "2GiB", 1536 KiB → "1536KiB". */
export function bytesToSize(bytes: number): string {
  return formatSize(bytes);
}
