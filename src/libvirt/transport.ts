// Opens the byte stream a connection runs over (what each transport is tested against:
// docs/libvirt-client.md).
import net from 'node:net';
import tls from 'node:tls';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { Duplex } from 'node:stream';
import type { LibvirtUri } from './uri.js';
import { registerTunnel } from './tunnel-diagnostics.js';
import { TransportError } from './transport-error.js';
import { openLibssh } from './ssh/libssh-transport.js';

export { TransportError };

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
  if (target.transport === 'ext') return `command ${target.query.command}`;
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

/**
 * libvirt's client PKI files: `?pkipath=DIR` (DIR/cacert.pem, clientcert.pem, clientkey.pem); else,
 * for a non-root user, ~/.pki/libvirt/ when it holds a client certificate; else the system paths
 * (remote_driver.c / virnettlscontext.c do the same).
 */
export function tlsFilesFor(target: LibvirtUri, overrides: Partial<TlsFiles> = {}, env: NodeJS.ProcessEnv = process.env): TlsFiles {
  const pkipath = target.query.pkipath;
  let base: TlsFiles = DEFAULT_TLS_FILES;
  if (pkipath) base = { ca: `${pkipath}/cacert.pem`, cert: `${pkipath}/clientcert.pem`, key: `${pkipath}/clientkey.pem` };
  else if (typeof process.getuid === 'function' && process.getuid() !== 0 && env.HOME) {
    const user = `${env.HOME}/.pki/libvirt`;
    if (existsSync(`${user}/clientcert.pem`))
      base = { ca: `${user}/cacert.pem`, cert: `${user}/clientcert.pem`, key: `${user}/clientkey.pem` };
  }
  return { ...base, ...overrides };
}

/** One line an operator can act on for Node's certificate verification failures. */
export function describeTlsFailure(err: NodeJS.ErrnoException, target: LibvirtUri, files: TlsFiles): string {
  const where = describe(target);
  const host = target.host ?? '';
  switch (err.code) {
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const cert = (err as { cert?: { subjectaltname?: string; subject?: { CN?: string } } }).cert;
      const names = cert?.subjectaltname ?? (cert?.subject?.CN ? `CN=${cert.subject.CN}` : 'no names');
      return `the server certificate of ${where} is not valid for '${host}': it names ${names}; connect with a name the certificate was issued for, or reissue it with this one (certtool: dns_name / ip_address)`;
    }
    case 'CERT_HAS_EXPIRED':
      return `the server certificate of ${where} has expired; renew it on the server (libvirtd's cert_file)`;
    case 'CERT_NOT_YET_VALID':
      return `the server certificate of ${where} is not valid yet (check the clocks, or its activation date)`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_SIGNATURE_FAILURE':
      return `the server certificate of ${where} was not issued by the CA in ${files.ca} (${err.code}); use the CA that signed libvirtd's cert_file`;
    default:
      break;
  }
  // The server rejecting our certificate arrives as a TLS alert.
  if (/alert (unknown ca|bad certificate|certificate (expired|revoked|unknown)|handshake failure)/i.test(err.message)) {
    return `${where} refused our client certificate ${files.cert} (${err.message.trim()}); it must be signed by the CA the daemon trusts (its ca_file) and not expired`;
  }
  return `TLS connection to ${where} failed: ${err.message}`;
}

/**
 * After the handshake libvirtd sends one byte before any RPC: 1 when it accepted the client
 * (its certificate and tls_allowed_dn_list checks passed), 0 when it did not. virsh reads it;
 * a client that does not waits forever for a daemon that waits for it.
 */
function readTlsStatusByte(socket: tls.TLSSocket, target: LibvirtUri, files: TlsFiles, timeoutMs: number): Promise<tls.TLSSocket> {
  const what = describe(target);
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      clearTimeout(timer);
      socket.removeListener('readable', onReadable);
      socket.removeListener('error', onError);
      socket.removeListener('end', onEnd);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(socket);
    };
    const onReadable = (): void => {
      const byte = socket.read(1) as Buffer | null;
      if (byte === null) return;
      if (byte[0] === 1) done();
      else
        done(
          new TransportError(
            `${what} refused our client certificate ${files.cert} after the TLS handshake (status byte ${byte[0]}): ` +
              "its subject is not in the daemon's tls_allowed_dn_list, or the daemon could not verify it (see its log)",
          ),
        );
    };
    const onError = (err: Error): void => done(new TransportError(describeTlsFailure(err, target, files), { cause: err }));
    const onEnd = (): void =>
      done(
        new TransportError(
          `${what} closed the connection after the TLS handshake: it refused our client certificate ${files.cert} (see the daemon's log)`,
        ),
      );
    const timer = setTimeout(
      () => done(new TransportError(`${what} sent no TLS status byte within ${timeoutMs} ms after the handshake (not a libvirt daemon?)`)),
      timeoutMs,
    );
    socket.on('readable', onReadable);
    socket.once('error', onError);
    socket.once('end', onEnd);
    onReadable();
  });
}

/**
 * Like libvirt's client, check our own certificates before using them: a daemon that rejects an
 * expired client certificate only hangs up, and its log is on another machine.
 */
export function checkCertificateDates(pem: Buffer, file: string, what: string, now = new Date()): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new TransportError(`${what} ${file} is not a PEM certificate: ${(err as Error).message}`, { cause: err });
  }
  const notAfter = new Date(cert.validTo);
  const notBefore = new Date(cert.validFrom);
  if (now > notAfter)
    throw new TransportError(`${what} ${file} expired on ${notAfter.toISOString()}; renew it (certtool --generate-certificate)`);
  if (now < notBefore) throw new TransportError(`${what} ${file} is not valid before ${notBefore.toISOString()} (check the clock)`);
}

async function openTls(target: LibvirtUri, options: TransportOptions): Promise<Duplex> {
  const files = tlsFilesFor(target, options.tlsFiles);
  const [ca, cert, key] = await Promise.all([
    readPem(files.ca, 'CA certificate'),
    readPem(files.cert, 'client certificate'),
    readPem(files.key, 'client key'),
  ]);
  checkCertificateDates(ca, files.ca, 'CA certificate');
  checkCertificateDates(cert, files.cert, 'client certificate');
  // libvirt's no_verify=1 skips the server certificate check; keep that escape hatch explicit.
  const verify = target.query.no_verify !== '1';
  const host = target.host!;
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const socket = tls.connect({
    host,
    port: target.port!,
    ca,
    cert,
    key,
    rejectUnauthorized: verify,
    ...(net.isIP(host) ? {} : { servername: host }),
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TransportError(`timed out after ${timeoutMs} ms connecting to ${describe(target)}`));
    }, timeoutMs);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const text =
        err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' || err.code === 'ETIMEDOUT'
          ? `cannot connect to ${describe(target)}: ${err.message}`
          : describeTlsFailure(err, target, files);
      reject(new TransportError(text, { cause: err }));
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve();
    });
  });
  socket.setNoDelay(true);
  return readTlsStatusByte(socket, target, files, timeoutMs);
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
  // libvirt's ssh transport: known_hosts names the file, no_verify=1 accepts unknown host keys.
  if (target.query.known_hosts) args.push('-o', `UserKnownHostsFile=${target.query.known_hosts}`);
  if (target.query.no_verify === '1') args.push('-o', 'StrictHostKeyChecking=no');
  args.push('--', target.host!, sshRemoteCommand(target, readOnly));
  return args;
}

export { tunnelFailure } from './tunnel-diagnostics.js';

/**
 * A stream over a child process's stdin/stdout: ssh (running the daemon-side proxy) or, for the
 * ext transport, the command the URI names. `what` names it in errors ("ssh to host").
 */
async function openCommandTunnel(what: string, command: string, args: string[]): Promise<Duplex> {
  // spawns: ssh, user-command
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err) => reject(new TransportError(`cannot run ${command}: ${err.message}`, { cause: err })));
  });
  const duplex = Duplex.from({ readable: child.stdout, writable: child.stdin });
  registerTunnel(duplex, {
    stderr: () => stderr,
    exited: new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve()))),
  });
  child.once('exit', (code, signal) => {
    // A tunnel failing (auth, host key, no netcat) shows up only as an exit: surface its stderr.
    if (code !== 0 && !duplex.destroyed) {
      const why = stderr.trim() || (signal ? `killed by ${signal}` : `exit code ${code}`);
      duplex.destroy(new TransportError(`${what} ended: ${why}`));
    }
  });
  duplex.once('close', () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  return duplex;
}

function openSsh(target: LibvirtUri, options: TransportOptions): Promise<Duplex> {
  // libvirt's command= names the ssh binary for the ssh transport.
  const ssh = target.query.command ?? options.sshCommand ?? 'ssh';
  return openCommandTunnel(`ssh to ${target.host}`, ssh, sshArgs(target, options.readOnly ?? false));
}

/** The ext transport: libvirt runs `command` (no arguments, no shell) and speaks RPC on its stdin/stdout. */
async function openExt(target: LibvirtUri): Promise<Duplex> {
  // parseLibvirtUri refuses an ext URI without command=.
  const command = target.query.command!;
  return openCommandTunnel(`command ${command}`, command, []);
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
    case 'libssh':
    case 'libssh2':
      // One ssh2-based client for both: they differ only in the C library libvirt links.
      return openLibssh(
        target,
        sshRemoteCommand(target, options.readOnly ?? false),
        options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      );
    case 'ext':
      return openExt(target);
  }
}
