// The one --connect option every command shares, so `virtkeeper sandbox -- <command>` (which sets
// VIRTKEEPER_CONNECT) and a virsh-style LIBVIRT_DEFAULT_URI work the same for all of them.
import { Option } from 'commander';

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
