import { describe, expect, it } from 'vitest';
import { formatSize, parseSize, SizeError } from '../../../src/manifests/units.js';

describe('parseSize', () => {
  it.each([
    ['2GiB', 2 * 2 ** 30],
    ['512MiB', 512 * 2 ** 20],
    ['1TiB', 2 ** 40],
    ['64KiB', 64 * 1024],
    ['1073741824B', 1073741824],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['1 GiB', 2 ** 30],
    ['2048', 2048 * 1024],
    [2048, 2048 * 1024],
    [0, 0],
  ] as const)('%s → %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each(['2GB', '2 gib', '-1GiB', '', 'GiB', '1e3KiB', '0x10MiB'])('rejects %j', (input) => {
    expect(() => parseSize(input)).toThrow(SizeError);
  });

  it('rejects fractions of a byte and non-integer KiB', () => {
    expect(() => parseSize('1.1GiB')).toThrow(/whole number of bytes/);
    expect(() => parseSize('0.5B')).toThrow(SizeError);
    expect(() => parseSize(1.5)).toThrow(SizeError);
    expect(() => parseSize(-1)).toThrow(SizeError);
  });

  it('rejects sizes beyond 2^53 bytes instead of losing precision', () => {
    expect(parseSize('7PiB')).toBe(7 * 2 ** 50);
    expect(() => parseSize('8PiB')).toThrow(/too large/);
    expect(() => parseSize(2 ** 50)).toThrow(/too large/);
  });
});

describe('formatSize', () => {
  it('uses the largest exact unit', () => {
    expect(formatSize(2 ** 31)).toBe('2GiB');
    expect(formatSize(1536 * 2 ** 20)).toBe('1536MiB');
    expect(formatSize(1000)).toBe('1000B');
    expect(parseSize(formatSize(123 * 2 ** 40))).toBe(123 * 2 ** 40);
  });
});
