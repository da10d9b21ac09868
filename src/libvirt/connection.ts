// One RPC connection to a libvirt daemon: many calls in flight on one stream, matched by serial;
// server MESSAGE packets fanned out to listeners; keepalive answered and (optionally) sent.
// Every failure of the stream ends in exactly one teardown that rejects all pending calls.
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { XdrError, XdrReader, XdrWriter } from './xdr.js';
import { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, type ProcedureDef, type RpcCaller, type ServerMessage } from './rpc-types.js';
import { FrameDecoder, MessageStatus, MessageType, encodePacket, type Packet } from './frame.js';
import { ConnectionClosedError, ProtocolError, decodeRemoteError, type DisconnectReason } from './errors.js';

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
}

interface PendingCall {
  readonly procedure: string;
  readonly started: number;
  resolve(body: Buffer): void;
  reject(err: Error): void;
}

type Listener<T> = (value: T) => void;

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
  private nextSerial = 1;
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

  call<A, R>(proc: ProcedureDef<A, R>, args: A): Promise<R> {
    return this.callProgram(REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, proc, args);
  }

  /** Like call() but for another RPC program served on the same socket (e.g. libvirt's admin or qemu programs). */
  callProgram<A, R>(program: number, version: number, proc: ProcedureDef<A, R>, args: A): Promise<R> {
    if (this.closedInfo) return Promise.reject(this.closedError(proc.name));
    let body: Buffer;
    try {
      const w = new XdrWriter();
      proc.args.encode(w, args);
      body = w.toBuffer();
    } catch (err) {
      return Promise.reject(err);
    }
    const serial = this.allocateSerial();
    let frame: Buffer;
    try {
      frame = encodePacket({ program, version, procedure: proc.number, type: MessageType.CALL, serial, status: MessageStatus.OK }, body);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<R>((resolve, reject) => {
      this.pending.set(serial, {
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
      });
      this.stream.write(frame);
    });
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
    } while (this.pending.has(this.nextSerial));
    return serial;
  }

  private onData(chunk: Buffer): void {
    if (this.closedInfo) return;
    let packets: Packet[];
    try {
      packets = this.decoder.push(chunk);
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
      default:
        // STREAM packets belong to stream APIs we do not use; a CALL from the server is not part
        // of libvirt's protocol. Neither affects calls in flight, so they are dropped.
        return;
    }
  }

  private onReply(packet: Packet): void {
    const call = this.pending.get(packet.serial);
    // A reply nobody waits for cannot be routed anywhere; the stream itself is still in sync.
    if (!call) return;
    this.pending.delete(packet.serial);
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
    this.stream.write(
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
      this.report(call, false);
      call.reject(this.closedError(call.procedure));
    }
    if (reason !== 'closed-by-client') this.stream.destroy();
    // Stream errors after teardown (e.g. EPIPE on a late write) have nowhere to go; keep them from crashing the process.
    this.stream.on('error', () => {});
    const info = this.closedInfo;
    this.resolveDisconnected(info);
    emit(this.disconnectListeners, info);
    this.disconnectListeners.clear();
  }
}
