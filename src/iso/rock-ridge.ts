// System Use entries of the System Use Sharing Protocol (SUSP, IEEE P1281 1.12) and the Rock Ridge
// Interchange Protocol (RRIP 1.10, "RRIP_1991A", as genisoimage -r writes it). They live in the
// System Use field of primary-tree directory records (ECMA-119 9.1.13) and give POSIX readers the
// real file names (NM), modes (PX) and times (TF) that 8.3 names cannot carry.
import { recordDate, u32both } from './bytes.js';

/** Every SUSP entry starts with a 2-byte signature, its length and its version (SUSP 4.1). */
function entry(signature: string, version: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + data.length);
  out[0] = signature.charCodeAt(0);
  out[1] = signature.charCodeAt(1);
  out[2] = out.length;
  out[3] = version;
  out.set(data, 4);
  return out;
}

/**
 * SUSP 5.3 "SP": only in the first record ('.') of the root directory, first in its System Use
 * field. Check bytes BE EF tell a reader SUSP is in use; LEN_SKP 0 says entries start at byte 0.
 */
export function sp(): Uint8Array {
  return entry('SP', 1, Uint8Array.of(0xbe, 0xef, 0));
}

/**
 * SUSP 5.1 "CE": where the System Use field continues (block, offset in it, length). The root's
 * '.' record uses it to reach the ER entry, which is too long to share a 255-byte record.
 */
export function ce(block: number, offset: number, length: number): Uint8Array {
  const data = new Uint8Array(24);
  u32both(data, 0, block);
  u32both(data, 8, offset);
  u32both(data, 16, length);
  return entry('CE', 1, data);
}

/** The RRIP 1.10 extension identification (RRIP 1.12 4.3 lists these ER values for 1.10 media). */
const RRIP_ID = 'RRIP_1991A';
const RRIP_DESCRIPTOR = 'THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS';
const RRIP_SOURCE =
  'PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.';

/** SUSP 5.5 "ER": names the extension in use (Rock Ridge), so readers such as libisofs trust it. */
export function er(): Uint8Array {
  const text = Buffer.from(RRIP_ID + RRIP_DESCRIPTOR + RRIP_SOURCE, 'ascii');
  const data = new Uint8Array(4 + text.length);
  data[0] = RRIP_ID.length;
  data[1] = RRIP_DESCRIPTOR.length;
  data[2] = RRIP_SOURCE.length;
  data[3] = 1; // EXT_VER
  data.set(text, 4);
  return entry('ER', 1, data);
}

/** RRIP 1.09/1.10 "RR" flag bits: which Rock Ridge entries this record carries. */
export const RR_PX = 0x01;
export const RR_NM = 0x08;
export const RR_TF = 0x80;

/**
 * RRIP 1.09 "RR": a summary of the entries present. RRIP 1.12 dropped it, but Linux's isofs
 * stops reading a record's Rock Ridge entries when RR is present without PX/TF/SL/CL, and readers
 * of 1.10 media expect it, so we write it as genisoimage does.
 */
export function rr(flags: number): Uint8Array {
  return entry('RR', 1, Uint8Array.of(flags));
}

export const MODE_FILE = 0o100444; // S_IFREG, read-only: the medium is read-only anyway
export const MODE_DIRECTORY = 0o040555; // S_IFDIR, read and search

/** RRIP 4.1.1 "PX" (the 36-byte RRIP 1.10 form, without the serial number 1.12 added): mode, links, uid, gid. */
export function px(mode: number, links: number): Uint8Array {
  const data = new Uint8Array(32);
  u32both(data, 0, mode);
  u32both(data, 8, links);
  u32both(data, 16, 0); // uid root
  u32both(data, 24, 0); // gid root
  return entry('PX', 1, data);
}

/** RRIP 4.1.6 "TF" flags: modify, access and attribute-change times follow, in 7-byte form (9.1.5). */
const TF_MODIFY = 0x02;
const TF_ACCESS = 0x04;
const TF_ATTRIBUTES = 0x08;

export function tf(date: Date): Uint8Array {
  const data = new Uint8Array(1 + 3 * 7);
  data[0] = TF_MODIFY | TF_ACCESS | TF_ATTRIBUTES;
  for (let i = 0; i < 3; i++) recordDate(data, 1 + i * 7, date);
  return entry('TF', 1, data);
}

/** RRIP 4.1.4 "NM": the POSIX name, as UTF-8 bytes, flags 0 (complete, not '.' or '..'). */
export function nm(name: string): Uint8Array {
  const bytes = Buffer.from(name, 'utf8');
  const data = new Uint8Array(1 + bytes.length);
  data.set(bytes, 1);
  return entry('NM', 1, data);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
