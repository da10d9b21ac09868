// The URI parameters of libvirt's libssh/libssh2 transports (docs: uri.html "Extra parameters"),
// resolved to what our ssh2-based client does with them. Both transports share them: libvirt
// gives them the same parameters and we run one implementation for both.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LibvirtUri } from '../uri.js';
import { UriError } from '../uri.js';

/** normal: an unknown host is refused; auto: it is added to known_hosts; ignore: no check at all. */
export type KnownHostsVerify = 'normal' | 'auto' | 'ignore';
export type SshAuthMethod = 'agent' | 'privkey' | 'password' | 'keyboard-interactive';

const AUTH_METHODS: readonly SshAuthMethod[] = ['agent', 'privkey', 'password', 'keyboard-interactive'];
/** libvirt's default order when sshauth= is not given. */
const DEFAULT_SSHAUTH: readonly SshAuthMethod[] = AUTH_METHODS;
/** The identities libssh tries when no keyfile is named (OpenSSH's defaults, newest first). */
const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export interface LibsshParams {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly knownHosts: string;
  readonly verify: KnownHostsVerify;
  readonly methods: readonly SshAuthMethod[];
  /** Key files for `privkey`: keyfile=, else the default identities that exist. */
  readonly keyFiles: readonly string[];
  /** ssh-agent's socket, when the environment has one. */
  readonly agentSocket?: string;
}

function expandHome(file: string, home: string): string {
  return file === '~' || file.startsWith('~/') ? path.join(home, file.slice(1)) : file;
}

function parseVerify(raw: string | undefined, noVerify: boolean, uri: string): KnownHostsVerify {
  // libvirt's libssh transports only read known_hosts_verify; we let no_verify=1 mean what it
  // means for +ssh (StrictHostKeyChecking=no: an unknown host is accepted and remembered), so a
  // URI switched from +ssh to +libssh behaves the same. An explicit known_hosts_verify wins.
  if (raw === undefined) return noVerify ? 'auto' : 'normal';
  if (raw === 'normal' || raw === 'auto' || raw === 'ignore') return raw;
  throw new UriError(`'${uri}': known_hosts_verify=${raw} is not one of normal, auto, ignore`);
}

function parseMethods(raw: string | undefined, uri: string): SshAuthMethod[] {
  if (raw === undefined) return [...DEFAULT_SSHAUTH];
  const methods: SshAuthMethod[] = [];
  for (const word of raw
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean)) {
    const method = AUTH_METHODS.find((m) => m === word);
    if (!method) throw new UriError(`'${uri}': sshauth method '${word}' is not one of ${AUTH_METHODS.join(', ')}`);
    methods.push(method);
  }
  if (methods.length === 0) throw new UriError(`'${uri}': sshauth= names no method (use e.g. sshauth=privkey,agent)`);
  return methods;
}

export function libsshParams(target: LibvirtUri, env: NodeJS.ProcessEnv = process.env): LibsshParams {
  const home = env.HOME ?? os.homedir();
  const q = target.query;
  const keyFiles = q.keyfile
    ? [expandHome(q.keyfile, home)]
    : DEFAULT_IDENTITIES.map((f) => path.join(home, '.ssh', f)).filter((f) => existsSync(f));
  return {
    host: target.host!,
    port: target.port ?? 22,
    // libvirt (and ssh) log in as the local user when the URI names none.
    username: target.user ?? os.userInfo().username,
    knownHosts: expandHome(q.known_hosts ?? '~/.ssh/known_hosts', home),
    verify: parseVerify(q.known_hosts_verify, q.no_verify === '1', target.uri),
    methods: parseMethods(q.sshauth, target.uri),
    keyFiles,
    ...(env.SSH_AUTH_SOCK ? { agentSocket: env.SSH_AUTH_SOCK } : {}),
  };
}
