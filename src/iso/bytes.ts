// Field encoders of ECMA-119 (ISO 9660), 2nd edition (1987). Every multi-byte number in a volume
// descriptor or directory record is written in one of the byte orders of section 7, and every date
// in one of the two formats of 8.4.26.1 and 9.1.5. Kept apart so each structure's module reads
// like the table in the standard.

/** ECMA-119 6.1.2: a logical sector is 2048 bytes on every medium we write. */
export const SECTOR = 2048;

/** Sectors needed to hold `bytes` (a zero-length extent still occupies no sector). */
export function sectorsFor(bytes: number): number {
  return Math.ceil(bytes / SECTOR);
}

/** ECMA-119 7.2.1: 16-bit, least significant byte first. */
export function u16le(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value & 0xff;
  buf[at + 1] = (value >>> 8) & 0xff;
}

/** ECMA-119 7.2.2: 16-bit, most significant byte first. */
export function u16be(buf: Uint8Array, at: number, value: number): void {
  buf[at] = (value >>> 8) & 0xff;
  buf[at + 1] = value & 0xff;
}

/** ECMA-119 7.2.3: 16-bit in both byte orders (LSB copy first), 4 bytes. */
export function u16both(buf: Uint8Array, at: number, value: number): void {
  u16le(buf, at, value);
  u16be(buf, at + 2, value);
}

/** ECMA-119 7.3.1: 32-bit, least significant byte first. */
export function u32le(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value & 0xff;
  buf[at + 1] = (value >>> 8) & 0xff;
  buf[at + 2] = (value >>> 16) & 0xff;
  buf[at + 3] = (value >>> 24) & 0xff;
}

/** ECMA-119 7.3.2: 32-bit, most significant byte first. */
export function u32be(buf: Uint8Array, at: number, value: number): void {
  buf[at] = (value >>> 24) & 0xff;
  buf[at + 1] = (value >>> 16) & 0xff;
  buf[at + 2] = (value >>> 8) & 0xff;
  buf[at + 3] = value & 0xff;
}

/** ECMA-119 7.3.3: 32-bit in both byte orders (LSB copy first), 8 bytes. */
export function u32both(buf: Uint8Array, at: number, value: number): void {
  u32le(buf, at, value);
  u32be(buf, at + 4, value);
}

/** ASCII text padded with spaces (ECMA-119 7.4.3.1: a/d-character fields are filled with 0x20). */
export function asciiField(buf: Uint8Array, at: number, length: number, text: string): void {
  buf.fill(0x20, at, at + length);
  for (let i = 0; i < text.length && i < length; i++) buf[at + i] = text.charCodeAt(i);
}

/**
 * UCS-2 big-endian text padded with U+0020 (Joliet specification, "Supplementary Volume
 * Descriptor": identifier fields hold UCS-2 characters, most significant byte first).
 */
export function ucs2Field(buf: Uint8Array, at: number, length: number, text: string): void {
  for (let i = 0; i + 1 < length; i += 2) {
    buf[at + i] = 0x00;
    buf[at + i + 1] = 0x20;
  }
  const bytes = ucs2(text);
  buf.set(bytes.subarray(0, length - (length % 2)), at);
}

/** UCS-2 big-endian encoding of a string (callers have already refused characters above U+FFFF). */
export function ucs2(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) u16be(out, i * 2, text.charCodeAt(i));
  return out;
}

/**
 * ECMA-119 8.4.26.1: the 17-byte date of volume descriptors — 16 ASCII digits YYYYMMDDHHMMSScc
 * and a signed offset from GMT in 15-minute units. We always write UTC (offset 0) so the bytes do
 * not depend on the machine's time zone.
 */
export function volumeDate(buf: Uint8Array, at: number, date: Date | undefined): void {
  if (date === undefined) {
    // 8.4.26.1: "not specified" is all digits zero and a zero offset.
    asciiField(buf, at, 16, '0000000000000000');
    buf[at + 16] = 0;
    return;
  }
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const text =
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2) +
    pad(Math.floor(date.getUTCMilliseconds() / 10), 2);
  asciiField(buf, at, 16, text);
  buf[at + 16] = 0;
}

/**
 * ECMA-119 9.1.5: the 7-byte recording date of directory records (years since 1900, month, day,
 * hour, minute, second, GMT offset). Rock Ridge's TF entry (RRIP 4.1.6) uses the same format.
 */
export function recordDate(buf: Uint8Array, at: number, date: Date): void {
  buf[at] = date.getUTCFullYear() - 1900;
  buf[at + 1] = date.getUTCMonth() + 1;
  buf[at + 2] = date.getUTCDate();
  buf[at + 3] = date.getUTCHours();
  buf[at + 4] = date.getUTCMinutes();
  buf[at + 5] = date.getUTCSeconds();
  buf[at + 6] = 0;
}
