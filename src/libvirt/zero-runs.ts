// Splits a byte stream into data and holes for a sparse upload (libvirt's STREAM_HOLE packets):
// every whole block of zeros becomes part of a hole, everything else is data. libvirt's own
// client (virsh vol-upload --sparse) asks the file system for its holes (SEEK_HOLE); Node has no
// lseek, so we look at the bytes instead. That finds the file system's holes (they read as zeros)
// and also zeros a file stores as data, at the price of reading them. Pure: no I/O.

export type Segment = { data: Uint8Array; hole?: undefined } | { hole: bigint; data?: undefined };

/** Holes are found in blocks of this size, aligned to the start of the stream. */
export const DEFAULT_HOLE_BLOCK = 64 * 1024;

export async function* zeroRuns(
  source: AsyncIterable<Uint8Array>,
  blockBytes = DEFAULT_HOLE_BLOCK,
): AsyncGenerator<Segment, void, undefined> {
  const zero = Buffer.alloc(blockBytes);
  let carry: Buffer | undefined; // less than one block, waiting for the rest
  let hole = 0n;
  for await (const chunk of source) {
    const buf = carry ? Buffer.concat([carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const whole = buf.length - (buf.length % blockBytes);
    let dataStart = -1;
    for (let off = 0; off < whole; off += blockBytes) {
      if (buf.subarray(off, off + blockBytes).equals(zero)) {
        if (dataStart >= 0) {
          yield { data: buf.subarray(dataStart, off) };
          dataStart = -1;
        }
        hole += BigInt(blockBytes);
      } else {
        if (hole > 0n) {
          yield { hole };
          hole = 0n;
        }
        if (dataStart < 0) dataStart = off;
      }
    }
    if (dataStart >= 0) yield { data: buf.subarray(dataStart, whole) };
    // Copied: the source may reuse its buffer for the next chunk.
    carry = whole < buf.length ? Buffer.from(buf.subarray(whole)) : undefined;
  }
  if (carry) {
    if (carry.equals(zero.subarray(0, carry.length))) hole += BigInt(carry.length);
    else {
      if (hole > 0n) yield { hole };
      hole = 0n;
      yield { data: carry };
    }
  }
  if (hole > 0n) yield { hole };
}
