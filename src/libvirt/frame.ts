// Framing of libvirt's RPC wire format (virnetprotocol.x): a 4-byte length word that counts
// itself, the 24-byte virNetMessageHeader, then the XDR body. The decoder accepts whatever
// chunks a socket hands us and gives back whole packets, so callers never see partial frames.
import { ByteQueue } from './byte-queue.js';
import { ProtocolError } from './errors.js';

/** virNetMessageType */
export const MessageType = {
  CALL: 0,
  REPLY: 1,
  MESSAGE: 2,
  STREAM: 3,
  CALL_WITH_FDS: 4,
  REPLY_WITH_FDS: 5,
  STREAM_HOLE: 6,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** virNetMessageStatus */
export const MessageStatus = {
  OK: 0,
  ERROR: 1,
  CONTINUE: 2,
} as const;
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];

/** VIR_NET_MESSAGE_LEN_MAX: the length word. */
export const LENGTH_WORD_BYTES = 4;
/** VIR_NET_MESSAGE_HEADER_MAX: six XDR words. */
export const HEADER_BYTES = 24;
/** VIR_NET_MESSAGE_MAX in libvirt >= 7.x: header plus payload, not counting the length word. */
export const VIR_NET_MESSAGE_MAX = 33_554_432;
/**
 * VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX: the largest body every libvirt release accepts (256 KiB minus
 * the header). Stream data is sent in chunks of at most this size so uploads work against old
 * daemons too; newer ones would take more, but bigger packets buy nothing once the socket is busy.
 */
export const VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX = 262_120;
/** Smallest legal frame: length word plus header, empty body. */
export const MIN_FRAME_BYTES = LENGTH_WORD_BYTES + HEADER_BYTES;
/** Largest frame libvirt will send or accept, length word included. */
export const MAX_FRAME_BYTES = VIR_NET_MESSAGE_MAX + LENGTH_WORD_BYTES;

export interface PacketHeader {
  readonly program: number;
  readonly version: number;
  readonly procedure: number;
  readonly type: MessageType;
  readonly serial: number;
  readonly status: MessageStatus;
}

export interface Packet extends PacketHeader {
  readonly body: Buffer;
}

const MAX_TYPE = MessageType.STREAM_HOLE;
const MAX_STATUS = MessageStatus.CONTINUE;

/** Serialises one packet, length word included. */
export function encodePacket(header: PacketHeader, body: Uint8Array = Buffer.alloc(0), maxFrameBytes = MAX_FRAME_BYTES): Buffer {
  const total = MIN_FRAME_BYTES + body.length;
  if (total > maxFrameBytes) {
    throw new ProtocolError(`outgoing message of ${total} bytes exceeds libvirt's limit of ${maxFrameBytes} bytes`);
  }
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(header.program >>> 0, 4);
  out.writeUInt32BE(header.version >>> 0, 8);
  out.writeInt32BE(header.procedure | 0, 12);
  out.writeInt32BE(header.type, 16);
  out.writeUInt32BE(header.serial >>> 0, 20);
  out.writeInt32BE(header.status, 24);
  out.set(body, MIN_FRAME_BYTES);
  return out;
}

/** Parses one complete frame (length word included). */
export function decodePacket(frame: Buffer): Packet {
  if (frame.length < MIN_FRAME_BYTES) {
    throw new ProtocolError(`frame of ${frame.length} bytes is shorter than the ${MIN_FRAME_BYTES}-byte minimum`);
  }
  const declared = frame.readUInt32BE(0);
  if (declared !== frame.length) {
    throw new ProtocolError(`frame length word says ${declared} bytes but frame has ${frame.length}`);
  }
  const type = frame.readInt32BE(16);
  const status = frame.readInt32BE(24);
  // Unknown enum values mean we are not talking to libvirt (or the stream lost sync):
  // guessing would route garbage to callers.
  if (type < 0 || type > MAX_TYPE) throw new ProtocolError(`unknown message type ${type} in frame header`);
  if (status < 0 || status > MAX_STATUS) throw new ProtocolError(`unknown message status ${status} in frame header`);
  return {
    program: frame.readUInt32BE(4),
    version: frame.readUInt32BE(8),
    procedure: frame.readInt32BE(12),
    type: type as MessageType,
    serial: frame.readUInt32BE(20),
    status: status as MessageStatus,
    body: frame.subarray(MIN_FRAME_BYTES),
  };
}

export interface FrameDecoderOptions {
  /** Largest frame accepted, length word included (default: libvirt's limit). */
  maxFrameBytes?: number;
}

/**
 * Incremental frame decoder. After the first ProtocolError the decoder stays failed:
 * a byte stream that lost framing once cannot be trusted again.
 */
export class FrameDecoder {
  private readonly queue = new ByteQueue();
  private failure: ProtocolError | undefined;
  private readonly maxFrameBytes: number;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  }

  /** Bytes received but not yet part of a complete frame. */
  get buffered(): number {
    return this.queue.length;
  }

  /** Feeds a chunk; returns every packet it completes, in order. Throws ProtocolError on bad framing. */
  push(chunk: Uint8Array): Packet[] {
    if (this.failure) throw this.failure;
    this.queue.push(chunk);
    const packets: Packet[] = [];
    try {
      for (;;) {
        if (this.queue.length < LENGTH_WORD_BYTES) break;
        const length = this.queue.peekUInt32BE();
        // Check the declared length before waiting for the body: a garbage length must fail now,
        // not leave us buffering (or waiting for) gigabytes that will never come.
        if (length < MIN_FRAME_BYTES) {
          throw new ProtocolError(
            `frame length ${length} is shorter than the ${MIN_FRAME_BYTES}-byte minimum (stream out of sync or not libvirt)`,
          );
        }
        if (length > this.maxFrameBytes) {
          throw new ProtocolError(
            `frame length ${length} exceeds libvirt's limit of ${this.maxFrameBytes} bytes (stream out of sync or not libvirt)`,
          );
        }
        if (this.queue.length < length) break;
        packets.push(decodePacket(this.queue.take(length)));
      }
    } catch (err) {
      this.failure = err instanceof ProtocolError ? err : new ProtocolError(String(err));
      this.queue.clear();
      throw this.failure;
    }
    return packets;
  }
}
