// One RPC connection to a libvirt daemon: many calls in flight on one stream, matched by serial;
// server MESSAGE packets fanned out to listeners; keepalive answered and (optionally) sent;
// libvirt data streams (virStream, upload direction) on top of a call.
// Every failure of the stream ends in exactly one teardown that rejects all pending calls.
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { XdrError, XdrReader, XdrWriter } from './xdr.js';
import {
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
  type CallOptions,
  type ProcedureDef,
  type RpcCaller,
  type ServerMessage,
} from './rpc-types.js';
import { describeCallObject } from './call-object.js';
import { countCall } from './call-stats.js';
import { VirNetStreamHoleXdr } from './generated/virnet-types.js';
import {
  FrameDecoder,
  HEADER_BYTES,
  MAX_FRAME_BYTES,
  MessageStatus,
  MessageType,
  VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX,
  encodePacket,
  type Packet,
} from './frame.js';
import { CallTimeoutError, ConnectionClosedError, ProtocolError, decodeRemoteError, type DisconnectReason } from './errors.js';
import type { SecurityLayer } from './security-layer.js';

/** Default deadline of one call (`--call-timeout`): long enough for a slow QEMU start on TCG. */
export const DEFAULT_CALL_TIMEOUT_MS = 120_000;
/** Default deadline of calls slow by nature (ProcedureDef.slow: migration, save, volume upload/wipe). */
export const DEFAULT_SLOW_CALL_TIMEOUT_MS = 6 * 3600_000;

/** libvirt's keepalive program (virkeepaliveprotocol.x): "keep". */
export const KEEPALIVE_PROGRAM = 0x6b656570;
export const KEEPALIVE_PROTOCOL_VERSION = 1;
export const KEEPALIVE_PROC_PING = 1;
export const KEEPALIVE_PROC_PONG = 2;

export interface KeepaliveOptions {
  /** Send a PING after this long without hearing from the peer. */
  intervalMs: number;
  /** Declare the peer dead after this many unanswered PINGs in a row. */
  count: number;
}

export interface DisconnectInfo {
  readonly reason: DisconnectReason;
  /** The underlying error (socket error, ProtocolError), if any. */
  readonly error?: Error;
}

export interface RpcConnectionOptions {
  /** Text naming the peer in error messages, e.g. the URI. */
  label?: string;
  /** Called when each call settles; the metrics module records latency with it. */
  onCallComplete?: (procedure: string, durationMs: number, ok: boolean) => void;
  /** Answer the peer's keepalive PINGs (default true; false only exists to test the daemon's keepalive). */
  answerPings?: boolean;
  /** Largest frame accepted from the peer (default libvirt's limit). */
  maxFrameBytes?: number;
  /**
   * Every call must be answered within this many ms (default DEFAULT_CALL_TIMEOUT_MS; 0: no
   * deadline). A call past its deadline rejects with CallTimeoutError and closes the connection.
   */
  callTimeoutMs?: number;
  /** Deadline of procedures marked `slow` (default DEFAULT_SLOW_CALL_TIMEOUT_MS, never below callTimeoutMs). */
  slowCallTimeoutMs?: number;
}

interface PendingCall {
  readonly procedure: string;
  readonly started: number;
  /** The deadline timer, cleared when the call settles. */
  timer?: NodeJS.Timeout;
  resolve(body: Buffer): void;
  reject(err: Error): void;
}

type Listener<T> = (value: T) => void;

// ---- streams -------------------------------------------------------------------------------

export interface WriteStreamOptions {
  /** Largest data packet body (default VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX, which every libvirt accepts). */
  chunkBytes?: number;
}

/**
 * The sending side of a libvirt data stream (virStream) opened by a call such as
 * STORAGE_VOL_UPLOAD. Data goes out as STREAM packets with the call's procedure and serial.
 */
export interface WriteStream {
  /** The procedure that opened the stream, for messages. */
  readonly procedure: string;
  readonly serial: number;
  /** Data bytes handed to the socket so far. */
  readonly bytesSent: number;
  /**
   * Sends data (split into packets of at most chunkBytes). Resolves once the socket took it;
   * waits for 'drain' first when the socket is backed up, so a fast source never buffers
   * more than one socket high-water mark. Rejects when the daemon failed the stream.
   */
  write(data: Uint8Array): Promise<void>;
  /**
   * Skips `length` bytes the daemon fills with a hole (STREAM_HOLE packet). Only on a stream
   * opened with the procedure's sparse flag (VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM); the daemon
   * fails any other stream that gets one.
   */
  writeHole(length: bigint): Promise<void>;
  /** Bytes skipped as holes so far. */
  readonly holeBytes: bigint;
  /** Ends the stream (STREAM status OK, empty) and waits for the daemon's confirmation or error. */
  finish(): Promise<void>;
  /**
   * Abandons the stream (STREAM status ERROR) and waits for the daemon to acknowledge it.
   * Never rejects: aborting is cleanup. A no-op once the stream finished or failed.
   */
  abort(): Promise<void>;
}

/** A connection that can open data streams. RpcConnection is one; test fakes may not be. */
export interface StreamCaller {
  /**
   * Sends the CALL that opens a stream and resolves, after the daemon's OK reply, with the
   * stream to send data on. An ERROR reply rejects with the LibvirtError.
   */
  openWriteStream<A>(proc: ProcedureDef<A, void>, args: A, options?: WriteStreamOptions): Promise<WriteStream>;
}

export function supportsStreams(caller: unknown): caller is StreamCaller {
  return typeof caller === 'object' && caller !== null && typeof (caller as Partial<StreamCaller>).openWriteStream === 'function';
}

/** What an OutgoingStream needs from its connection. */
interface StreamTransport {
  write(frame: Buffer): void;
  /** Resolves when the socket can take more; rejects when the connection ends first. */
  drained(): Promise<void>;
  /** The stream is over: forget its serial. */
  release(serial: number): void;
  /** Deadline for the daemon's answer to finish() in ms (0: none). */
  finishTimeoutMs(): number;
  /** finish() got no answer in time: fail everything on this connection with err. */
  expired(err: Error): void;
}

interface StreamHeader {
  readonly program: number;
  readonly version: number;
  readonly procedure: number;
  readonly serial: number;
}

type StreamState = 'opening' | 'open' | 'finishing' | 'aborting' | 'done' | 'failed';

/**
 * One upload stream's state machine. The daemon sends nothing while data flows (no acks);
 * it answers our final OK with an empty STREAM OK, or fails the stream at any time with a
 * STREAM ERROR carrying a remote_error.
 */
class OutgoingStream implements WriteStream {
  private state: StreamState = 'opening';
  private failure: Error | undefined;
  private settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private sent = 0;
  private skipped = 0n;

  constructor(
    private readonly transport: StreamTransport,
    private readonly header: StreamHeader,
    readonly procedure: string,
    private readonly chunkBytes: number,
  ) {}

  get serial(): number {
    return this.header.serial;
  }

  get bytesSent(): number {
    return this.sent;
  }

  get holeBytes(): bigint {
    return this.skipped;
  }

  /** The opening call succeeded: data may flow. */
  opened(): void {
    if (this.state === 'opening') this.state = 'open';
  }

  async write(data: Uint8Array): Promise<void> {
    for (let offset = 0; offset < data.length; offset += this.chunkBytes) {
      // Waiting before each packet (not after) keeps the socket's buffer bounded whoever wrote last.
      await this.transport.drained();
      this.assertWritable();
      const piece = data.subarray(offset, Math.min(data.length, offset + this.chunkBytes));
      this.transport.write(this.packet(MessageStatus.CONTINUE, piece));
      this.sent += piece.length;
    }
    this.assertWritable();
  }

  async writeHole(length: bigint): Promise<void> {
    if (length <= 0n) return;
    await this.transport.drained();
    this.assertWritable();
    const body = new XdrWriter(12);
    VirNetStreamHoleXdr.encode(body, { length, flags: 0 });
    this.transport.write(encodePacket({ ...this.header, type: MessageType.STREAM_HOLE, status: MessageStatus.CONTINUE }, body.toBuffer()));
    this.skipped += length;
  }

  finish(): Promise<void> {
    try {
      this.assertWritable();
    } catch (err) {
      return Promise.reject(err);
    }
    this.state = 'finishing';
    return new Promise<void>((resolve, reject) => {
      const ms = this.transport.finishTimeoutMs();
      // The daemon flushes the data before it confirms; a daemon that never does must not hang us.
      const timer =
        ms > 0
          ? setTimeout(() => {
              const err = new CallTimeoutError(
                `no answer to the end of the ${this.procedure} stream within ${ms} ms; closing the connection`,
                this.procedure,
                undefined,
                ms,
              );
              this.fail(err);
              this.transport.expired(err);
            }, ms)
          : undefined;
      this.settle = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.transport.write(this.packet(MessageStatus.OK));
    });
  }

  abort(): Promise<void> {
    if (this.state !== 'open') return Promise.resolve();
    this.state = 'aborting';
    return new Promise<void>((resolve) => {
      // Whatever the daemon answers (confirmation or error), or the connection ending, the stream is gone.
      this.settle = { resolve, reject: () => resolve() };
      this.transport.write(this.packet(MessageStatus.ERROR));
    });
  }

  /** A STREAM or STREAM_HOLE packet with our serial. */
  handle(packet: Packet): void {
    // Holes only come with sparse downloads, and data only with downloads: neither is ours to use.
    if (packet.type !== MessageType.STREAM || packet.status === MessageStatus.CONTINUE) return;
    if (packet.status === MessageStatus.ERROR) {
      this.fail(this.decodeError(packet.body));
      return;
    }
    if (this.state === 'finishing' || this.state === 'aborting') {
      this.state = 'done';
      this.transport.release(this.serial);
      this.settle?.resolve();
      return;
    }
    // The daemon ended the stream on its own (it does so when its side hung up).
    this.fail(new ProtocolError(`${this.procedure}: the daemon ended the stream before it was finished`));
  }

  /** Fails the stream (daemon error, connection gone); later writes reject with the same error. */
  fail(err: Error): void {
    if (this.state === 'done' || this.state === 'failed') return;
    this.state = 'failed';
    this.failure = err;
    this.transport.release(this.serial);
    this.settle?.reject(err);
  }

  private assertWritable(): void {
    if (this.failure) throw this.failure;
    if (this.state !== 'open') throw new Error(`${this.procedure}: stream is ${this.state}, no more data can be sent`);
  }

  private decodeError(body: Buffer): Error {
    try {
      const err = decodeRemoteError(body);
      err.procedure = this.procedure;
      return err;
    } catch (err) {
      return err as Error;
    }
  }

  private packet(status: MessageStatus, body?: Uint8Array): Buffer {
    return encodePacket({ ...this.header, type: MessageType.STREAM, status }, body);
  }
}

/** Calls each listener, keeping one listener's exception from breaking the connection or the others. */
function emit<T>(listeners: ReadonlySet<Listener<T>>, value: T): void {
  for (const listener of [...listeners]) {
    try {
      listener(value);
    } catch {
      // A faulty listener is the caller's bug; the RPC stream must keep flowing for everyone else.
    }
  }
}

export class RpcConnection implements RpcCaller {
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, PendingCall>();
  private readonly messageListeners = new Set<Listener<ServerMessage>>();
  private readonly disconnectListeners = new Set<Listener<DisconnectInfo>>();
  private readonly streams = new Map<number, OutgoingStream>();
  private readonly drainWaiters = new Set<{ resolve: () => void; reject: (err: Error) => void }>();
  private nextSerial = 1;
  private corked = false;
  /** The SASL security layer every byte goes through once authentication negotiated one. */
  private layer: SecurityLayer | undefined;
  private closedInfo: DisconnectInfo | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private lastReceived = performance.now();
  private unansweredPings = 0;
  private readonly label: string;
  private readonly disconnectedPromise: Promise<DisconnectInfo>;
  private resolveDisconnected!: (info: DisconnectInfo) => void;

  constructor(
    private readonly stream: Duplex,
    private readonly options: RpcConnectionOptions = {},
  ) {
    this.label = options.label ?? 'libvirt';
    this.decoder = new FrameDecoder(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes });
    this.disconnectedPromise = new Promise((resolve) => {
      this.resolveDisconnected = resolve;
    });
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (err: Error) => this.teardown('socket-error', err));
    stream.on('end', () => this.teardown('closed-by-peer'));
    stream.on('close', () => this.teardown('closed-by-peer'));
    stream.on('drain', () => this.onDrain());
    // A transport that was read in paused mode before us (TLS reads libvirt's status byte that
    // way) may not switch to flowing on its own when the 'data' listener arrives.
    stream.resume();
  }

  /** True once the connection has ended for any reason. */
  get closed(): boolean {
    return this.closedInfo !== undefined;
  }

  /** Number of calls awaiting a reply. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /** Resolves (never rejects) when the connection ends, with the reason. */
  get disconnected(): Promise<DisconnectInfo> {
    return this.disconnectedPromise;
  }

  call<A, R>(proc: ProcedureDef<A, R>, args: A, options: CallOptions = {}): Promise<R> {
    return this.callProgram(REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, proc, args, options);
  }

  /** Like call() but for another RPC program served on the same socket (e.g. libvirt's admin or qemu programs). */
  callProgram<A, R>(program: number, version: number, proc: ProcedureDef<A, R>, args: A, options: CallOptions = {}): Promise<R> {
    try {
      return this.sendCall(program, version, proc, args, this.allocateSerial(), this.deadlineFor(proc.slow === true, options));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Opens a libvirt data stream for sending (e.g. STORAGE_VOL_UPLOAD): the CALL, its REPLY, then
   * STREAM packets with the same procedure and serial (see WriteStream).
   */
  async openWriteStream<A>(proc: ProcedureDef<A, void>, args: A, options: WriteStreamOptions = {}): Promise<WriteStream> {
    const maxChunk = MAX_FRAME_BYTES - 4 - HEADER_BYTES;
    const chunkBytes = Math.max(1, Math.min(options.chunkBytes ?? VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX, maxChunk));
    const serial = this.allocateSerial();
    const header: StreamHeader = { program: REMOTE_PROGRAM, version: REMOTE_PROTOCOL_VERSION, procedure: proc.number, serial };
    const stream = new OutgoingStream(this.streamTransport, header, proc.name, chunkBytes);
    // Registered before the CALL goes out, so a STREAM packet right behind the REPLY (in the same
    // chunk, dispatched before our await resumes) already finds it.
    this.streams.set(serial, stream);
    try {
      await this.sendCall(REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, proc, args, serial, this.deadlineFor(proc.slow === true, {}));
    } catch (err) {
      this.streams.delete(serial);
      throw err;
    }
    stream.opened();
    return stream;
  }

  private readonly streamTransport: StreamTransport = {
    write: (frame) => {
      if (!this.closedInfo) this.send(frame);
    },
    drained: () => this.waitForDrain(),
    release: (serial) => void this.streams.delete(serial),
    // Ending an upload waits for the daemon to flush it to disk: slow by nature.
    finishTimeoutMs: () => this.deadlineFor(true, {}),
    expired: (err) => this.teardown('call-timeout', err),
  };

  /** The deadline of one call in ms; 0 means none. */
  private deadlineFor(slow: boolean, options: CallOptions): number {
    if (options.timeoutMs !== undefined) return options.timeoutMs;
    const normal = this.options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    if (!slow || normal === 0) return normal;
    return Math.max(normal, this.options.slowCallTimeoutMs ?? DEFAULT_SLOW_CALL_TIMEOUT_MS);
  }

  /** Rejects a call nobody answered in time and closes the connection (see CallTimeoutError). */
  private expire(serial: number, procedure: string, args: unknown, timeoutMs: number): void {
    const call = this.pending.get(serial);
    if (!call || this.closedInfo) return;
    this.pending.delete(serial);
    this.report(call, false);
    const object = describeCallObject(procedure, args);
    const error = new CallTimeoutError(
      `${this.label}: no answer to ${procedure}${object ? ` (${object})` : ''} within ${timeoutMs} ms; ` +
        'closing the connection (raise --call-timeout if the daemon is just slow)',
      procedure,
      object,
      timeoutMs,
    );
    call.reject(error);
    this.teardown('call-timeout', error);
  }

  /** Encodes and sends one CALL with the given serial; throws synchronously when it cannot be encoded. */
  private sendCall<A, R>(
    program: number,
    version: number,
    proc: ProcedureDef<A, R>,
    args: A,
    serial: number,
    timeoutMs: number,
  ): Promise<R> {
    if (this.closedInfo) return Promise.reject(this.closedError(proc.name));
    countCall(proc.name);
    const w = new XdrWriter();
    proc.args.encode(w, args);
    const body = w.toBuffer();
    const frame = encodePacket(
      { program, version, procedure: proc.number, type: MessageType.CALL, serial, status: MessageStatus.OK },
      body,
    );
    return new Promise<R>((resolve, reject) => {
      const call: PendingCall = {
        procedure: proc.name,
        started: performance.now(),
        resolve: (replyBody) => {
          try {
            const r = new XdrReader(replyBody);
            const ret = proc.ret.decode(r);
            r.end();
            resolve(ret);
          } catch (err) {
            // The stream is still in sync (framing was fine); only this reply's layout disagrees with ours.
            reject(
              err instanceof XdrError
                ? new ProtocolError(`cannot decode reply of ${proc.name}: ${err.message}`, { cause: err })
                : (err as Error),
            );
          }
        },
        reject,
      };
      if (timeoutMs > 0) {
        call.timer = setTimeout(() => this.expire(serial, proc.name, args, timeoutMs), timeoutMs);
      }
      this.pending.set(serial, call);
      this.writeCorked(frame);
    });
  }

  /**
   * Calls made in the same tick (a wave of reads or creates) leave in one write: the socket is
   * corked until the next tick, so 16 calls cost one syscall, not 16.
   */
  private writeCorked(frame: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.stream.cork();
      process.nextTick(() => {
        this.corked = false;
        this.stream.uncork();
      });
    }
    this.send(frame);
  }

  /** Every frame leaves through here, so a security layer sees the whole outgoing byte stream. */
  private send(frame: Buffer): void {
    this.stream.write(this.layer ? this.layer.wrap(frame) : frame);
  }

  /**
   * From now on every byte in and out goes through `layer` (a SASL security layer negotiated by
   * authentication). The daemon switches right after its reply that completed the login, so this
   * must be installed before the next call, while nothing is in flight and nothing is buffered.
   */
  useSecurityLayer(layer: SecurityLayer): void {
    if (this.layer) throw new Error(`${this.label}: a security layer is already installed`);
    if (this.pending.size > 0 || this.streams.size > 0 || this.decoder.buffered > 0) {
      throw new ProtocolError(`${this.label}: cannot start the SASL security layer with calls in flight or bytes received past the login`);
    }
    this.layer = layer;
  }

  onMessage(listener: (msg: ServerMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** Subscribe to the end of the connection; called once, after pending calls were rejected. */
  onDisconnected(listener: (info: DisconnectInfo) => void): () => void {
    if (this.closedInfo) {
      const info = this.closedInfo;
      queueMicrotask(() => emit(new Set([listener]), info));
      return () => {};
    }
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /**
   * Starts sending our own PINGs. Only call after the peer said it supports the keepalive
   * program (CONNECT_SUPPORTS_FEATURE), as libvirt's client does: an old daemon would
   * treat an unknown program as a protocol violation.
   */
  startKeepalive(options: KeepaliveOptions): void {
    this.stopKeepalive();
    if (this.closedInfo || options.intervalMs <= 0) return;
    this.unansweredPings = 0;
    this.keepaliveTimer = setInterval(() => this.keepaliveTick(options), options.intervalMs);
    // Keepalive alone must not keep a CLI process alive after it is done.
    this.keepaliveTimer.unref();
  }

  stopKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  /** Ends the stream and rejects pending calls. Resolves once the stream is closed. */
  async close(): Promise<void> {
    if (!this.closedInfo) {
      const closedStream = new Promise<void>((resolve) => {
        if (this.stream.destroyed) resolve();
        else this.stream.once('close', () => resolve());
      });
      this.teardown('closed-by-client');
      this.stream.end();
      // Some duplexes (child process pipes) never emit close on their own after end(): don't wait forever.
      const timer = setTimeout(() => this.stream.destroy(), 1000);
      await closedStream;
      clearTimeout(timer);
    }
  }

  private allocateSerial(): number {
    const serial = this.nextSerial;
    // Serials are unsigned 32-bit on the wire; wrap and skip any still in flight.
    do {
      this.nextSerial = (this.nextSerial + 1) >>> 0;
    } while (this.pending.has(this.nextSerial) || this.streams.has(this.nextSerial));
    return serial;
  }

  private waitForDrain(): Promise<void> {
    if (this.closedInfo) return Promise.reject(this.closedError());
    if (!this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve, reject) => this.drainWaiters.add({ resolve, reject }));
  }

  private onDrain(): void {
    const waiters = [...this.drainWaiters];
    this.drainWaiters.clear();
    for (const w of waiters) w.resolve();
  }

  private onData(chunk: Buffer): void {
    if (this.closedInfo) return;
    let packets: Packet[];
    try {
      packets = this.decoder.push(this.layer ? this.layer.unwrap(chunk) : chunk);
    } catch (err) {
      this.teardown('protocol-error', err as Error);
      return;
    }
    this.lastReceived = performance.now();
    this.unansweredPings = 0;
    for (const packet of packets) {
      if (this.closedInfo) return;
      this.dispatch(packet);
    }
  }

  private dispatch(packet: Packet): void {
    if (packet.program === KEEPALIVE_PROGRAM) {
      this.onKeepalive(packet);
      return;
    }
    switch (packet.type) {
      case MessageType.REPLY:
      case MessageType.REPLY_WITH_FDS:
        this.onReply(packet);
        return;
      case MessageType.MESSAGE:
        emit(this.messageListeners, { program: packet.program, procedure: packet.procedure, body: packet.body });
        return;
      case MessageType.STREAM:
      case MessageType.STREAM_HOLE:
        // Packets of a stream we no longer (or never) had, e.g. the daemon's answer to an abort
        // that raced with teardown, cannot be routed anywhere and are dropped.
        this.streams.get(packet.serial)?.handle(packet);
        return;
      default:
        // A CALL from the server is not part of libvirt's protocol; it affects nothing in flight.
        return;
    }
  }

  private onReply(packet: Packet): void {
    const call = this.pending.get(packet.serial);
    if (!call) {
      // Every serial we wait on is pending until answered, timed out or torn down (and a timeout
      // closes the connection), so a reply to anything else means the peer is confused or hostile:
      // trusting the rest of its stream could hand a caller someone else's answer.
      this.teardown(
        'protocol-error',
        new ProtocolError(`${this.label}: reply to serial ${packet.serial} (procedure ${packet.procedure}), which no call is waiting for`),
      );
      return;
    }
    this.pending.delete(packet.serial);
    clearTimeout(call.timer);
    if (packet.status === MessageStatus.OK) {
      this.report(call, true);
      call.resolve(packet.body);
      return;
    }
    let error: Error;
    try {
      const libvirtError = decodeRemoteError(packet.body);
      libvirtError.procedure = call.procedure;
      error = libvirtError;
    } catch (err) {
      error = err as Error;
    }
    this.report(call, false);
    call.reject(error);
  }

  private onKeepalive(packet: Packet): void {
    if (packet.type !== MessageType.MESSAGE) return;
    if (packet.procedure === KEEPALIVE_PROC_PING && this.options.answerPings !== false) {
      this.sendKeepalive(KEEPALIVE_PROC_PONG);
    }
    // A PONG needs no handling: receiving any packet already reset the missed-ping count.
  }

  private sendKeepalive(procedure: number): void {
    if (this.closedInfo) return;
    this.send(
      encodePacket({
        program: KEEPALIVE_PROGRAM,
        version: KEEPALIVE_PROTOCOL_VERSION,
        procedure,
        type: MessageType.MESSAGE,
        serial: 0,
        status: MessageStatus.OK,
      }),
    );
  }

  private keepaliveTick(options: KeepaliveOptions): void {
    if (this.closedInfo) return;
    // Like libvirt: only ping when the line has been quiet, so busy connections cost nothing extra.
    if (performance.now() - this.lastReceived < options.intervalMs) return;
    if (this.unansweredPings >= options.count) {
      this.teardown(
        'keepalive-timeout',
        new ConnectionClosedError(
          `${this.label}: no answer to ${this.unansweredPings} keepalive pings sent ${options.intervalMs} ms apart`,
          'keepalive-timeout',
        ),
      );
      return;
    }
    this.unansweredPings++;
    this.sendKeepalive(KEEPALIVE_PROC_PING);
  }

  private report(call: PendingCall, ok: boolean): void {
    const hook = this.options.onCallComplete;
    if (!hook) return;
    try {
      hook(call.procedure, performance.now() - call.started, ok);
    } catch {
      // Metrics must never break a call.
    }
  }

  private closedError(procedure?: string): ConnectionClosedError {
    const info = this.closedInfo!;
    const what = procedure ? ` (call ${procedure})` : '';
    const detail = info.error ? `: ${info.error.message}` : '';
    return new ConnectionClosedError(`connection to ${this.label} closed (${info.reason})${what}${detail}`, info.reason, {
      cause: info.error,
    });
  }

  private teardown(reason: DisconnectReason, error?: Error): void {
    if (this.closedInfo) return;
    this.closedInfo = error ? { reason, error } : { reason };
    this.stopKeepalive();
    for (const [serial, call] of this.pending) {
      this.pending.delete(serial);
      clearTimeout(call.timer);
      this.report(call, false);
      call.reject(this.closedError(call.procedure));
    }
    for (const stream of [...this.streams.values()]) stream.fail(this.closedError(stream.procedure));
    this.streams.clear();
    const drainError = this.closedError();
    for (const w of this.drainWaiters) w.reject(drainError);
    this.drainWaiters.clear();
    if (reason !== 'closed-by-client') this.stream.destroy();
    // Stream errors after teardown (e.g. EPIPE on a late write) have nowhere to go; keep them from crashing the process.
    this.stream.on('error', () => {});
    const info = this.closedInfo;
    this.resolveDisconnected(info);
    emit(this.disconnectListeners, info);
    this.disconnectListeners.clear();
  }
}
