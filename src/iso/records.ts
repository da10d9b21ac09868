// Directory records (ECMA-119 9.1), directory extents (6.8.1) and path table records (9.4).
import { recordDate, SECTOR, u16both, u16be, u16le, u32both, u32be, u32le } from './bytes.js';

export interface DirectoryRecord {
  /** Identifier bytes: 0x00 for '.', 0x01 for '..' (6.8.2.2), else the 8.3 ASCII or Joliet UCS-2 name. */
  identifier: Uint8Array;
  extent: number;
  size: number;
  isDirectory: boolean;
  date: Date;
  /** SUSP/RRIP entries (primary tree only); empty in the Joliet tree. */
  systemUse: Uint8Array;
}

/** 9.1.6 file flags, bit 1: this record describes a directory. */
const FLAG_DIRECTORY = 0x02;

/** Length of a record: 33 fixed bytes, the identifier, a pad byte when that is even (9.1.12), System Use. */
export function recordLength(identifierLength: number, systemUseLength: number): number {
  return 33 + identifierLength + (identifierLength % 2 === 0 ? 1 : 0) + systemUseLength;
}

export function encodeRecord(r: DirectoryRecord): Uint8Array {
  const length = recordLength(r.identifier.length, r.systemUse.length);
  // 9.1.1 holds the length in one byte; names are limited (names.ts) so that this cannot trip.
  if (length > 255) throw new Error(`directory record of ${length} bytes exceeds 255`);
  const out = new Uint8Array(length);
  out[0] = length; // 9.1.1
  out[1] = 0; // 9.1.2: no extended attribute record
  u32both(out, 2, r.extent); // 9.1.3
  u32both(out, 10, r.size); // 9.1.4
  recordDate(out, 18, r.date); // 9.1.5
  out[25] = r.isDirectory ? FLAG_DIRECTORY : 0; // 9.1.6
  // 9.1.7 file unit size and 9.1.8 interleave gap stay 0: not interleaved
  u16both(out, 28, 1); // 9.1.9: volume sequence number 1 of a set of 1
  out[32] = r.identifier.length; // 9.1.10
  out.set(r.identifier, 33); // 9.1.11
  out.set(r.systemUse, length - r.systemUse.length); // 9.1.13, after the 9.1.12 padding
  return out;
}

/**
 * 6.8.1.1: a directory is a whole number of sectors and no record crosses a sector boundary;
 * the rest of a sector is zero. Returns where each record starts, and the extent's byte size.
 */
export function packRecords(lengths: readonly number[]): { offsets: number[]; size: number } {
  const offsets: number[] = [];
  let at = 0;
  for (const length of lengths) {
    if (Math.floor(at / SECTOR) !== Math.floor((at + length - 1) / SECTOR)) at = Math.ceil(at / SECTOR) * SECTOR;
    offsets.push(at);
    at += length;
  }
  return { offsets, size: Math.max(SECTOR, Math.ceil(at / SECTOR) * SECTOR) };
}

export interface PathTableEntry {
  identifier: Uint8Array;
  extent: number;
  /** 1-based number of the parent in the same path table (the root is its own parent, 1). */
  parent: number;
}

/** 9.4: one record per directory, in 6.9.1 order; the L table is little-endian, the M table big-endian. */
export function encodePathTable(entries: readonly PathTableEntry[], bigEndian: boolean): Uint8Array {
  const size = pathTableSize(entries);
  const out = new Uint8Array(size);
  let at = 0;
  for (const e of entries) {
    out[at] = e.identifier.length; // 9.4.1
    out[at + 1] = 0; // 9.4.2
    (bigEndian ? u32be : u32le)(out, at + 2, e.extent); // 9.4.3
    (bigEndian ? u16be : u16le)(out, at + 6, e.parent); // 9.4.4
    out.set(e.identifier, at + 8); // 9.4.5, then the 9.4.6 pad byte when the length is odd
    at += 8 + e.identifier.length + (e.identifier.length % 2);
  }
  return out;
}

/** The path table size recorded in the volume descriptor (8.4.14): the records, without sector padding. */
export function pathTableSize(entries: readonly PathTableEntry[]): number {
  return entries.reduce((n, e) => n + 8 + e.identifier.length + (e.identifier.length % 2), 0);
}
