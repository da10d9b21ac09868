// DIGEST-MD5 client (RFC 2831) with qop=auth: authentication only, no security layer. libvirtd
// accepts it over TLS or a unix socket, and over plain TCP only when its tcp_min_ssf allows a
// mechanism without a security layer (qop auth-int/auth-conf are not implemented).
import { createHash, randomBytes } from 'node:crypto';
import { SaslMechanismError } from './scram.js';

const md5 = (data: string | Buffer): Buffer => createHash('md5').update(data).digest();
const md5hex = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

/** Parses `key=value, key="quoted, value"` directives. */
export function parseDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*,?/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0] !== '') out.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!.trim());
  return out;
}

export class DigestMd5Client {
  private expectedRspauth: string | undefined;

  constructor(
    private readonly username: string,
    private readonly password: string,
    /** host the daemon runs on: digest-uri is libvirt/<host>. */
    private readonly host: string,
    private readonly cnonce: string = randomBytes(16).toString('base64'),
  ) {}

  /** The response to the server's digest-challenge. */
  respond(challenge: string): string {
    const d = parseDirectives(challenge);
    const nonce = d.get('nonce');
    if (!nonce) throw new SaslMechanismError(`DIGEST-MD5: challenge without a nonce: ${JSON.stringify(challenge)}`);
    const qops = (d.get('qop') ?? 'auth').split(',').map((q) => q.trim());
    if (!qops.includes('auth')) {
      throw new SaslMechanismError(
        `DIGEST-MD5: the daemon insists on a security layer (qop ${qops.join(', ')}), which virtkeeper does not implement; use qemu+tls:// or ssh`,
      );
    }
    const realm = d.get('realm') ?? '';
    const uri = `libvirt/${this.host}`;
    const nc = '00000001';
    const a1 = Buffer.concat([md5(`${this.username}:${realm}:${this.password}`), Buffer.from(`:${nonce}:${this.cnonce}`)]);
    const ha1 = md5hex(a1);
    const response = md5hex(`${ha1}:${nonce}:${nc}:${this.cnonce}:auth:${md5hex(`AUTHENTICATE:${uri}`)}`);
    this.expectedRspauth = md5hex(`${ha1}:${nonce}:${nc}:${this.cnonce}:auth:${md5hex(`:${uri}`)}`);
    const q = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
    return [
      `username=${q(this.username)}`,
      ...(realm ? [`realm=${q(realm)}`] : []),
      `nonce=${q(nonce)}`,
      `cnonce=${q(this.cnonce)}`,
      `nc=${nc}`,
      'qop=auth',
      `digest-uri=${q(uri)}`,
      `response=${response}`,
      'charset=utf-8',
    ].join(',');
  }

  /** Checks the server's rspauth: it knew the password too. */
  verify(final: string): void {
    const rspauth = parseDirectives(final).get('rspauth');
    if (!rspauth || rspauth !== this.expectedRspauth) throw new SaslMechanismError('DIGEST-MD5: the server did not prove it knows the password (rspauth)');
  }
}
