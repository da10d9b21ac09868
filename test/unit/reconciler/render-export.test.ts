import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toManifests } from '../../../src/cli/commands/export.js';
import type { LiveResource } from '../../../src/resources/types.js';

function live(kind: LiveResource['kind'], name: string, spec: Record<string, unknown>, persistent = true): LiveResource {
  const key = kind === 'StorageVolume' ? `StorageVolume/${String(spec.pool)}/${name}` : `${kind}/${name}`;
  return { key, kind, name, spec, active: true, persistent, markedOwned: false } as LiveResource;
}

describe('toManifests (export)', () => {
  it('writes one manifest per persistent object in kind order, without undefined fields', () => {
    const out = toManifests([
      live('Domain', 'web-1', { memory: '2GiB', title: undefined, disks: [{ target: 'vda', bus: undefined }] }),
      live('StorageVolume', 'root.qcow2', { pool: 'images', capacity: '20GiB' }),
      live('Network', 'lan', { bridge: 'virbr10' }),
      live('Network', 'transient', {}, false),
    ]);
    expect(out.map((e) => e.file)).toEqual(['network-lan.yaml', 'storage-volume-images-root.qcow2.yaml', 'domain-web-1.yaml']);
    expect(out[2].text).toBe(
      'apiVersion: virtkeeper.io/v1\nkind: Domain\nmetadata:\n  name: web-1\nspec:\n  memory: 2GiB\n  disks:\n    - target: vda\n',
    );
    expect(parse(out[1].text)).toEqual({
      apiVersion: 'virtkeeper.io/v1',
      kind: 'StorageVolume',
      metadata: { name: 'root.qcow2' },
      spec: { pool: 'images', capacity: '20GiB' },
    });
  });

  it('filters by name', () => {
    const out = toManifests([live('Network', 'a', {}), live('Domain', 'a', { memory: 1 }), live('Network', 'b', {})], { name: 'a' });
    expect(out.map((e) => e.manifest.kind)).toEqual(['Network', 'Domain']);
  });
});
