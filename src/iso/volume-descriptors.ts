// Volume descriptors (ECMA-119 8): the primary one (8.4), Joliet's supplementary one (8.5 with the
// Joliet escape sequence) and the set terminator (8.3). Each is one 2048-byte sector from sector 16.
import { asciiField, SECTOR, u16both, u32both, u32le, u32be, ucs2Field, volumeDate } from './bytes.js';

export interface VolumeDescriptorInput {
  volumeId: string;
  applicationId: string;
  volumeSpaceSize: number;
  pathTableSize: number;
  lPathTable: number;
  mPathTable: number;
  /** The 34-byte record of the root directory (8.4.18), without System Use. */
  rootRecord: Uint8Array;
  date: Date;
}

const STANDARD_ID = 'CD001'; // 8.1.2

/** 8.4.2/8.5.2 volume descriptor types. */
const TYPE_PRIMARY = 1;
const TYPE_SUPPLEMENTARY = 2;
const TYPE_TERMINATOR = 255;

/**
 * Joliet specification: the escape sequence "%/E" in the SVD's escape-sequence field (8.5.6)
 * announces UCS-2 level 3 (all of UCS-2 allowed), the level Linux, Windows and libisofs read.
 */
const JOLIET_LEVEL_3 = Uint8Array.of(0x25, 0x2f, 0x45);

function header(out: Uint8Array, type: number): void {
  out[0] = type; // 8.1.1
  asciiField(out, 1, 5, STANDARD_ID); // 8.1.2
  out[6] = 1; // 8.1.3: version
}

function descriptor(
  type: number,
  v: VolumeDescriptorInput,
  text: (buf: Uint8Array, at: number, length: number, value: string) => void,
): Uint8Array {
  const out = new Uint8Array(SECTOR);
  header(out, type);
  text(out, 8, 32, ''); // 8.4.5 system identifier: not needed by any reader
  text(out, 40, 32, v.volumeId); // 8.4.6 volume identifier: the label blkid and cloud-init read
  u32both(out, 80, v.volumeSpaceSize); // 8.4.8
  u16both(out, 120, 1); // 8.4.10 volume set size
  u16both(out, 124, 1); // 8.4.11 volume sequence number
  u16both(out, 128, SECTOR); // 8.4.12 logical block size
  u32both(out, 132, v.pathTableSize); // 8.4.13
  u32le(out, 140, v.lPathTable); // 8.4.14 (the optional copy at 144 stays 0: none)
  u32be(out, 148, v.mPathTable); // 8.4.16
  out.set(v.rootRecord, 156); // 8.4.18
  text(out, 190, 128, ''); // 8.4.19 volume set identifier
  text(out, 318, 128, ''); // 8.4.20 publisher identifier
  text(out, 446, 128, ''); // 8.4.21 data preparer identifier
  text(out, 574, 128, v.applicationId); // 8.4.22 application identifier
  text(out, 702, 37, ''); // 8.4.23 copyright file identifier
  text(out, 739, 37, ''); // 8.4.24 abstract file identifier
  text(out, 776, 37, ''); // 8.4.25 bibliographic file identifier
  volumeDate(out, 813, v.date); // 8.4.26 creation
  volumeDate(out, 830, v.date); // 8.4.27 modification
  volumeDate(out, 847, undefined); // 8.4.28 expiration: none
  volumeDate(out, 864, undefined); // 8.4.29 effective: immediately
  out[881] = 1; // 8.4.30 file structure version
  return out;
}

export function primaryVolumeDescriptor(v: VolumeDescriptorInput): Uint8Array {
  return descriptor(TYPE_PRIMARY, v, asciiField);
}

export function jolietVolumeDescriptor(v: VolumeDescriptorInput): Uint8Array {
  const out = descriptor(TYPE_SUPPLEMENTARY, v, ucs2Field);
  out.set(JOLIET_LEVEL_3, 88); // 8.5.6 escape sequences
  return out;
}

export function terminatorDescriptor(): Uint8Array {
  const out = new Uint8Array(SECTOR);
  header(out, TYPE_TERMINATOR);
  return out;
}
