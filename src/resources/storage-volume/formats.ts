// How volume formats meet QEMU disks. Pure.
import { DISK_FORMATS, type DiskFormat, type VolumeFormat } from './schema.js';

/**
 * The driver type QEMU opens a volume format with: iso is raw to it, VHD is its vpc driver;
 * undefined for formats no QEMU disk reads (dir, fat, ploop, cow).
 */
export function driverFormatOf(format: VolumeFormat): DiskFormat | undefined {
  if (format === 'iso') return 'raw';
  if (format === 'vhd') return 'vpc';
  return isDiskFormat(format) ? format : undefined;
}

export function isDiskFormat(t: string): t is DiskFormat {
  return (DISK_FORMATS as readonly string[]).includes(t);
}
