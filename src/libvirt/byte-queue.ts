// Bytes received in the chunks a socket hands over, read back in whole records (RPC frames, SASL
// packets) that may span chunks. A record within one chunk is a view into it; only one that spans
// chunks is copied, once.
export class ByteQueue {
  private chunks: Buffer[] = [];
  private bytes = 0;

  /** Bytes queued and not yet taken. */
  get length(): number {
    return this.bytes;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.bytes += chunk.length;
  }

  /** The 32-bit big-endian word at the front (length >= 4), without taking it. */
  peekUInt32BE(): number {
    return this.front(4).readUInt32BE(0);
  }

  /** Removes and returns the first n bytes (n <= length). */
  take(n: number): Buffer {
    const first = this.front(n);
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.bytes -= n;
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.bytes = 0;
  }

  /** The first chunk, after merging leading chunks until it holds at least n bytes. */
  private front(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const c = this.chunks.shift()!;
      parts.push(c);
      have += c.length;
    }
    const merged = Buffer.concat(parts, have);
    this.chunks.unshift(merged);
    return merged;
  }
}
