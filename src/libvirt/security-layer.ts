// A SASL security layer over the RPC byte stream, as libvirt's virNetSocket runs one once SASL
// authentication negotiated it: the stream of RPC frames is cut into pieces of at most the
// peer's buffer size, each sent as one SASL packet (4-byte big-endian length, then the
// mechanism's encoding). Packets do not line up with RPC frames in either direction.
import { ProtocolError } from './errors.js';

/** What RpcConnection needs: bytes out become wire bytes, wire bytes in become plain bytes. */
export interface SecurityLayer {
  /** The wire bytes that carry `data`. */
  wrap(data: Buffer): Buffer;
  /** The plain bytes of the whole packets completed by `chunk` (possibly none). Throws ProtocolError. */
  unwrap(chunk: Buffer): Buffer;
}

/** One mechanism's packet encoding (e.g. DigestMd5Layer). */
export interface SaslPacketCodec {
  /** A whole packet, length word included. */
  encode(message: Buffer): Buffer;
  /** The message in a packet body (the bytes after the length word). */
  decode(body: Buffer): Buffer;
}

export interface SaslLayerLimits {
  /** Largest message one outgoing packet may carry: the peer's maxbuf less the packet overhead. */
  maxMessageBytes: number;
  /** Largest incoming packet body: the maxbuf we announced. */
  maxPacketBytes: number;
}

const LENGTH_WORD = 4;

export class SaslSecurityLayer implements SecurityLayer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(
    private readonly codec: SaslPacketCodec,
    private readonly limits: SaslLayerLimits,
  ) {
    if (limits.maxMessageBytes < 1) throw new RangeError(`SASL layer: the peer's buffer leaves ${limits.maxMessageBytes} bytes per packet`);
  }

  wrap(data: Buffer): Buffer {
    const max = this.limits.maxMessageBytes;
    if (data.length <= max) return this.codec.encode(data);
    const packets: Buffer[] = [];
    for (let offset = 0; offset < data.length; offset += max) packets.push(this.codec.encode(data.subarray(offset, offset + max)));
    return Buffer.concat(packets);
  }

  unwrap(chunk: Buffer): Buffer {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const out: Buffer[] = [];
    while (this.buffered >= LENGTH_WORD) {
      const length = this.peekLength();
      // Checked before waiting for the body: a garbage length must fail now, not buffer forever.
      if (length > this.limits.maxPacketBytes) {
        throw new ProtocolError(`SASL packet of ${length} bytes exceeds the ${this.limits.maxPacketBytes} we announced (stream out of sync or not SASL)`);
      }
      if (this.buffered < LENGTH_WORD + length) break;
      const packet = this.take(LENGTH_WORD + length);
      out.push(this.codec.decode(packet.subarray(LENGTH_WORD)));
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= LENGTH_WORD) return first.readUInt32BE(0);
    return this.concatFront(LENGTH_WORD).readUInt32BE(0);
  }

  /** Removes and returns the first n buffered bytes (n <= buffered), copying only when they span chunks. */
  private take(n: number): Buffer {
    const first = this.concatFront(n);
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }

  /** Merges leading chunks until the first holds at least n bytes; returns it. */
  private concatFront(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
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
