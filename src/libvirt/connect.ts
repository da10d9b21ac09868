// Opening a libvirt connection: transport, auth negotiation, CONNECT_OPEN, keepalive.
// Higher layers (client.ts, events.ts) start from the RpcConnection this returns.
import { XdrError } from './xdr.js';
import { RpcConnection, type RpcConnectionOptions } from './connection.js';
import { openTransport, TransportError, tunnelFailure, type TransportOptions } from './transport.js';
import { parseLibvirtUri, readOnlySocketPath, type LibvirtUri } from './uri.js';
import { ConnectionClosedError, LibvirtError, VIR_ERR_NO_SUPPORT } from './errors.js';
import { authenticate } from './auth/negotiate.js';
import * as C from './generated/constants.js';
import { AUTH_LIST, CONNECT_CLOSE, CONNECT_OPEN, CONNECT_SUPPORTS_FEATURE } from './generated/remote-procedures.js';

/** remote_auth_type */
export const REMOTE_AUTH_NONE = C.REMOTE_AUTH_NONE;
export const REMOTE_AUTH_SASL = C.REMOTE_AUTH_SASL;
export const REMOTE_AUTH_POLKIT = C.REMOTE_AUTH_POLKIT;

/** virConnectFlags: VIR_CONNECT_RO. */
export const VIR_CONNECT_RO = C.VIR_CONNECT_RO;
/** virDrvFeature: the peer speaks the keepalive program. */
export const VIR_DRV_FEATURE_PROGRAM_KEEPALIVE = 10;

// Connection set-up calls are the generated definitions; they are re-exported here because
// callers that open or probe a connection (doctor) think of them as part of opening it.
export { AUTH_LIST, CONNECT_CLOSE, CONNECT_OPEN, CONNECT_SUPPORTS_FEATURE } from './generated/remote-procedures.js';

export interface OpenConnectionOptions extends TransportOptions, RpcConnectionOptions {
  /** Open read-only (VIR_CONNECT_RO); uses the `-ro` socket when the URI does not name one. */
  readOnly?: boolean;
  /** Send our own keepalive PINGs after this much silence (default 5000 ms; 0 disables them). */
  keepaliveIntervalMs?: number;
  /** Declare the daemon dead after this many unanswered PINGs (default 5, as libvirt's client). */
  keepaliveCount?: number;
  /** Give up if transport + auth + open take longer than this (default 30 s). */
  openTimeoutMs?: number;
}

export const DEFAULT_KEEPALIVE_INTERVAL_MS = 5000;
export const DEFAULT_KEEPALIVE_COUNT = 5;
const DEFAULT_OPEN_TIMEOUT_MS = 30_000;

export class ConnectError extends Error {
  override name = 'ConnectError';
}

/** Local socket for a unix URI: libvirt's `-ro` twin of a default socket when read-only, the exact socket otherwise. */
export function localSocketFor(target: LibvirtUri, readOnly: boolean): string | undefined {
  if (target.transport !== 'unix' || !target.socket) return undefined;
  // An explicit socket= is used as given (libvirt does the same); the session daemon has no -ro socket.
  if (!readOnly || target.socketExplicit || target.path === '/session') return target.socket;
  return readOnlySocketPath(target.socket);
}

async function negotiateAuth(conn: RpcConnection, target: LibvirtUri): Promise<void> {
  let types: number[];
  try {
    types = (await conn.call(AUTH_LIST, undefined)).types;
  } catch (err) {
    // Daemons too old for AUTH_LIST answer NO_SUPPORT; they only do unauthenticated access.
    if (err instanceof LibvirtError && err.code === VIR_ERR_NO_SUPPORT) return;
    throw err;
  }
  // TLS protects the session and a unix socket is local (also at the far end of ssh, and the
  // socket pair to an ext command): libvirt calls these "secure" and lets SASL run without a
  // security layer there.
  const secure = target.transport !== 'tcp';
  const layer = await authenticate(conn, types, { target, secure });
  if (layer) conn.useSecurityLayer(layer);
}

async function handshake(conn: RpcConnection, target: LibvirtUri, options: OpenConnectionOptions): Promise<void> {
  await negotiateAuth(conn, target);
  await conn.call(CONNECT_OPEN, { name: target.name, flags: options.readOnly ? VIR_CONNECT_RO : 0 });
  const intervalMs = options.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_INTERVAL_MS;
  let keepalive = false;
  try {
    keepalive = (await conn.call(CONNECT_SUPPORTS_FEATURE, { feature: VIR_DRV_FEATURE_PROGRAM_KEEPALIVE })).supported !== 0;
  } catch (err) {
    // A daemon without the feature check just gets no keepalive; anything else is real trouble.
    if (!(err instanceof LibvirtError)) throw err;
  }
  if (keepalive && intervalMs > 0) {
    conn.startKeepalive({ intervalMs, count: options.keepaliveCount ?? DEFAULT_KEEPALIVE_COUNT });
  }
}

/**
 * Connects to the daemon behind a libvirt URI and opens the driver.
 * Rejects with TransportError, UnsupportedAuthError, LibvirtError (e.g. unknown driver) or ConnectError.
 */
export async function openConnection(uri: string, options: OpenConnectionOptions = {}): Promise<RpcConnection> {
  const target = parseLibvirtUri(uri);
  const readOnly = options.readOnly ?? false;
  const socketPath = localSocketFor(target, readOnly);
  const stream = await openTransport(target, { ...options, readOnly, ...(socketPath ? { socketPath } : {}) });
  const conn = new RpcConnection(stream, { ...options, label: options.label ?? uri });
  const timeoutMs = options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConnectError(`${uri}: no answer to connection setup within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([handshake(conn, target, options), timeout]);
    return conn;
  } catch (err) {
    await conn.close();
    if (err instanceof ConnectionClosedError) {
      const said = await tunnelFailure(stream);
      const tunnel = target.transport === 'ext' ? `command ${target.query.command}` : `${target.transport} to ${target.host}`;
      if (said) throw new TransportError(`${uri}: ${tunnel} failed: ${said}`, { cause: err });
      throw new ConnectError(`${uri}: the daemon closed the connection during setup (${err.message})`, { cause: err });
    }
    if (err instanceof XdrError) throw new ConnectError(`${uri}: ${err.message}`, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Says goodbye (CONNECT_CLOSE) so the daemon releases the driver connection, then closes the stream. */
export async function closeConnection(conn: RpcConnection, timeoutMs = 5000): Promise<void> {
  if (conn.closed) return;
  conn.stopKeepalive();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      conn.call(CONNECT_CLOSE, undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
  } catch {
    // The connection is going away either way; a failed goodbye changes nothing for the caller.
  } finally {
    clearTimeout(timer);
    await conn.close();
  }
}
