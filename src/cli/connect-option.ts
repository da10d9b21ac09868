// The one --connect option every command shares, so `virtkeeper sandbox -- <command>` (which sets
// VIRTKEEPER_CONNECT) and a virsh-style LIBVIRT_DEFAULT_URI work the same for all of them.
import { InvalidArgumentError, Option } from 'commander';

export const CONNECT_ENV_VARS = ['VIRTKEEPER_CONNECT', 'LIBVIRT_DEFAULT_URI'] as const;

/** The URI from the environment: VIRTKEEPER_CONNECT first, then LIBVIRT_DEFAULT_URI (as virsh reads it). */
export function connectUriFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of CONNECT_ENV_VARS) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** `-c, --connect <uri>`; mandatory unless the environment supplies a URI. */
export function connectOption(env: NodeJS.ProcessEnv = process.env): Option {
  const option = new Option(
    '-c, --connect <uri>',
    'libvirt URI, e.g. qemu:///system, qemu+ssh://root@host/system (env: VIRTKEEPER_CONNECT, then LIBVIRT_DEFAULT_URI)',
  ).makeOptionMandatory();
  const fromEnv = connectUriFromEnv(env);
  return fromEnv ? option.default(fromEnv) : option;
}

/** Default of --call-timeout in seconds (matches the client's DEFAULT_CALL_TIMEOUT_MS). */
export const DEFAULT_CALL_TIMEOUT_SECONDS = 120;

/** Parses `--call-timeout` seconds ("120", "2.5", "0" for none) into milliseconds. */
export function parseCallTimeout(value: string): number {
  const seconds = Number(value.trim().replace(/s$/, ''));
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError(`--call-timeout wants seconds (e.g. 120, or 0 for no deadline), got ${JSON.stringify(value)}`);
  }
  return Math.round(seconds * 1000);
}

/**
 * `--call-timeout <seconds>`: how long one libvirt call may go unanswered before it fails, naming
 * the procedure and the object, and the connection is closed. Calls slow by nature (migration,
 * save, volume upload) get a longer deadline of their own.
 */
export function callTimeoutOption(): Option {
  return new Option(
    '--call-timeout <seconds>',
    `deadline of one libvirt call in seconds; 0: none (default ${DEFAULT_CALL_TIMEOUT_SECONDS})`,
  ).argParser(parseCallTimeout);
}
