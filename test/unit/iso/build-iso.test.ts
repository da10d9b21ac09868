// The writer's own guarantees, checked on the bytes: determinism, the descriptor fields readers
// rely on, the 8.3 names, the packing rule of directory records, and one-line input errors.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildIso, IsoInputError, SECTOR, type IsoFile } from '../../../src/iso/index.js';
import { compareIdentifiers, primaryIdentifiers } from '../../../src/iso/names.js';
import { packRecords } from '../../../src/iso/records.js';

const text = (s: string) => new TextEncoder().encode(s);
const date = new Date('2024-05-06T07:08:09Z');
const seedFiles: IsoFile[] = [
  { name: 'user-data', data: text('#cloud-config\n') },
  { name: 'meta-data', data: text('instance-id: a\n') },
  { name: 'network-config', data: text('version: 2\n') },
];
const digest = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const ascii = (b: Uint8Array, from: number, length: number) => Buffer.from(b.subarray(from, from + length)).toString('latin1');
const le32 = (b: Uint8Array, at: number) => Buffer.from(b).readUInt32LE(at);
const be32 = (b: Uint8Array, at: number) => Buffer.from(b).readUInt32BE(at);

describe('buildIso determinism', () => {
  it('gives the same bytes for the same input, whatever the order of the files', () => {
    const a = buildIso({ volumeId: 'cidata', files: seedFiles, date });
    const b = buildIso({ volumeId: 'cidata', files: [...seedFiles].reverse(), date: new Date(date.getTime()) });
    expect(digest(b)).toBe(digest(a));
  });

  it('changes the bytes when the date or a file changes', () => {
    const a = digest(buildIso({ volumeId: 'cidata', files: seedFiles, date }));
    expect(digest(buildIso({ volumeId: 'cidata', files: seedFiles, date: new Date('2024-05-06T07:08:10Z') }))).not.toBe(a);
    const edited = seedFiles.map((f) => (f.name === 'user-data' ? { ...f, data: text('#cloud-config\n#') } : f));
    expect(digest(buildIso({ volumeId: 'cidata', files: edited, date }))).not.toBe(a);
  });

  it('does not depend on the time zone of the machine (every date is written in UTC)', () => {
    const image = buildIso({ volumeId: 'cidata', files: seedFiles, date });
    expect(ascii(image, 16 * SECTOR + 813, 17)).toBe('2024050607080900\0');
  });
});

describe('buildIso descriptors', () => {
  const image = buildIso({ volumeId: 'cidata', files: seedFiles, date });
  const pvd = 16 * SECTOR;
  const svd = 17 * SECTOR;

  it('writes the primary descriptor, the Joliet descriptor and the terminator in sectors 16–18', () => {
    expect([image[pvd], ascii(image, pvd + 1, 5), image[pvd + 6]]).toEqual([1, 'CD001', 1]);
    expect([image[svd], ascii(image, svd + 1, 5), ascii(image, svd + 88, 3)]).toEqual([2, 'CD001', '%/E']);
    expect([image[18 * SECTOR], ascii(image, 18 * SECTOR + 1, 5)]).toEqual([255, 'CD001']);
    expect(image.subarray(0, 16 * SECTOR).every((b) => b === 0)).toBe(true);
  });

  it('labels both volumes cidata (ASCII padded with spaces, UCS-2 padded with U+0020)', () => {
    expect(ascii(image, pvd + 40, 32)).toBe('cidata'.padEnd(32, ' '));
    expect(
      Buffer.from(image.subarray(svd + 40, svd + 72))
        .swap16()
        .toString('utf16le'),
    ).toBe('cidata'.padEnd(16, ' '));
  });

  it('records the volume size in both byte orders, equal to the image length', () => {
    for (const at of [pvd, svd]) {
      expect(le32(image, at + 80)).toBe(image.length / SECTOR);
      expect(be32(image, at + 84)).toBe(image.length / SECTOR);
    }
    expect(image.length % SECTOR).toBe(0);
  });

  it('points the L and M path tables of each tree at a root record with the root extent', () => {
    for (const at of [pvd, svd]) {
      const rootExtent = le32(image, at + 156 + 2);
      const l = le32(image, at + 140);
      const m = be32(image, at + 148);
      expect(le32(image, l * SECTOR + 2)).toBe(rootExtent);
      expect(be32(image, m * SECTOR + 2)).toBe(rootExtent);
      // The root's record in the path table: identifier length 1, parent 1.
      expect([image[l * SECTOR], image[l * SECTOR + 6], image[l * SECTOR + 8]]).toEqual([1, 1, 0]);
    }
  });

  it('opens the root directory of the primary tree with the SUSP SP entry (SUSP 5.3)', () => {
    const rootExtent = le32(image, pvd + 156 + 2);
    const dot = rootExtent * SECTOR;
    const systemUse = dot + 34; // 33 fixed bytes + 1-byte identifier, no pad
    expect([ascii(image, systemUse, 2), image[systemUse + 2], image[systemUse + 4], image[systemUse + 5]]).toEqual(['SP', 7, 0xbe, 0xef]);
  });
});

describe('primary (level 1) identifiers', () => {
  it('folds to upper-case d-characters, 8.3 with the ;1 version, and numbers collisions', () => {
    expect(
      primaryIdentifiers([
        { name: 'meta-data', isDirectory: false },
        { name: 'user-data', isDirectory: false },
        { name: 'user-data.backup', isDirectory: false },
        { name: 'user-dataX', isDirectory: false },
        { name: 'a.tar.gz', isDirectory: false },
        { name: '.hidden', isDirectory: false },
        { name: 'my.dir', isDirectory: true },
      ]),
    ).toEqual(['META_DAT.;1', 'USER_DAT.;1', 'USER_DAT.BAC;1', 'USER_DA1.;1', 'A_TAR.GZ;1', '_HIDDEN.;1', 'MY_DIR']);
  });

  it('orders identifiers by name then extension, padded with spaces (ECMA-119 9.3)', () => {
    const sorted = ['AB.;1', 'A.Z;1', 'A.;1', 'A_.;1'].sort(compareIdentifiers);
    expect(sorted).toEqual(['A.;1', 'A.Z;1', 'AB.;1', 'A_.;1']);
  });
});

describe('directory record packing (ECMA-119 6.8.1.1)', () => {
  it('never lets a record cross a sector boundary and rounds the extent up to whole sectors', () => {
    const { offsets, size } = packRecords([2000, 100, 48]);
    expect(offsets).toEqual([0, SECTOR, SECTOR + 100]);
    expect(size).toBe(2 * SECTOR);
    expect(packRecords([34, 34]).size).toBe(SECTOR);
    expect(packRecords([1024, 1024]).offsets).toEqual([0, 1024]);
  });
});

describe('buildIso input errors: one line naming the entry, the problem and the fix', () => {
  const build =
    (files: IsoFile[], extra: Partial<Parameters<typeof buildIso>[0]> = {}) =>
    () =>
      buildIso({ volumeId: 'cidata', files, date, ...extra });
  const cases: [string, () => unknown, RegExp][] = [
    ['a duplicate', build([seedFiles[0], seedFiles[0]]), /^iso entry "user-data": given twice .*; keep one$/],
    [
      'a file used as a directory',
      build([
        { name: 'a', data: text('') },
        { name: 'a/b', data: text('') },
      ]),
      /^iso entry "a\/b": "a" is a file, not a directory; rename one of them$/,
    ],
    ['a ".." component', build([{ name: 'x/../y', data: text('') }]), /^iso entry "x\/..\/y": name ".." .*reserved/],
    ['an empty component', build([{ name: 'x//y', data: text('') }]), /^iso entry "x\/\/y": name "" is empty; choose another name$/],
    ['a semicolon', build([{ name: 'a;1', data: text('') }]), /name "a;1" contains ";", which Joliet names cannot hold/],
    ['a 65-character name', build([{ name: 'n'.repeat(65), data: text('') }]), /is 65 characters long; Joliet allows at most 64/],
    ['a character outside UCS-2', build([{ name: 'emoji-😀', data: text('') }]), /outside UCS-2/],
    ['nine levels', build([{ name: 'a/b/c/d/e/f/g/h', data: text('') }]), /8 levels deep; ISO 9660 allows at most 7 below the root/],
    [
      'a long volume id',
      build([], { volumeId: 'a-volume-label-too-long' }),
      /^iso volumeId "a-volume-label-too-long": must be 1–16 printable ASCII/,
    ],
    ['a date before 1900', build([], { date: new Date('1899-12-31T00:00:00Z') }), /^iso date year 1899: ISO 9660 records years 1900–2155/],
    ['an invalid date', build([], { date: new Date('nope') }), /^iso date is not a valid date/],
  ];
  for (const [what, run, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(run).toThrow(IsoInputError);
      expect(run).toThrow(message);
    });
  }
});
