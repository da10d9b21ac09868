// The ISO writer's images read back by independent implementations: isoinfo (genisoimage's
// reader, which reads each tree on its own), xorriso (libisofs, a different code base) and blkid
// (util-linux, what cloud-init uses to find the cidata label). Every file is compared byte for
// byte in the Rock Ridge, the Joliet and the plain ECMA-119 tree.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIso, type IsoFile } from '../../../src/iso/index.js';
import { buildSeedImage, deriveSeed } from '../../../src/cloud-init/domain-seed.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'vk-iso-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const env = { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` };

/** Deterministic bytes that differ at every offset, so a misplaced extent cannot go unnoticed. */
function bytes(length: number, seed: string): Uint8Array {
  const out = new Uint8Array(length);
  let block = createHash('sha256').update(seed).digest();
  for (let at = 0; at < length; at += block.length) {
    out.set(block.subarray(0, Math.min(block.length, length - at)), at);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

const text = (s: string) => new TextEncoder().encode(s);
const LONG_NAME = 'a-name-of-exactly-sixty-four-characters-which-joliet-still-holds';

const files: IsoFile[] = [
  { name: 'user-data', data: text('#cloud-config\nhostname: web-1\n') },
  { name: 'meta-data', data: text('instance-id: iid-1\nlocal-hostname: web-1\n') },
  { name: 'network-config', data: text('version: 2\nethernets: {eth0: {dhcp4: true}}\n') },
  { name: 'vendor-data', data: text('') },
  { name: 'size-1', data: bytes(1, 'one') },
  { name: 'size-2047', data: bytes(2047, 'a') },
  { name: 'size-2048', data: bytes(2048, 'b') },
  { name: 'size-2049', data: bytes(2049, 'c') },
  { name: 'big.bin', data: bytes(300 * 1024, 'big') },
  // Folds to USER_DAT like user-data: the primary tree must give it another 8.3 name.
  { name: 'user-data2', data: text('second') },
  { name: LONG_NAME, data: text('long') },
  { name: 'scripts/deeper/setup.sh', data: text('#!/bin/sh\necho hi\n') },
];
const date = new Date('2024-05-06T07:08:09Z');

function run(program: 'isoinfo' | 'xorriso' | 'blkid', args: string[]): { stdout: Buffer; stderr: string } {
  const r =
    program === 'isoinfo'
      ? spawnSync('isoinfo', args, { env, maxBuffer: 64 << 20 })
      : program === 'xorriso'
        ? spawnSync('xorriso', args, { env, maxBuffer: 64 << 20 })
        : spawnSync('blkid', args, { env });
  if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return { stdout: r.stdout, stderr: r.stderr.toString() };
}

function writeImage(name: string, image: Uint8Array): string {
  const file = path.join(work, name);
  writeFileSync(file, image);
  return file;
}

/** Every regular file under `dir`, as '/'-separated relative paths. */
function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      return statSync(full).isDirectory() ? walk(full, rel) : [rel];
    });
}

/** Extracts the whole image with xorriso, reading the tree `readFs` selects. */
function xorrisoExtract(iso: string, readFs: 'any' | 'norock' | 'ecma119'): { dir: string; stderr: string } {
  const dir = mkdtempSync(path.join(work, `x-${readFs}-`));
  rmSync(dir, { recursive: true });
  const { stderr } = run('xorriso', ['-read_fs', readFs, '-indev', iso, '-osirrox', 'on', '-extract', '/', dir]);
  return { dir, stderr };
}

describe('an image with every awkward size, read back by isoinfo, xorriso and blkid', () => {
  const image = buildIso({ volumeId: 'cidata', files, date });
  const iso = writeImage('awkward.iso', image);

  it('isoinfo -d sees volume id cidata, Joliet level 3, Rock Ridge, and the real volume size', () => {
    const out = run('isoinfo', ['-d', '-i', iso]).stdout.toString();
    expect(out).toMatch(/^Volume id: cidata$/m);
    expect(out).toMatch(/^Joliet with UCS level 3 found$/m);
    expect(out).toMatch(/^Rock Ridge signatures version 1 found$/m);
    expect(out).toMatch(new RegExp(`^Volume size is: ${image.length / 2048}$`, 'm'));
    expect(out).toMatch(/^Logical block size is: 2048$/m);
  });

  it('isoinfo -J -x and -R -x return every file byte for byte by its real name', () => {
    for (const f of files) {
      expect(Buffer.compare(run('isoinfo', ['-J', '-i', iso, '-x', `/${f.name}`]).stdout, Buffer.from(f.data)), `Joliet /${f.name}`).toBe(
        0,
      );
      expect(
        Buffer.compare(run('isoinfo', ['-R', '-i', iso, '-x', `/${f.name}`]).stdout, Buffer.from(f.data)),
        `Rock Ridge /${f.name}`,
      ).toBe(0);
    }
  });

  it('isoinfo -R -l lists the real names with Rock Ridge modes, sizes and the fixed date', () => {
    const out = run('isoinfo', ['-R', '-l', '-i', iso]).stdout.toString();
    const root = out.split('Directory listing of /')[1];
    const line = (name: string) => root.split('\n').find((l) => l.trimEnd().endsWith(`  ${name}`));
    const networkConfigSize = files.find((f) => f.name === 'network-config')!.data.length;
    expect(line('network-config')).toMatch(new RegExp(`^-r--r--r--\\s+1\\s+0\\s+0\\s+${networkConfigSize} May  6 2024 `));
    expect(line('big.bin')).toMatch(/^-r--r--r--\s+1\s+0\s+0\s+307200 /);
    expect(line('vendor-data')).toMatch(/^-r--r--r--\s+1\s+0\s+0\s+0 /);
    expect(line('scripts')).toMatch(/^dr-xr-xr-x\s+3\s+0\s+0\s+2048 /);
    expect(line(LONG_NAME)).toBeDefined();
  });

  it('xorriso extracts the Rock Ridge tree: the same files, the same bytes, read-only modes, no warnings', () => {
    const { dir, stderr } = xorrisoExtract(iso, 'any');
    expect(stderr).not.toMatch(/WARNING|SORRY|FAILURE/);
    expect(walk(dir)).toEqual(files.map((f) => f.name).sort());
    for (const f of files) expect(Buffer.compare(readFileSync(path.join(dir, f.name)), Buffer.from(f.data)), f.name).toBe(0);
    // 0444 comes from our PX entries; the Joliet tree has no modes and xorriso gives it 0555.
    expect(statSync(path.join(dir, 'user-data')).mode & 0o777).toBe(0o444);
  });

  it('xorriso extracts the Joliet tree alone: real names and the same bytes', () => {
    const { dir, stderr } = xorrisoExtract(iso, 'norock');
    expect(stderr).not.toMatch(/WARNING|SORRY|FAILURE/);
    expect(walk(dir)).toEqual(files.map((f) => f.name).sort());
    for (const f of files) expect(Buffer.compare(readFileSync(path.join(dir, f.name)), Buffer.from(f.data)), f.name).toBe(0);
    expect(statSync(path.join(dir, 'user-data')).mode & 0o777).toBe(0o555);
  });

  it('xorriso extracts the plain ECMA-119 tree: level 1 names (8.3, collisions numbered), the same bytes', () => {
    const { dir, stderr } = xorrisoExtract(iso, 'ecma119');
    expect(stderr).not.toMatch(/WARNING|SORRY|FAILURE/);
    const primaryName: Record<string, string> = {
      'user-data': 'USER_DAT',
      'user-data2': 'USER_DA1',
      'meta-data': 'META_DAT',
      'network-config': 'NETWORK_',
      'vendor-data': 'VENDOR_D',
      'size-1': 'SIZE_1',
      'size-2047': 'SIZE_204',
      'size-2048': 'SIZE_201',
      'size-2049': 'SIZE_202',
      'big.bin': 'BIG.BIN',
      [LONG_NAME]: 'A_NAME_O',
      'scripts/deeper/setup.sh': 'SCRIPTS/DEEPER/SETUP.SH',
    };
    expect(walk(dir)).toEqual(Object.values(primaryName).sort());
    for (const f of files) expect(Buffer.compare(readFileSync(path.join(dir, primaryName[f.name])), Buffer.from(f.data)), f.name).toBe(0);
  });

  it('blkid reports an iso9660 filesystem labelled cidata, which is how cloud-init finds the seed', () => {
    expect(run('blkid', ['-o', 'value', '-s', 'LABEL', iso]).stdout.toString().trim()).toBe('cidata');
    expect(run('blkid', ['-o', 'value', '-s', 'TYPE', iso]).stdout.toString().trim()).toBe('iso9660');
  });
});

describe('edge images', () => {
  it('an image without files is still valid for every reader', () => {
    const iso = writeImage('empty.iso', buildIso({ volumeId: 'cidata', files: [], date }));
    expect(run('isoinfo', ['-d', '-i', iso]).stdout.toString()).toMatch(/^Volume id: cidata$/m);
    const { dir, stderr } = xorrisoExtract(iso, 'any');
    expect(stderr).not.toMatch(/WARNING|SORRY|FAILURE/);
    expect(walk(dir)).toEqual([]);
  });

  it('a directory of 200 entries spans several sectors and every entry is still found', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ name: `file-number-${String(i).padStart(3, '0')}`, data: text(`#${i}`) }));
    const iso = writeImage('many.iso', buildIso({ volumeId: 'cidata', files: many, date }));
    for (const readFs of ['any', 'norock', 'ecma119'] as const) {
      const { dir, stderr } = xorrisoExtract(iso, readFs);
      expect(stderr).not.toMatch(/WARNING|SORRY|FAILURE/);
      expect(walk(dir)).toHaveLength(200);
    }
    expect(run('isoinfo', ['-R', '-i', iso, '-x', '/file-number-199']).stdout.toString()).toBe('#199');
    expect(run('isoinfo', ['-J', '-i', iso, '-x', '/file-number-150']).stdout.toString()).toBe('#150');
  });
});

describe('a NoCloud seed image', () => {
  it('holds the rendered files under their real names in a cidata volume', () => {
    const seed = deriveSeed({
      apiVersion: 'virtkeeper.io/v1',
      kind: 'Domain',
      metadata: { name: 'web-1' },
      spec: {
        memory: '256MiB',
        cloudInit: {
          pool: 'seeds',
          userData: { packages: ['nginx'] },
          networkConfig: { version: 2, ethernets: { eth0: { dhcp4: true } } },
        },
      },
    });
    const { instanceId } = seed;
    const image = buildSeedImage(seed.volume.spec.source!.seed!.files);
    const iso = writeImage('seed.iso', image);
    expect(run('blkid', ['-o', 'value', '-s', 'LABEL', iso]).stdout.toString().trim()).toBe('cidata');
    const read = (name: string) => run('isoinfo', ['-J', '-i', iso, '-x', `/${name}`]).stdout.toString();
    expect(read('meta-data')).toBe(`instance-id: ${instanceId}\nlocal-hostname: web-1\n`);
    expect(read('user-data')).toBe('#cloud-config\npackages:\n  - nginx\n');
    expect(read('network-config')).toBe('version: 2\nethernets:\n  eth0:\n    dhcp4: true\n');
    expect(run('isoinfo', ['-R', '-i', iso, '-x', '/meta-data']).stdout.toString()).toBe(read('meta-data'));
  });
});
