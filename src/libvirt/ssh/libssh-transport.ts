// libvirt's libssh and libssh2 transports, with the pure-JavaScript ssh2 client: an SSH session
// to the host, an exec channel running the same remote command as the +ssh transport
// (virt-ssh-helper or netcat on the daemon's socket), and that channel's stream carrying the RPC
// bytes as ssh's stdin/stdout do for +ssh. Host keys and authentication follow libvirt's
// parameters (libssh-params.ts); nothing is ever prompted for.
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import { Duplex } from 'node:stream';
import type { LibvirtUri } from '../uri.js';
import { TransportError } from '../transport-error.js';
import { registerTunnel } from '../tunnel-diagnostics.js';
import { libsshAuthHandler, type AuthAttempts } from './libssh-auth.js';
import { checkHostKey } from './host-key-check.js';
import { libsshParams, type LibsshParams } from './libssh-params.js';

/** A shell's exit status for "command not found". */
const EXIT_NOT_FOUND = 127;
/** How long a dropped stream waits for its channel to close before the session is ended anyway. */
const CHANNEL_CLOSE_GRACE_MS = 2000;

interface SetupState {
  /** Set when we refused the host key, with the one-line reason. */
  hostKeyRefusal?: string;
  attempts: AuthAttempts;
}

function where(params: LibsshParams, transport: string): string {
  return `${transport}://${params.username}@${params.host}:${params.port}`;
}

function authRefusal(params: LibsshParams, transport: string, attempts: AuthAttempts): string {
  const tried = attempts.tried.length > 0 ? attempts.tried.join(', ') : 'nothing';
  const skipped = attempts.skipped.length > 0 ? `; not tried: ${attempts.skipped.join('; ')}` : '';
  const server = attempts.serverMethods.length > 0 ? `; the server accepts: ${attempts.serverMethods.join(', ')}` : '';
  return `${where(params, transport)}: authentication refused (tried: ${tried}${skipped}${server})`;
}

/** One line for an error ssh2 reported before the session was ready. */
function describeSetupError(
  err: Error & { level?: string; code?: string },
  params: LibsshParams,
  transport: string,
  state: SetupState,
  timeoutMs: number,
): string {
  if (state.hostKeyRefusal) return `${where(params, transport)}: ${state.hostKeyRefusal}`;
  if (err.level === 'client-authentication') return authRefusal(params, transport, state.attempts);
  if (err.level === 'client-timeout') return `timed out after ${timeoutMs} ms connecting to ${where(params, transport)} (no SSH handshake)`;
  return `cannot connect to ${where(params, transport)}: ${err.message}`;
}

/** Opens the session (host key checked, user authenticated); rejects with a TransportError. */
function openSession(params: LibsshParams, transport: string, timeoutMs: number): Promise<ssh2.Client> {
  const state: SetupState = { attempts: { tried: [], skipped: [], serverMethods: [] } };
  const client = new ssh2.Client();
  const config: ConnectConfig = {
    host: params.host,
    port: params.port,
    username: params.username,
    readyTimeout: timeoutMs,
    authHandler: libsshAuthHandler(params, state.attempts),
    hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
      checkHostKey(params, key).then(
        (outcome) => {
          if (!outcome.ok) state.hostKeyRefusal = outcome.reason;
          verify(outcome.ok);
        },
        (err: Error) => {
          state.hostKeyRefusal = `cannot check the host key against ${params.knownHosts}: ${err.message}`;
          verify(false);
        },
      );
    },
  };
  return new Promise<ssh2.Client>((resolve, reject) => {
    let settled = false;
    // Stays registered: after a failed set-up ssh2 can report a second error (a timeout, then
    // "Connection lost before handshake" once end() closes the socket), and an 'error' event
    // without a listener would throw out of the process. After 'ready', openLibssh listens.
    client.on('error', (err: Error & { level?: string }) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(new TransportError(describeSetupError(err, params, transport, state, timeoutMs), { cause: err }));
    });
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.connect(config);
  });
}

function exec(client: ssh2.Client, command: string): Promise<ClientChannel> {
  return new Promise<ClientChannel>((resolve, reject) => {
    client.exec(command, (err, channel) => (err ? reject(err) : resolve(channel)));
  });
}

/**
 * ssh2's Channel is a Duplex whose destroy() takes no error and emits none, and whose 'close'
 * can be long in coming once the remote command has exited; Duplex.from() waits for that close
 * before its own destroy() completes, so an error would never reach the RPC layer (measured:
 * a missing remote command hung the set-up until its timeout). This plain Duplex passes bytes
 * both ways with backpressure and ends at once when destroyed.
 */
function wrapChannel(channel: ClientChannel): Duplex {
  const stream = new Duplex({
    read() {
      channel.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      channel.write(chunk, (err?: Error | null) => callback(err ?? null));
    },
    final(callback) {
      channel.end();
      callback();
    },
    destroy(err, callback) {
      channel.close();
      callback(err);
    },
  });
  channel.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) channel.pause();
  });
  channel.on('end', () => stream.push(null));
  channel.on('close', () => stream.destroy());
  return stream;
}

/**
 * The stream to libvirt on the host of a `+libssh`/`+libssh2` URI, running `remoteCommand`
 * there (transport.ts passes the +ssh transport's command, so both run the same).
 */
export async function openLibssh(
  target: LibvirtUri,
  remoteCommand: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Duplex> {
  const params = libsshParams(target, env);
  const client = await openSession(params, target.transport, timeoutMs);
  let channel: ClientChannel;
  try {
    channel = await exec(client, remoteCommand);
  } catch (err) {
    client.end();
    throw new TransportError(
      `${where(params, target.transport)}: the server refused to run the remote command: ${(err as Error).message}`,
      { cause: err },
    );
  }
  let stderr = '';
  let exitCode: number | null = null;
  channel.stderr.setEncoding('utf8');
  channel.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const notFoundHint = () =>
    `remote command not found (exit ${EXIT_NOT_FOUND}): install virt-ssh-helper (libvirt-clients) or netcat (netcat-openbsd) on ${params.host}, or name it with netcat=; it said: ${stderr.trim().split('\n').at(-1) ?? ''}`;
  const stream = wrapChannel(channel);
  registerTunnel(stream, {
    // A missing helper shows only as exit 127 and the shell's own words: name the fix.
    stderr: () => (exitCode === EXIT_NOT_FOUND ? `${stderr}\n${notFoundHint()}` : stderr),
    exited: new Promise<void>((resolve) => channel.once('close', () => resolve())),
  });
  channel.once('exit', (code: number | null) => {
    exitCode = code;
    if (code !== 0 && code !== null && !stream.destroyed) {
      const why = code === EXIT_NOT_FOUND ? notFoundHint() : stderr.trim() || `exit code ${code}`;
      stream.destroy(new TransportError(`${target.transport} to ${params.host} ended: ${why}`));
    }
  });
  // After set-up, a dropped session (network, server restart) ends the stream with its reason.
  client.on('error', (err: Error) => {
    if (!stream.destroyed) stream.destroy(new TransportError(`${target.transport} to ${params.host}: ${err.message}`, { cause: err }));
  });
  // The session ends once the channel has closed, not when the stream does: the remote
  // command's exit status (127: not found) can still be on its way when the RPC layer drops the
  // stream at EOF, and ending the session at once loses it (measured: the hint went missing).
  channel.once('close', () => client.end());
  stream.once('close', () => setTimeout(() => client.end(), CHANNEL_CLOSE_GRACE_MS).unref());
  return stream;
}
