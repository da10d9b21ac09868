// A SASL security layer over the RPC byte stream, as libvirt's virNetSocket runs one once SASL
// authentication negotiated it: the stream of RPC frames is cut into pieces of at most the
// peer's buffer size, each sent as one SASL packet (4-byte big-endian length, then the
// mechanism's encoding). Packets do not line up with RPC frames in either direction.
import { ByteQueue } from './byte-queue.js';
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
  private readonly queue = new ByteQueue();

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
    this.queue.push(chunk);
    const out: Buffer[] = [];
    while (this.queue.length >= LENGTH_WORD) {
      const length = this.queue.peekUInt32BE();
      // Checked before waiting for the body: a garbage length must fail now, not buffer forever.
      if (length > this.limits.maxPacketBytes) {
        throw new ProtocolError(
          `SASL packet of ${length} bytes exceeds the ${this.limits.maxPacketBytes} we announced (stream out of sync or not SASL)`,
        );
      }
      if (this.queue.length < LENGTH_WORD + length) break;
      const packet = this.queue.take(LENGTH_WORD + length);
      out.push(this.codec.decode(packet.subarray(LENGTH_WORD)));
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }
}
