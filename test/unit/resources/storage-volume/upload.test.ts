// Upload planning and the streaming checks on volume content (size, SHA-256), without libvirt.
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkedContent,
  checksumProblem,
  sizeProblem,
  VolumeContentError,
} from '../../../../src/resources/storage-volume/content-check.js';
import { localSourceSize, UploadSourceError } from '../../../../src/resources/storage-volume/upload-source.js';
import { storageVolumeKind } from '../../../../src/resources/storage-volume/index.js';
import { contextOf, loaded, manifest } from '../common/live.js';

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield Buffer.from(p);
}

async function drain(source: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const c of source) out += Buffer.from(c).toString();
  return out;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('checkedContent', () => {
  it('passes content through unchanged when size and checksum match (checksum in any case)', async () => {
    const out = await drain(checkedContent(chunks('abc', 'def'), { label: 'img', capacityBytes: 6n, sha256: sha('abcdef').toUpperCase() }));
    expect(out).toBe('abcdef');
  });

  it('fails after the last chunk, before the consumer could finish, when the checksum differs', async () => {
    const seen: string[] = [];
    const run = async () => {
      for await (const c of checkedContent(chunks('abc', 'def'), { label: 'http://x/img', capacityBytes: 100n, sha256: sha('other') })) {
        seen.push(Buffer.from(c).toString());
      }
      seen.push('finished');
    };
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VolumeContentError);
    expect((err as Error).message).toBe(`http://x/img: SHA-256 is ${sha('abcdef')}, the manifest expects ${sha('other')}`);
    expect(seen).toEqual(['abc', 'def']);
  });

  it('stops before the chunk that would overflow the capacity', async () => {
    const seen: string[] = [];
    const run = async () => {
      for await (const c of checkedContent(chunks('abcd', 'efgh'), { label: 'img', capacityBytes: 6n }))
        seen.push(Buffer.from(c).toString());
    };
    await expect(run()).rejects.toThrow("img is at least 8 bytes, larger than the volume's capacity of 6 bytes; raise spec.capacity");
    expect(seen).toEqual(['abcd']);
  });

  it('without a checksum only the size is checked', async () => {
    expect(await drain(checkedContent(chunks('x'), { label: 'img', capacityBytes: 1n }))).toBe('x');
  });
});

describe('size and checksum messages', () => {
  it('name both sizes, with units when exact', () => {
    expect(sizeProblem('a.iso', 2n * 2n ** 20n, 2n ** 20n)).toBe(
      "a.iso is 2MiB (2097152 bytes), larger than the volume's capacity of 1MiB (1048576 bytes); raise spec.capacity",
    );
    expect(sizeProblem('a.iso', 10n, 10n)).toBeUndefined();
    expect(checksumProblem('a', 'AB', 'ab')).toBeUndefined();
  });
});

describe('localSourceSize', () => {
  it('gives the size of a file and says what is wrong with anything else', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-src-'));
    await writeFile(path.join(dir, 'f'), 'hello');
    await mkdir(path.join(dir, 'd'));
    expect(await localSourceSize(path.join(dir, 'f'))).toBe(5n);
    await expect(localSourceSize(path.join(dir, 'missing'))).rejects.toThrow(`source file ${path.join(dir, 'missing')} does not exist`);
    await expect(localSourceSize(path.join(dir, 'd'))).rejects.toThrow(UploadSourceError);
  });
});

describe('upload step planning', () => {
  const POOL = loaded(manifest('StoragePool', 'images', { type: 'dir', path: '/var/lib/libvirt/images' }));

  it('carries source, checksum and the capacity in bytes', () => {
    const m = manifest('StorageVolume', 'disk.img', {
      pool: 'images',
      capacity: '1GiB',
      source: { path: '/srv/disk.img', sha256: sha('x') },
    });
    const change = storageVolumeKind.plan(loaded(m), undefined, contextOf([loaded(m), POOL]));
    expect(change.steps[1]).toEqual({
      op: 'upload',
      description: 'upload /srv/disk.img into volume images/disk.img',
      payload: { pool: 'images', name: 'disk.img', url: undefined, path: '/srv/disk.img', sha256: sha('x'), capacity: 2 ** 30 },
    });
  });

  it('an existing volume is never uploaded to again', () => {
    const m = manifest('StorageVolume', 'disk.img', { pool: 'images', capacity: '1GiB', source: { url: 'http://127.0.0.1/x' } });
    const live = {
      key: 'StorageVolume/images/disk.img',
      kind: 'StorageVolume' as const,
      name: 'disk.img',
      xml: "<volume><name>disk.img</name><capacity unit='bytes'>1073741824</capacity></volume>",
      spec: { pool: 'images', capacity: '1GiB' },
      active: true,
      persistent: true,
      markedOwned: false,
    };
    expect(storageVolumeKind.plan(loaded(m), live, contextOf([loaded(m), POOL], [live])).action).toBe('no-op');
  });
});
