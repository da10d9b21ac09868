// A disk on a volume is opened with the volume's format: each format libvirt knows for a file
// volume maps to the driver type QEMU reads it with, or to none.
import { describe, expect, it } from 'vitest';
import { driverFormatOf } from '../../../src/resources/storage-volume/formats.js';
import { VOLUME_FORMATS, type VolumeFormat } from '../../../src/resources/storage-volume/schema.js';
import { diskFormat } from '../../../src/resources/domain/resolve.js';
import { createDesiredState } from '../../../src/manifests/desired-state.js';
import { formatError } from '../../../src/manifests/errors.js';
import { loadFromSources } from '../../../src/manifests/load-sources.js';

/** Errors of one pool + volume of this format, through the whole loader (schema and checks). */
function volumeErrors(format: string): string[] {
  const text = `apiVersion: virtkeeper.io/v1
kind: StoragePool
metadata: {name: images}
spec: {type: dir, path: /var/lib/libvirt/images}
---
apiVersion: virtkeeper.io/v1
kind: StorageVolume
metadata: {name: v}
spec: {pool: images, capacity: 1GiB, format: ${format}}
`;
  return loadFromSources('.', [{ file: 'v.yaml', bytes: new TextEncoder().encode(text) }]).errors.map(formatError);
}

describe('volume formats', () => {
  // Written out, not VOLUME_FORMATS: dropping one from the schema must fail here. Measured on
  // libvirt 9.0's test driver (virStorageVolCreateXML with each <format type>).
  const LIBVIRT_9_TAKES = [
    'raw',
    'dir',
    'bochs',
    'cloop',
    'dmg',
    'iso',
    'vpc',
    'vdi',
    'fat',
    'vhd',
    'ploop',
    'cow',
    'qcow',
    'qcow2',
    'qed',
    'vmdk',
  ];
  const LIBVIRT_9_REFUSES = ['vhdx', 'luks', 'parallels', 'unknown', 'none'];

  it.each(LIBVIRT_9_TAKES)('%s is accepted', (format) => {
    expect(volumeErrors(format)).toEqual([]);
  });

  it.each(LIBVIRT_9_REFUSES)('%s is refused', (format) => {
    expect(volumeErrors(format)).toHaveLength(1);
  });
});

describe('volume format → disk driver type', () => {
  it('maps every volume format', () => {
    const mapped = Object.fromEntries(VOLUME_FORMATS.map((f) => [f, driverFormatOf(f) ?? null]));
    expect(mapped).toEqual({
      raw: 'raw',
      iso: 'raw',
      vhd: 'vpc',
      qcow2: 'qcow2',
      qcow: 'qcow',
      qed: 'qed',
      vmdk: 'vmdk',
      vdi: 'vdi',
      vpc: 'vpc',
      cloop: 'cloop',
      dmg: 'dmg',
      bochs: 'bochs',
      dir: null,
      fat: null,
      ploop: null,
      cow: null,
    });
  });

  it("a disk without its own format takes its volume's", () => {
    const volume = (name: string, format: VolumeFormat) => ({
      manifest: {
        apiVersion: 'virtkeeper.io/v1' as const,
        kind: 'StorageVolume' as const,
        metadata: { name },
        spec: { pool: 'images', capacity: '1GiB', format },
      },
      source: { file: 'v.yaml', line: 1, column: 1 },
    });
    const desired = createDesiredState('.', [volume('a.vmdk', 'vmdk'), volume('b.vhd', 'vhd'), volume('c.iso', 'iso')]);
    const disk = (name: string) => ({ target: 'vda', volume: { pool: 'images', name } });
    expect(diskFormat(disk('a.vmdk'), desired)).toBe('vmdk');
    expect(diskFormat(disk('b.vhd'), desired)).toBe('vpc');
    expect(diskFormat(disk('c.iso'), desired)).toBe('raw');
    expect(diskFormat({ ...disk('a.vmdk'), format: 'raw' }, desired)).toBe('raw');
  });
});
