// Errors of the libvirt client: LibvirtError is what the daemon reported (remote_error);
// ProtocolError and ConnectionClosedError are our transport failing, not libvirt refusing.
import { XdrReader, XdrError } from './xdr.js';
import * as C from './generated/constants.js';
import { ERROR_NUMBER_NAMES } from './generated/errors.js';

/** virErrorNumber codes (generated from include/libvirt/virterror.h); the ones callers branch on are re-exported here by name. */
export const VIR_ERR_OK = C.VIR_ERR_OK;
export const VIR_ERR_INTERNAL_ERROR = C.VIR_ERR_INTERNAL_ERROR;
export const VIR_ERR_NO_SUPPORT = C.VIR_ERR_NO_SUPPORT;
export const VIR_ERR_NO_CONNECT = C.VIR_ERR_NO_CONNECT;
export const VIR_ERR_INVALID_ARG = C.VIR_ERR_INVALID_ARG;
export const VIR_ERR_OPERATION_FAILED = C.VIR_ERR_OPERATION_FAILED;
export const VIR_ERR_XML_ERROR = C.VIR_ERR_XML_ERROR;
export const VIR_ERR_DOM_EXIST = C.VIR_ERR_DOM_EXIST;
export const VIR_ERR_OPERATION_DENIED = C.VIR_ERR_OPERATION_DENIED;
export const VIR_ERR_NETWORK_EXIST = C.VIR_ERR_NETWORK_EXIST;
export const VIR_ERR_SYSTEM_ERROR = C.VIR_ERR_SYSTEM_ERROR;
export const VIR_ERR_RPC = C.VIR_ERR_RPC;
export const VIR_ERR_NO_DOMAIN = C.VIR_ERR_NO_DOMAIN;
export const VIR_ERR_NO_NETWORK = C.VIR_ERR_NO_NETWORK;
export const VIR_ERR_AUTH_FAILED = C.VIR_ERR_AUTH_FAILED;
export const VIR_ERR_NO_STORAGE_POOL = C.VIR_ERR_NO_STORAGE_POOL;
export const VIR_ERR_NO_STORAGE_VOL = C.VIR_ERR_NO_STORAGE_VOL;
export const VIR_ERR_NO_NODE_DEVICE = C.VIR_ERR_NO_NODE_DEVICE;
export const VIR_ERR_OPERATION_INVALID = C.VIR_ERR_OPERATION_INVALID;
export const VIR_ERR_NO_INTERFACE = C.VIR_ERR_NO_INTERFACE;
export const VIR_ERR_MULTIPLE_INTERFACES = C.VIR_ERR_MULTIPLE_INTERFACES;
export const VIR_ERR_NO_NWFILTER = C.VIR_ERR_NO_NWFILTER;
export const VIR_ERR_NO_SECRET = C.VIR_ERR_NO_SECRET;
export const VIR_ERR_CONFIG_UNSUPPORTED = C.VIR_ERR_CONFIG_UNSUPPORTED;
export const VIR_ERR_OPERATION_TIMEOUT = C.VIR_ERR_OPERATION_TIMEOUT;
export const VIR_ERR_NO_DOMAIN_SNAPSHOT = C.VIR_ERR_NO_DOMAIN_SNAPSHOT;
export const VIR_ERR_ARGUMENT_UNSUPPORTED = C.VIR_ERR_ARGUMENT_UNSUPPORTED;
export const VIR_ERR_STORAGE_POOL_BUILT = C.VIR_ERR_STORAGE_POOL_BUILT;
export const VIR_ERR_NO_DOMAIN_METADATA = C.VIR_ERR_NO_DOMAIN_METADATA;
export const VIR_ERR_OPERATION_UNSUPPORTED = C.VIR_ERR_OPERATION_UNSUPPORTED;
export const VIR_ERR_RESOURCE_BUSY = C.VIR_ERR_RESOURCE_BUSY;
export const VIR_ERR_ACCESS_DENIED = C.VIR_ERR_ACCESS_DENIED;
export const VIR_ERR_STORAGE_VOL_EXIST = C.VIR_ERR_STORAGE_VOL_EXIST;
export const VIR_ERR_XML_INVALID_SCHEMA = C.VIR_ERR_XML_INVALID_SCHEMA;
export const VIR_ERR_AUTH_UNAVAILABLE = C.VIR_ERR_AUTH_UNAVAILABLE;
export const VIR_ERR_DEVICE_MISSING = C.VIR_ERR_DEVICE_MISSING;
export const VIR_ERR_NO_NETWORK_PORT = C.VIR_ERR_NO_NETWORK_PORT;
export const VIR_ERR_MULTIPLE_DOMAINS = C.VIR_ERR_MULTIPLE_DOMAINS;

/** Symbolic name of a virErrorNumber, or `VIR_ERR_<n>` for codes newer than this table. */
export function errorCodeName(code: number): string {
  return ERROR_NUMBER_NAMES[code] ?? `VIR_ERR_${code}`;
}

/** virErrorDomain values callers may want to check (where the error came from). */
export const VIR_FROM_RPC = C.VIR_FROM_RPC;
export const VIR_FROM_QEMU = C.VIR_FROM_QEMU;
export const VIR_FROM_TEST = C.VIR_FROM_TEST;
export const VIR_FROM_REMOTE = C.VIR_FROM_REMOTE;
export const VIR_FROM_STORAGE = C.VIR_FROM_STORAGE;
export const VIR_FROM_NETWORK = C.VIR_FROM_NETWORK;
export const VIR_FROM_DOMAIN = C.VIR_FROM_DOMAIN;
export const VIR_FROM_NODEDEV = C.VIR_FROM_NODEDEV;
export const VIR_FROM_INTERFACE = C.VIR_FROM_INTERFACE;

/** virErrorLevel */
export const VIR_ERR_LEVEL_NONE = C.VIR_ERR_NONE;
export const VIR_ERR_LEVEL_WARNING = C.VIR_ERR_WARNING;
export const VIR_ERR_LEVEL_ERROR = C.VIR_ERR_ERROR;

export interface LibvirtErrorFields {
  code: number;
  domain: number;
  level: number;
  message: string | null;
  str1?: string | null;
  str2?: string | null;
  str3?: string | null;
  int1?: number;
  int2?: number;
}

/** An error the libvirt daemon reported for a call (a REPLY with status ERROR). */
export class LibvirtError extends Error {
  override name = 'LibvirtError';
  readonly code: number;
  readonly codeName: string;
  readonly domain: number;
  readonly level: number;
  /** libvirt's own message text, without our prefix. */
  readonly libvirtMessage: string;
  readonly str1?: string;
  readonly str2?: string;
  readonly str3?: string;
  readonly int1?: number;
  readonly int2?: number;
  /** The procedure whose call failed, when known (e.g. "DOMAIN_LOOKUP_BY_NAME"). */
  procedure?: string;

  constructor(fields: LibvirtErrorFields) {
    const text = fields.message ?? 'unknown error';
    const codeName = errorCodeName(fields.code);
    super(`libvirt error ${fields.code} (${codeName}): ${text}`);
    this.code = fields.code;
    this.codeName = codeName;
    this.domain = fields.domain;
    this.level = fields.level;
    this.libvirtMessage = text;
    if (fields.str1 != null) this.str1 = fields.str1;
    if (fields.str2 != null) this.str2 = fields.str2;
    if (fields.str3 != null) this.str3 = fields.str3;
    if (fields.int1 !== undefined) this.int1 = fields.int1;
    if (fields.int2 !== undefined) this.int2 = fields.int2;
  }
}

/** The transport saw bytes that are not valid libvirt RPC (bad framing, undecodable body). */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Why a connection ended; carried by ConnectionClosedError and the disconnected event. */
export type DisconnectReason =
  | 'closed-by-client' // close() was called
  | 'closed-by-peer' // the daemon (or the tunnel) ended the stream
  | 'socket-error' // the OS reported an error on the socket
  | 'keepalive-timeout' // the peer stopped answering keepalive pings
  | 'protocol-error' // the peer sent bytes we could not parse, or a reply to a call never made
  | 'call-timeout'; // a call got no answer within its deadline: the peer is wedged, start afresh

/** A call could not complete because the connection is gone; reconnecting may help. */
export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError';
  constructor(
    message: string,
    readonly reason: DisconnectReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A call got no reply within its deadline. The connection is closed with it (reason
 * 'call-timeout'): a daemon that sits on one call holds a worker and may sit on the next, and
 * the daemon mode reconnects on a closed connection.
 */
export class CallTimeoutError extends Error {
  override name = 'CallTimeoutError';
  constructor(
    message: string,
    /** The procedure, e.g. "DOMAIN_CREATE". */
    readonly procedure: string,
    /** The object the call was about, e.g. "domain 'web-1'", when its arguments name one. */
    readonly object: string | undefined,
    readonly timeoutMs: number,
  ) {
    super(message);
  }
}

/** The daemon wants an authentication method this client does not implement (SASL, polkit). */
export class UnsupportedAuthError extends Error {
  override name = 'UnsupportedAuthError';
}

const REMOTE_STRING_MAX = 4_194_304;
const UUID_BYTES = 16;

function readRemoteString(r: XdrReader): string | null {
  return r.optional((rr) => rr.string(REMOTE_STRING_MAX));
}

/** Decodes a remote_error body (virNetMessageError) into a LibvirtError. */
export function decodeRemoteError(body: Buffer): LibvirtError {
  try {
    const r = new XdrReader(body);
    const code = r.int();
    const domain = r.int();
    const message = readRemoteString(r);
    const level = r.int();
    // dom and net are unused by libvirt but still on the wire: skip them to reach what follows.
    r.optional((rr) => {
      rr.string(REMOTE_STRING_MAX);
      rr.fixedOpaque(UUID_BYTES);
      rr.int();
    });
    const str1 = readRemoteString(r);
    const str2 = readRemoteString(r);
    const str3 = readRemoteString(r);
    const int1 = r.int();
    const int2 = r.int();
    r.optional((rr) => {
      rr.string(REMOTE_STRING_MAX);
      rr.fixedOpaque(UUID_BYTES);
    });
    r.end();
    return new LibvirtError({ code, domain, level, message, str1, str2, str3, int1, int2 });
  } catch (err) {
    if (err instanceof XdrError) throw new ProtocolError(`undecodable remote_error body: ${err.message}`, { cause: err });
    throw err;
  }
}

const NOT_FOUND_CODES: ReadonlySet<number> = new Set([
  VIR_ERR_NO_DOMAIN,
  VIR_ERR_NO_NETWORK,
  VIR_ERR_NO_STORAGE_POOL,
  VIR_ERR_NO_STORAGE_VOL,
  VIR_ERR_NO_NODE_DEVICE,
  VIR_ERR_NO_INTERFACE,
  VIR_ERR_NO_NWFILTER,
  VIR_ERR_NO_SECRET,
  VIR_ERR_NO_DOMAIN_SNAPSHOT,
  VIR_ERR_NO_NETWORK_PORT,
]);

/** True for libvirt's "no such object" errors (domain, network, pool, volume, node device, interface, …). */
export function isNotFound(err: unknown): boolean {
  return err instanceof LibvirtError && NOT_FOUND_CODES.has(err.code);
}

/** True when err is a LibvirtError with the given code. */
export function hasErrorCode(err: unknown, code: number): err is LibvirtError {
  return err instanceof LibvirtError && err.code === code;
}
