// Errors of the libvirt client: LibvirtError is what the daemon reported (remote_error);
// ProtocolError and ConnectionClosedError are our transport failing, not libvirt refusing.
import { XdrReader, XdrError } from './xdr.js';

/** virErrorNumber codes from include/libvirt/virterror.h; the ones callers branch on are exported by name. */
export const VIR_ERR_OK = 0;
export const VIR_ERR_INTERNAL_ERROR = 1;
export const VIR_ERR_NO_SUPPORT = 3;
export const VIR_ERR_NO_CONNECT = 5;
export const VIR_ERR_INVALID_ARG = 8;
export const VIR_ERR_OPERATION_FAILED = 9;
export const VIR_ERR_XML_ERROR = 27;
export const VIR_ERR_DOM_EXIST = 28;
export const VIR_ERR_OPERATION_DENIED = 29;
export const VIR_ERR_NETWORK_EXIST = 37;
export const VIR_ERR_SYSTEM_ERROR = 38;
export const VIR_ERR_RPC = 39;
export const VIR_ERR_NO_DOMAIN = 42;
export const VIR_ERR_NO_NETWORK = 43;
export const VIR_ERR_AUTH_FAILED = 45;
export const VIR_ERR_NO_STORAGE_POOL = 49;
export const VIR_ERR_NO_STORAGE_VOL = 50;
export const VIR_ERR_NO_NODE_DEVICE = 53;
export const VIR_ERR_OPERATION_INVALID = 55;
export const VIR_ERR_NO_INTERFACE = 57;
export const VIR_ERR_MULTIPLE_INTERFACES = 59;
export const VIR_ERR_NO_NWFILTER = 62;
export const VIR_ERR_NO_SECRET = 66;
export const VIR_ERR_CONFIG_UNSUPPORTED = 67;
export const VIR_ERR_OPERATION_TIMEOUT = 68;
export const VIR_ERR_NO_DOMAIN_SNAPSHOT = 72;
export const VIR_ERR_ARGUMENT_UNSUPPORTED = 74;
export const VIR_ERR_STORAGE_POOL_BUILT = 76;
export const VIR_ERR_NO_DOMAIN_METADATA = 80;
export const VIR_ERR_OPERATION_UNSUPPORTED = 84;
export const VIR_ERR_RESOURCE_BUSY = 87;
export const VIR_ERR_ACCESS_DENIED = 88;
export const VIR_ERR_STORAGE_VOL_EXIST = 90;
export const VIR_ERR_XML_INVALID_SCHEMA = 92;
export const VIR_ERR_AUTH_UNAVAILABLE = 94;
export const VIR_ERR_DEVICE_MISSING = 99;
export const VIR_ERR_NO_NETWORK_PORT = 107;
export const VIR_ERR_MULTIPLE_DOMAINS = 110;

/** Every virErrorNumber name by value (libvirt 9), for readable messages. */
const ERROR_NAMES: readonly string[] = [
  'VIR_ERR_OK', 'VIR_ERR_INTERNAL_ERROR', 'VIR_ERR_NO_MEMORY', 'VIR_ERR_NO_SUPPORT', 'VIR_ERR_UNKNOWN_HOST',
  'VIR_ERR_NO_CONNECT', 'VIR_ERR_INVALID_CONN', 'VIR_ERR_INVALID_DOMAIN', 'VIR_ERR_INVALID_ARG', 'VIR_ERR_OPERATION_FAILED',
  'VIR_ERR_GET_FAILED', 'VIR_ERR_POST_FAILED', 'VIR_ERR_HTTP_ERROR', 'VIR_ERR_SEXPR_SERIAL', 'VIR_ERR_NO_XEN',
  'VIR_ERR_XEN_CALL', 'VIR_ERR_OS_TYPE', 'VIR_ERR_NO_KERNEL', 'VIR_ERR_NO_ROOT', 'VIR_ERR_NO_SOURCE',
  'VIR_ERR_NO_TARGET', 'VIR_ERR_NO_NAME', 'VIR_ERR_NO_OS', 'VIR_ERR_NO_DEVICE', 'VIR_ERR_NO_XENSTORE',
  'VIR_ERR_DRIVER_FULL', 'VIR_ERR_CALL_FAILED', 'VIR_ERR_XML_ERROR', 'VIR_ERR_DOM_EXIST', 'VIR_ERR_OPERATION_DENIED',
  'VIR_ERR_OPEN_FAILED', 'VIR_ERR_READ_FAILED', 'VIR_ERR_PARSE_FAILED', 'VIR_ERR_CONF_SYNTAX', 'VIR_ERR_WRITE_FAILED',
  'VIR_ERR_XML_DETAIL', 'VIR_ERR_INVALID_NETWORK', 'VIR_ERR_NETWORK_EXIST', 'VIR_ERR_SYSTEM_ERROR', 'VIR_ERR_RPC',
  'VIR_ERR_GNUTLS_ERROR', 'VIR_WAR_NO_NETWORK', 'VIR_ERR_NO_DOMAIN', 'VIR_ERR_NO_NETWORK', 'VIR_ERR_INVALID_MAC',
  'VIR_ERR_AUTH_FAILED', 'VIR_ERR_INVALID_STORAGE_POOL', 'VIR_ERR_INVALID_STORAGE_VOL', 'VIR_WAR_NO_STORAGE', 'VIR_ERR_NO_STORAGE_POOL',
  'VIR_ERR_NO_STORAGE_VOL', 'VIR_WAR_NO_NODE', 'VIR_ERR_INVALID_NODE_DEVICE', 'VIR_ERR_NO_NODE_DEVICE', 'VIR_ERR_NO_SECURITY_MODEL',
  'VIR_ERR_OPERATION_INVALID', 'VIR_WAR_NO_INTERFACE', 'VIR_ERR_NO_INTERFACE', 'VIR_ERR_INVALID_INTERFACE', 'VIR_ERR_MULTIPLE_INTERFACES',
  'VIR_WAR_NO_NWFILTER', 'VIR_ERR_INVALID_NWFILTER', 'VIR_ERR_NO_NWFILTER', 'VIR_ERR_BUILD_FIREWALL', 'VIR_WAR_NO_SECRET',
  'VIR_ERR_INVALID_SECRET', 'VIR_ERR_NO_SECRET', 'VIR_ERR_CONFIG_UNSUPPORTED', 'VIR_ERR_OPERATION_TIMEOUT', 'VIR_ERR_MIGRATE_PERSIST_FAILED',
  'VIR_ERR_HOOK_SCRIPT_FAILED', 'VIR_ERR_INVALID_DOMAIN_SNAPSHOT', 'VIR_ERR_NO_DOMAIN_SNAPSHOT', 'VIR_ERR_INVALID_STREAM', 'VIR_ERR_ARGUMENT_UNSUPPORTED',
  'VIR_ERR_STORAGE_PROBE_FAILED', 'VIR_ERR_STORAGE_POOL_BUILT', 'VIR_ERR_SNAPSHOT_REVERT_RISKY', 'VIR_ERR_OPERATION_ABORTED', 'VIR_ERR_AUTH_CANCELLED',
  'VIR_ERR_NO_DOMAIN_METADATA', 'VIR_ERR_MIGRATE_UNSAFE', 'VIR_ERR_OVERFLOW', 'VIR_ERR_BLOCK_COPY_ACTIVE', 'VIR_ERR_OPERATION_UNSUPPORTED',
  'VIR_ERR_SSH', 'VIR_ERR_AGENT_UNRESPONSIVE', 'VIR_ERR_RESOURCE_BUSY', 'VIR_ERR_ACCESS_DENIED', 'VIR_ERR_DBUS_SERVICE',
  'VIR_ERR_STORAGE_VOL_EXIST', 'VIR_ERR_CPU_INCOMPATIBLE', 'VIR_ERR_XML_INVALID_SCHEMA', 'VIR_ERR_MIGRATE_FINISH_OK', 'VIR_ERR_AUTH_UNAVAILABLE',
  'VIR_ERR_NO_SERVER', 'VIR_ERR_NO_CLIENT', 'VIR_ERR_AGENT_UNSYNCED', 'VIR_ERR_LIBSSH', 'VIR_ERR_DEVICE_MISSING',
  'VIR_ERR_INVALID_NWFILTER_BINDING', 'VIR_ERR_NO_NWFILTER_BINDING', 'VIR_ERR_INVALID_DOMAIN_CHECKPOINT', 'VIR_ERR_NO_DOMAIN_CHECKPOINT', 'VIR_ERR_NO_DOMAIN_BACKUP',
  'VIR_ERR_INVALID_NETWORK_PORT', 'VIR_ERR_NETWORK_PORT_EXIST', 'VIR_ERR_NO_NETWORK_PORT', 'VIR_ERR_NO_HOSTNAME', 'VIR_ERR_CHECKPOINT_INCONSISTENT',
  'VIR_ERR_MULTIPLE_DOMAINS',
];

/** Symbolic name of a virErrorNumber, or `VIR_ERR_<n>` for codes newer than this table. */
export function errorCodeName(code: number): string {
  return ERROR_NAMES[code] ?? `VIR_ERR_${code}`;
}

/** virErrorDomain values callers may want to check (where the error came from). */
export const VIR_FROM_RPC = 7;
export const VIR_FROM_QEMU = 10;
export const VIR_FROM_TEST = 12;
export const VIR_FROM_REMOTE = 13;
export const VIR_FROM_STORAGE = 18;
export const VIR_FROM_NETWORK = 19;
export const VIR_FROM_DOMAIN = 20;
export const VIR_FROM_NODEDEV = 22;
export const VIR_FROM_INTERFACE = 26;

/** virErrorLevel */
export const VIR_ERR_LEVEL_NONE = 0;
export const VIR_ERR_LEVEL_WARNING = 1;
export const VIR_ERR_LEVEL_ERROR = 2;

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
