// Credentials for SASL, read the way libvirt's client reads them (docs: auth.html "Client
// configuration"): the first of $LIBVIRT_AUTH_FILE, $XDG_CONFIG_HOME/libvirt/auth.conf
// (~/.config/libvirt/auth.conf) and /etc/libvirt/auth.conf that exists, then
//   [auth-libvirt-<host>] or [auth-libvirt-default]   credentials=<name>
//   [credentials-<name>]                               authname=… password=… (realm=…)
// or, when no file names the host, VIRTKEEPER_SASL_USERNAME / VIRTKEEPER_SASL_PASSWORD. Never
// from manifests: credentials belong to the machine running virtkeeper, not to the git repo.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SaslCredentials {
  username: string;
  password: string;
  realm?: string;
  /** Where they came from, for messages (never the values). */
  source: string;
}

export class AuthConfigError extends Error {
  override name = 'AuthConfigError';
}

type Sections = Map<string, Map<string, string>>;

/** libvirt's auth.conf is a GKeyFile: [sections], key=value lines, # comments. */
export function parseAuthConf(text: string, file: string): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string> | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!.trim(), current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !current) throw new AuthConfigError(`${file}:${i + 1}: expected [section] or key=value, found ${JSON.stringify(line)}`);
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  });
  return sections;
}

export function authFileCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const config = env.XDG_CONFIG_HOME ?? path.join(env.HOME ?? os.homedir(), '.config');
  return [...(env.LIBVIRT_AUTH_FILE ? [env.LIBVIRT_AUTH_FILE] : []), path.join(config, 'libvirt', 'auth.conf'), '/etc/libvirt/auth.conf'];
}

/**
 * The credentials auth.conf gives `service` on `host` ([auth-<service>-<host>], else
 * [auth-<service>-default]); undefined when no file names it. libvirt uses service "libvirt" for
 * SASL and "ssh" for the libssh/libssh2 transports' passwords.
 */
export function lookupAuthConf(
  service: string,
  host: string,
  env: NodeJS.ProcessEnv = process.env,
  uriUser?: string,
): SaslCredentials | undefined {
  const candidates = authFileCandidates(env);
  // libvirt reads LIBVIRT_AUTH_FILE even if it is missing and fails; say so instead of ignoring it.
  if (env.LIBVIRT_AUTH_FILE && !existsSync(env.LIBVIRT_AUTH_FILE))
    throw new AuthConfigError(`LIBVIRT_AUTH_FILE=${env.LIBVIRT_AUTH_FILE} does not exist`);
  const file = candidates.find((f) => existsSync(f));
  if (!file) return undefined;
  const sections = parseAuthConf(readFileSync(file, 'utf8'), file);
  const group = sections.get(`auth-${service}-${host}`) ?? sections.get(`auth-${service}-default`);
  const name = group?.get('credentials');
  if (!name) return undefined;
  const creds = sections.get(`credentials-${name}`);
  if (!creds) throw new AuthConfigError(`${file}: credentials=${name} but there is no [credentials-${name}] section`);
  const username = creds.get('authname') ?? creds.get('username') ?? uriUser;
  const password = creds.get('password');
  if (!username || password === undefined) {
    throw new AuthConfigError(`${file}: [credentials-${name}] needs authname= and password= for host ${host}`);
  }
  const realm = creds.get('realm');
  return { username, password, ...(realm ? { realm } : {}), source: `${file} [credentials-${name}]` };
}

/** Looks up the credentials for `host` (service "libvirt"); undefined when nothing names it. */
export function lookupCredentials(host: string, env: NodeJS.ProcessEnv = process.env, uriUser?: string): SaslCredentials | undefined {
  const fromFile = lookupAuthConf('libvirt', host, env, uriUser);
  if (fromFile) return fromFile;
  const username = env.VIRTKEEPER_SASL_USERNAME ?? uriUser;
  const password = env.VIRTKEEPER_SASL_PASSWORD;
  if (username && password !== undefined) return { username, password, source: 'VIRTKEEPER_SASL_USERNAME/VIRTKEEPER_SASL_PASSWORD' };
  return undefined;
}
