// The seam between the RPC transport (framing, serials, keepalive) and the typed procedures.
// Procedures describe themselves with a ProcedureDef; the connection only moves bytes.
import type { XdrCodec } from './xdr.js';

/** libvirt's remote program (remote_protocol.x) and its version. */
export const REMOTE_PROGRAM = 0x20008086;
export const REMOTE_PROTOCOL_VERSION = 1;

/** One remote procedure: its number in remote_protocol.x and the codecs of its args and ret structs. */
export interface ProcedureDef<A, R> {
  /** libvirt's name without the REMOTE_PROC_ prefix, e.g. "DOMAIN_LOOKUP_BY_NAME"; used for metrics and errors. */
  readonly name: string;
  readonly number: number;
  readonly args: XdrCodec<A>;
  readonly ret: XdrCodec<R>;
  /** Procedures libvirt marks priority:high may run while others block; informative only. */
  readonly priority?: 'high';
  /**
   * Slow by nature (migration, save/restore, volume upload or wipe): the call's deadline is the
   * connection's slowCallTimeoutMs instead of callTimeoutMs.
   */
  readonly slow?: true;
  /** The call opens a data stream (remote_protocol.x's @readstream / @writestream): data from ('read') or to ('write') the daemon. */
  readonly stream?: 'read' | 'write';
}

/** What any procedure says about itself, codecs aside (tables of every procedure use it). */
export type ProcedureSummary = Pick<ProcedureDef<unknown, unknown>, 'name' | 'number' | 'priority' | 'slow' | 'stream'>;

/** An event the daemon sends as a MESSAGE packet of the remote program, with its payload's codec. */
export interface EventDef<T> {
  readonly name: string;
  readonly number: number;
  readonly msg: XdrCodec<T>;
}

/** Per-call options. */
export interface CallOptions {
  /** Deadline for this call in ms (0: none); default from the connection and the procedure. */
  timeoutMs?: number;
}

/** An asynchronous MESSAGE packet from the server (events), body not yet decoded. */
export interface ServerMessage {
  readonly program: number;
  readonly procedure: number;
  readonly body: Buffer;
}

/** What a typed procedure layer needs from a connection. */
export interface RpcCaller {
  /** Sends a CALL and resolves with the decoded REPLY; an ERROR reply rejects with LibvirtError. */
  call<A, R>(proc: ProcedureDef<A, R>, args: A, options?: CallOptions): Promise<R>;
  /** Subscribe to asynchronous server messages (events); returns an unsubscribe function. */
  onMessage(listener: (msg: ServerMessage) => void): () => void;
}
