// OpenSSH known_hosts files, read the way libssh/libssh2 (and so libvirt's libssh transports)
// read them: "patterns keytype base64key" lines, patterns comma-separated, `[host]:port` for a
// port other than 22, `*`/`?` wildcards, `!negation`, hashed `|1|salt|hmac` entries, and the
// `@revoked` marker. `@cert-authority` lines are skipped: we do not check host certificates.
import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface KnownHostEntry {
  readonly patterns: readonly string[];
  readonly keyType: string;
  /** The key in SSH wire format (what the server sends during key exchange). */
  readonly key: Buffer;
  readonly revoked: boolean;
  /** 1-based line, for messages. */
  readonly line: number;
}

export type HostKeyVerdict =
  | { readonly status: 'known'; readonly line: number }
  | { readonly status: 'unknown' }
  /** The host is listed, but with other keys (of the same type: a changed key; or only other types). */
  | { readonly status: 'mismatch'; readonly lines: readonly number[] }
  | { readonly status: 'revoked'; readonly line: number };

/** The name a host has in known_hosts: `host` on port 22, `[host]:port` otherwise (OpenSSH's rule). */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH's fingerprint form: SHA256:base64-without-padding. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH wire-format key (its first string). */
export function wireKeyType(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('latin1');
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      const marker = fields.shift();
      if (marker === '@revoked') revoked = true;
      else return; // @cert-authority: host certificates are not checked here
    }
    const [patterns, keyType, b64] = fields;
    if (!patterns || !keyType || !b64) return; // a malformed line is skipped, as OpenSSH does
    entries.push({ patterns: patterns.split(','), keyType, key: Buffer.from(b64, 'base64'), revoked, line: i + 1 });
  });
  return entries;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  // |1|base64(salt)|base64(HMAC-SHA1(salt, name))
  const parts = pattern.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const mac = createHmac('sha1', Buffer.from(parts[2]!, 'base64')).update(name).digest('base64');
  return mac === parts[3];
}

/** Does a comma-separated pattern list name `name`? A matching `!pattern` excludes it. */
export function patternsMatch(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('|')) {
      if (hashedMatch(p, name)) matched = true;
    } else if (p.startsWith('!')) {
      if (wildcardMatch(p.slice(1), name)) return false;
    } else if (wildcardMatch(p, name)) matched = true;
  }
  return matched;
}

/** What the file says about `key` for `name` (see knownHostsName). */
export function verifyHostKey(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  const forHost = entries.filter((e) => patternsMatch(e.patterns, name));
  const revoked = forHost.find((e) => e.revoked && e.key.equals(key));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const same = forHost.find((e) => !e.revoked && e.key.equals(key));
  if (same) return { status: 'known', line: same.line };
  // Only keys of the same type count as a change: a host listed with its rsa key and now
  // offering ed25519 is unknown, not changed (libssh says SSH_KNOWN_HOSTS_OTHER; we accept the
  // other type's absence the way OpenSSH does).
  const type = wireKeyType(key);
  const changed = forHost.filter((e) => !e.revoked && e.keyType === type);
  if (changed.length > 0) return { status: 'mismatch', lines: changed.map((e) => e.line) };
  return { status: 'unknown' };
}

export async function readKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'));
  } catch (err) {
    // A missing file simply knows no host (the first connection to any host is "unknown").
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The line known_hosts holds for `key` of `name` (plain, as libssh writes it, so an operator can read it). */
export function knownHostsLine(name: string, key: Buffer): string {
  return `${name} ${wireKeyType(key)} ${key.toString('base64')}`;
}

/** Appends `key` for `name` (known_hosts_verify=auto). */
export async function addKnownHost(file: string, name: string, key: Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `${knownHostsLine(name, key)}\n`, { mode: 0o600 });
}
