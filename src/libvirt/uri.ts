// libvirt connection URIs: driver[+transport]://[user@][host][:port]/path[?query].
// We resolve them the way libvirt's remote driver does, including the name it sends to the
// daemon in CONNECT_OPEN (transport, host and client-side parameters removed).
import { closest } from '../manifests/suggest.js';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Transport = 'unix' | 'tcp' | 'tls' | 'ssh' | 'libssh' | 'libssh2' | 'ext';

export interface LibvirtUri {
  /** The URI as given. */
  readonly uri: string;
  /** Hypervisor driver, e.g. "qemu", "test". */
  readonly driver: string;
  readonly transport: Transport;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  /** Driver path, e.g. "/system", "/session", "/default". */
  readonly path: string;
  /**
   * Unix socket to connect to: for `unix`, the local socket; for `ssh`, the socket on the remote host.
   * Absent for tcp/tls.
   */
  readonly socket?: string;
  /** True when the URI named the socket with `?socket=` (libvirt then uses exactly that socket). */
  readonly socketExplicit: boolean;
  /** Every query parameter as given, client-side ones included. */
  readonly query: Readonly<Record<string, string>>;
  /** The URI the daemon receives in CONNECT_OPEN. */
  readonly name: string;
}

export class UriError extends Error {
  override name = 'UriError';
}

/** The remote driver's own parameters (remote_driver.c); they are consumed client-side, never sent. */
const CLIENT_PARAMS = new Set([
  'name',
  'command',
  'socket',
  'auth',
  'netcat',
  'keyfile',
  'sshauth',
  'no_verify',
  'no_tty',
  'known_hosts',
  'known_hosts_verify',
  'pkipath',
  'tls_priority',
  'tls',
  'mode',
  'proxy',
]);

export const DEFAULT_TCP_PORT = 16509;
export const DEFAULT_TLS_PORT = 16514;
export const DEFAULT_SSH_PORT = 22;
export const SYSTEM_SOCKET = '/var/run/libvirt/libvirt-sock';
export const SYSTEM_SOCKET_RO = '/var/run/libvirt/libvirt-sock-ro';

export interface ParseUriEnv {
  XDG_RUNTIME_DIR?: string;
  HOME?: string;
}

/** Where libvirtd listens for `<driver>:///session` of the current user. */
export function sessionSocketPath(env: ParseUriEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  // libvirt falls back to $HOME/.cache when there is no XDG runtime directory.
  const base = runtime ? path.join(runtime, 'libvirt') : path.join(env.HOME ?? os.homedir(), '.cache', 'libvirt');
  return path.join(base, 'libvirt-sock');
}

/** The read-only twin of a system socket (libvirt names it `<socket>-ro`). */
export function readOnlySocketPath(socket: string): string {
  return `${socket}-ro`;
}

function parseTransport(raw: string | undefined, hasHost: boolean): Transport {
  // libvirt's default: a URI with a host goes over TLS, one without over the local socket.
  if (raw === undefined) return hasHost ? 'tls' : 'unix';
  switch (raw) {
    case 'unix':
    case 'tcp':
    case 'tls':
    case 'ssh':
    case 'ext':
    case 'libssh':
    case 'libssh2':
      return raw;
    default:
      throw new UriError(`unknown transport '${raw}'`);
  }
}

/** ssh, libssh and libssh2 all run the same remote command against a socket on the host. */
export function isSshTransport(transport: Transport): boolean {
  return transport === 'ssh' || transport === 'libssh' || transport === 'libssh2';
}

/** The modular daemon serving each driver (libvirt >= 5.6); its socket is virt<x>d-sock. */
export const MODULAR_DAEMONS: Readonly<Record<string, string>> = {
  qemu: 'virtqemud',
  lxc: 'virtlxcd',
  network: 'virtnetworkd',
  storage: 'virtstoraged',
  nodedev: 'virtnodedevd',
  interface: 'virtinterfaced',
  nwfilter: 'virtnwfilterd',
  secret: 'virtsecretd',
  xen: 'virtxend',
  vbox: 'virtvboxd',
  ch: 'virtchd',
};

/** The paths libvirt's daemons accept for each driver that has a fixed set. */
const DRIVER_PATHS: Readonly<Record<string, readonly string[]>> = {
  qemu: ['/system', '/session', '/embed'],
  lxc: ['/', '/system'],
  ...Object.fromEntries(['network', 'storage', 'nodedev', 'interface', 'secret', 'nwfilter'].map((d) => [d, ['/system', '/session']])),
};

export type SocketExists = (path: string) => boolean;

/**
 * The system socket for a driver, as libvirt's remote driver picks it: `mode=legacy` is
 * libvirtd's libvirt-sock, `mode=direct` the driver's own modular daemon (virtqemud-sock, …);
 * `mode=auto` (the default) the modular socket when it exists and libvirt-sock does not (a host
 * set up with modular daemons only), else libvirt-sock (libvirtd, or virtproxyd standing in).
 */
export function systemSocketFor(driver: string, mode: string | undefined, exists: SocketExists): string {
  const daemon = MODULAR_DAEMONS[driver];
  const modular = daemon ? `/var/run/libvirt/${daemon}-sock` : undefined;
  switch (mode ?? 'auto') {
    case 'legacy':
      return SYSTEM_SOCKET;
    case 'direct':
      if (!modular) throw new UriError(`mode=direct: driver '${driver}' has no modular daemon (use mode=legacy)`);
      return modular;
    case 'auto':
      return modular && exists(modular) && !exists(SYSTEM_SOCKET) ? modular : SYSTEM_SOCKET;
    default:
      throw new UriError(`unknown mode '${mode}' (expected auto, legacy or direct)`);
  }
}

function defaultSocket(driver: string, driverPath: string, mode: string | undefined, env: ParseUriEnv, exists: SocketExists): string {
  return driverPath === '/session' ? sessionSocketPath(env) : systemSocketFor(driver, mode, exists);
}

function defaultPort(transport: Transport): number | undefined {
  switch (transport) {
    case 'tcp':
      return DEFAULT_TCP_PORT;
    case 'tls':
      return DEFAULT_TLS_PORT;
    case 'ssh':
      return undefined; // ssh's own default (and ~/.ssh/config) applies
    case 'libssh':
    case 'libssh2':
      return DEFAULT_SSH_PORT; // no ~/.ssh/config is read by these transports
    default:
      return undefined;
  }
}

function formatQuery(params: readonly (readonly [string, string])[]): string {
  if (params.length === 0) return '';
  return '?' + params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

export function parseLibvirtUri(uri: string, env: ParseUriEnv = process.env, exists: SocketExists = existsSync): LibvirtUri {
  const schemeMatch = /^([A-Za-z][A-Za-z0-9.-]*)(?:\+([A-Za-z0-9_-]+))?:\/\//.exec(uri);
  if (!schemeMatch) throw new UriError(`not a libvirt URI: '${uri}' (expected driver[+transport]://[host]/path)`);
  const driver = schemeMatch[1]!;
  let parsed: URL;
  try {
    // The WHATWG parser handles userinfo, IPv6 hosts and ports; swap in a scheme it treats
    // generically so it does not apply http-specific rules.
    parsed = new URL(`libvirt-uri${uri.slice(schemeMatch[0].length - 3)}`);
  } catch {
    throw new UriError(`malformed libvirt URI: '${uri}'`);
  }
  const rawHost = parsed.hostname;
  const host = rawHost ? rawHost.replace(/^\[(.*)\]$/, '$1') : undefined;
  const transport = parseTransport(schemeMatch[2], host !== undefined);
  if (transport === 'unix' && host) throw new UriError(`'${uri}': the unix transport cannot reach host '${host}'`);
  if ((transport === 'tcp' || transport === 'tls' || isSshTransport(transport)) && !host) {
    throw new UriError(`'${uri}': transport '${transport}' needs a host`);
  }

  const queryPairs: [string, string][] = [...parsed.searchParams.entries()];
  const query: Record<string, string> = {};
  for (const [k, v] of queryPairs) query[k] = v;
  if (transport === 'ext' && !query.command) {
    throw new UriError(
      `'${uri}': the ext transport needs the program to run, e.g. ${driver}+ext://${parsed.pathname}?command=/usr/local/bin/libvirt-proxy`,
    );
  }

  const driverPath = decodeURIComponent(parsed.pathname) || '/';
  const paths = DRIVER_PATHS[driver];
  if (paths && !paths.includes(driverPath)) {
    // libvirtd would refuse it too, but only once reached; a typo must not read as "no socket".
    const hint = closest(driverPath, paths);
    const base = `${schemeMatch[0]}${parsed.username ? `${parsed.username}@` : ''}${parsed.host}`;
    throw new UriError(
      `'${uri}': driver ${driver} has no path '${driverPath}' (${hint ? `did you mean ${base}${hint}?` : `expected ${paths.map((p) => base + p).join(' or ')}`})`,
    );
  }
  const port = parsed.port ? Number(parsed.port) : defaultPort(transport);
  const user = parsed.username ? decodeURIComponent(parsed.username) : undefined;

  const explicitSocket = query.socket;
  let socket: string | undefined;
  if (transport === 'unix') socket = explicitSocket ?? defaultSocket(driver, driverPath, query.mode, env, exists);
  // Over ssh the socket lives on the remote host; a session there is not ours to guess.
  else if (isSshTransport(transport)) socket = explicitSocket ?? SYSTEM_SOCKET;

  const serverParams = queryPairs.filter(([k]) => !CLIENT_PARAMS.has(k));
  const name = query.name ?? `${driver}://${parsed.pathname}${formatQuery(serverParams)}${parsed.hash}`;

  return {
    uri,
    driver,
    transport,
    ...(host !== undefined ? { host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(user !== undefined ? { user } : {}),
    path: driverPath,
    ...(socket !== undefined ? { socket } : {}),
    socketExplicit: explicitSocket !== undefined,
    query,
    name,
  };
}
