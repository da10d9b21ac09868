// Opens the byte stream a connection runs over. unix and tcp are tested against a real daemon;
// tls and ssh follow libvirt's conventions but are not covered by our tests (see docs/libvirt-client.md).
import net from 'node:net';
import tls from 'node:tls';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Duplex } from 'node:stream';
import type { LibvirtUri } from './uri.js';

export class TransportError extends Error {
  override name = 'TransportError';
}

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** libvirt's default PKI locations for a privileged client. */
export const DEFAULT_TLS_FILES: TlsFiles = {
  ca: '/etc/pki/CA/cacert.pem',
  cert: '/etc/pki/libvirt/clientcert.pem',
  key: '/etc/pki/libvirt/private/clientkey.pem',
};

export interface TransportOptions {
  /** Give up connecting after this long. */
  connectTimeoutMs?: number;
  /** Override the unix socket (e.g. the read-only socket). */
  socketPath?: string;
  /** TLS certificate files; `?pkipath=DIR` in the URI selects DIR/cacert.pem, clientcert.pem, clientkey.pem. */
  tlsFiles?: Partial<TlsFiles>;
  /** ssh executable (default "ssh" from PATH). */
  sshCommand?: string;
  /** Read-only connection: over ssh, the remote `-ro` socket / `virt-ssh-helper --readonly`. */
  readOnly?: boolean;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

function describe(target: LibvirtUri, socketPath?: string): string {
  if (target.transport === 'unix') return `unix socket ${socketPath ?? target.socket}`;
  return `${target.transport}://${target.host}${target.port ? `:${target.port}` : ''}`;
}

/** Waits for `readyEvent` or fails with a TransportError naming the target. */
function whenConnected<T extends net.Socket>(socket: T, readyEvent: string, what: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TransportError(`timed out after ${timeoutMs} ms connecting to ${what}`));
    }, timeoutMs);
    const onError = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new TransportError(`cannot connect to ${what}: ${err.message}`, { cause: err }));
    };
    socket.once('error', onError);
    socket.once(readyEvent, () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
  });
}

async function openUnix(target: LibvirtUri, options: TransportOptions): Promise<Duplex> {
  const socketPath = options.socketPath ?? target.socket;
  if (!socketPath) throw new TransportError(`no unix socket for ${target.uri}`);
  const socket = net.connect({ path: socketPath });
  return whenConnected(socket, 'connect', describe(target, socketPath), options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
}

async function openTcp(target: LibvirtUri, options: TransportOptions): Promise<Duplex> {
  const socket = net.connect({ host: target.host!, port: target.port! });
  const connected = await whenConnected(socket, 'connect', describe(target), options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  connected.setNoDelay(true);
  return connected;
}

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new TransportError(`cannot read TLS ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

async function openTls(target: LibvirtUri, options: TransportOptions): Promise<Duplex> {
  const pkipath = target.query.pkipath;
  const files: TlsFiles = {
    ...(pkipath
      ? { ca: `${pkipath}/cacert.pem`, cert: `${pkipath}/clientcert.pem`, key: `${pkipath}/clientkey.pem` }
      : DEFAULT_TLS_FILES),
    ...options.tlsFiles,
  };
  const [ca, cert, key] = await Promise.all([
    readPem(files.ca, 'CA certificate'),
    readPem(files.cert, 'client certificate'),
    readPem(files.key, 'client key'),
  ]);
  // libvirt's no_verify=1 skips the server certificate check; keep that escape hatch explicit.
  const verify = target.query.no_verify !== '1';
  const host = target.host!;
  const socket = tls.connect({
    host,
    port: target.port!,
    ca,
    cert,
    key,
    rejectUnauthorized: verify,
    ...(net.isIP(host) ? {} : { servername: host }),
  });
  return whenConnected(socket, 'secureConnect', describe(target), options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
}

/** Quotes one word for the remote POSIX shell that runs ssh's command. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command ssh runs remotely. Like libvirt's proxy=auto: virt-ssh-helper when installed
 * (it picks the right daemon socket itself), netcat on the socket otherwise.
 */
export function sshRemoteCommand(target: LibvirtUri, readOnly = false): string {
  // libvirt's client picks the remote -ro socket for read-only connections unless told a socket.
  const socket = readOnly && !target.socketExplicit ? `${target.socket!}-ro` : target.socket!;
  const netcat = target.query.netcat ?? 'nc';
  const proxy = target.query.proxy ?? 'auto';
  const nc = `${shellQuote(netcat)} -U ${shellQuote(socket)}`;
  if (proxy === 'netcat' || target.socketExplicit) return nc;
  const helper = `virt-ssh-helper${readOnly ? ' --readonly' : ''} ${shellQuote(target.name)}`;
  if (proxy === 'native') return helper;
  return `sh -c ${shellQuote(`if command -v virt-ssh-helper >/dev/null 2>&1; then exec ${helper}; else exec ${nc}; fi`)}`;
}

export function sshArgs(target: LibvirtUri, readOnly = false): string[] {
  const args: string[] = [];
  if (target.port !== undefined) args.push('-p', String(target.port));
  if (target.user !== undefined) args.push('-l', target.user);
  if (target.query.keyfile) args.push('-i', target.query.keyfile);
  // No tty and no escape character: the channel carries binary RPC frames.
  args.push('-T', '-e', 'none');
  if (target.query.no_tty === '1') args.push('-o', 'BatchMode=yes');
  args.push('--', target.host!, sshRemoteCommand(target, readOnly));
  return args;
}

async function openSsh(target: LibvirtUri, options: TransportOptions): Promise<Duplex> {
  const child = spawn(options.sshCommand ?? 'ssh', sshArgs(target, options.readOnly ?? false), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err) => reject(new TransportError(`cannot run ssh: ${err.message}`, { cause: err })));
  });
  const duplex = Duplex.from({ readable: child.stdout, writable: child.stdin });
  child.once('exit', (code, signal) => {
    // ssh failing (auth, host key, no netcat) shows up only as an exit: surface its stderr.
    if (code !== 0 && !duplex.destroyed) {
      const why = stderr.trim() || (signal ? `killed by ${signal}` : `exit code ${code}`);
      duplex.destroy(new TransportError(`ssh to ${target.host} ended: ${why}`));
    }
  });
  duplex.once('close', () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  return duplex;
}

/** Opens the stream for a parsed URI. */
export function openTransport(target: LibvirtUri, options: TransportOptions = {}): Promise<Duplex> {
  switch (target.transport) {
    case 'unix':
      return openUnix(target, options);
    case 'tcp':
      return openTcp(target, options);
    case 'tls':
      return openTls(target, options);
    case 'ssh':
      return openSsh(target, options);
  }
}
