// What a Domain's cloudInit becomes: a digest-named ISO volume and a read-only cdrom; which
// recorded volumes count as superseded seeds.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildSeedImage, deriveSeed, isSupersededSeed } from '../../../src/cloud-init/domain-seed.js';
import { NoCloudInputError } from '../../../src/cloud-init/nocloud.js';
import { createDesiredState } from '../../../src/manifests/desired-state.js';
import type { DomainManifest, DomainSpec } from '../../../src/resources/domain/schema.js';

const domain = (spec: Partial<DomainSpec>, annotations?: Record<string, string>): DomainManifest => ({
  apiVersion: 'virtkeeper.io/v1',
  kind: 'Domain',
  metadata: { name: 'web-1', ...(annotations ? { annotations } : {}) },
  spec: { memory: '256MiB', ...spec },
});

describe('deriveSeed', () => {
  it('names the volume by the image digest and rebuilds the same image from the files', () => {
    const seed = deriveSeed(domain({ cloudInit: { pool: 'seeds', userData: { packages: ['nginx'] } } }));
    expect(seed.volume.metadata.name).toBe(`web-1-cidata-${seed.sha256.slice(0, 12)}.iso`);
    const files = seed.volume.spec.source!.seed!.files;
    expect(files.map((f) => f.name)).toEqual(['meta-data', 'user-data']);
    const image = buildSeedImage(files);
    expect(createHash('sha256').update(image).digest('hex')).toBe(seed.sha256);
    expect(seed.volume.spec.capacity).toBe(`${image.length / 1024}KiB`);
    // Same input, same volume; other user-data, another volume.
    expect(deriveSeed(domain({ cloudInit: { pool: 'seeds', userData: { packages: ['nginx'] } } })).volume.metadata.name).toBe(
      seed.volume.metadata.name,
    );
    expect(deriveSeed(domain({ cloudInit: { pool: 'seeds', userData: { packages: ['apache2'] } } })).volume.metadata.name).not.toBe(
      seed.volume.metadata.name,
    );
  });

  it('places the cdrom on the first free IDE name, or SATA on q35, and takes the pool of the first volume disk', () => {
    const disks = [
      { target: 'vda', volume: { pool: 'images', name: 'root' } },
      { device: 'cdrom' as const, target: 'hda', bus: 'ide' as const },
    ];
    const pc = deriveSeed(domain({ disks, cloudInit: {} })).domain.spec.disks!.at(-1);
    expect(pc).toMatchObject({ device: 'cdrom', target: 'hdb', bus: 'ide', format: 'raw', readonly: true, volume: { pool: 'images' } });
    const q35 = deriveSeed(
      domain({ os: { machine: 'pc-q35-7.2' }, disks: [{ target: 'sda', file: '/x.img' }], cloudInit: { pool: 'p' } }),
    ).domain.spec.disks!.at(-1);
    expect(q35).toMatchObject({ target: 'sdb', bus: 'sata' });
    expect(() => deriveSeed(domain({ cloudInit: {} }))).toThrow(NoCloudInputError);
  });

  it("gives the seed volume the domain's prune: disabled and marks whose seed it is", () => {
    const seed = deriveSeed(domain({ cloudInit: { pool: 'seeds' } }, { 'virtkeeper.io/prune': 'disabled' }));
    expect(seed.volume.metadata.annotations).toEqual({ 'virtkeeper.io/cloud-init-seed-of': 'web-1', 'virtkeeper.io/prune': 'disabled' });
    expect(seed.domain.spec.cloudInit).toBeUndefined();
  });
});

describe('isSupersededSeed', () => {
  const seed = deriveSeed(domain({ cloudInit: { pool: 'seeds' } }));
  const desired = createDesiredState('/m', [{ manifest: seed.domain, source: { file: 'a.yaml', line: 1, column: 1 } }]);
  const old = { kind: 'StorageVolume', name: 'web-1-cidata-0123456789ab.iso', origin: 'created' as const };

  it('is a seed volume virtkeeper created for a domain that still has a seed cdrom', () => {
    expect(isSupersededSeed(old, desired)).toBe(true);
    expect(isSupersededSeed({ ...old, origin: 'adopted' }, desired)).toBe(false);
    expect(isSupersededSeed({ ...old, name: 'web-1-cidata-0123.iso' }, desired)).toBe(false);
    expect(isSupersededSeed({ ...old, name: 'web-2-cidata-0123456789ab.iso' }, desired)).toBe(false);
    const withoutSeed = createDesiredState('/m', [{ manifest: domain({}), source: { file: 'a.yaml', line: 1, column: 1 } }]);
    expect(isSupersededSeed(old, withoutSeed)).toBe(false);
  });
});

describe('deleting a seed volume', () => {
  it('needs no allow-delete only when the planner found it a superseded seed virtkeeper created', async () => {
    const { planVolume } = await import('../../../src/resources/storage-volume/plan.js');
    const name = 'web-1-cidata-0123456789ab.iso';
    const live = {
      key: `StorageVolume/seeds/${name}`,
      kind: 'StorageVolume' as const,
      name,
      xml: '',
      active: true,
      persistent: true,
      markedOwned: false,
      spec: { pool: 'seeds', capacity: '58KiB', format: 'iso' as const },
    };
    const seed = deriveSeed(domain({ cloudInit: { pool: 'seeds' } }));
    const desired = createDesiredState('/m', [{ manifest: seed.domain, source: { file: 'a.yaml', line: 1, column: 1 } }]);
    // An adopted volume that happens to be named like a seed keeps the pool's allow-delete rule.
    const adopted = planVolume(undefined, live, { desired, live: new Map() });
    expect(adopted.refused).toMatch(/allow-delete/);
    const superseded = planVolume(undefined, live, { desired, live: new Map(), supersededSeeds: new Set([live.key]) });
    expect(superseded.refused).toBeUndefined();
    expect(superseded.reason).toBe('replaced by a newer cloud-init seed of its domain');
  });
});
