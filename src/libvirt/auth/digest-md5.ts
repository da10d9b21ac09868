// DIGEST-MD5 client (RFC 2831) as Cyrus SASL's plugin speaks it with libvirtd. qop=auth
// (authentication only) where the channel is already protected (TLS, unix socket, ssh), and
// qop=auth-conf (the encrypting security layer of digest-md5-layer.ts) where it is not: libvirtd
// accepts SASL over plain TCP only with a layer of SSF >= its tcp_min_ssf.
import { createHash, randomBytes } from 'node:crypto';
import { SaslMechanismError } from './scram.js';
import { DIGEST_CIPHERS, DigestMd5Layer, PACKET_OVERHEAD, deriveLayerKeys, type DigestCipher } from './digest-md5-layer.js';
import { SaslSecurityLayer, type SecurityLayer } from '../security-layer.js';

const md5 = (data: string | Buffer): Buffer => createHash('md5').update(data).digest();
const md5hex = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

/** Parses `key=value, key="quoted, value"` directives. */
export function parseDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*,?/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0] !== '')
    out.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!.trim());
  return out;
}

/**
 * The security properties libvirt's client gives Cyrus SASL (remote_driver.c, remoteAuthSASL):
 * on a channel that is not secure min_ssf 56 and max_ssf 100000, and maxbufsize 100000 always.
 */
export interface DigestMd5Policy {
  /** Smallest SSF acceptable: 0 lets the login go without a layer (qop=auth). */
  minSsf: number;
  /** Largest buffer we take from the server, announced as maxbuf (Cyrus's maxbufsize). */
  maxbuf: number;
}

/** The policy of a channel that is already protected (TLS) or local (unix socket, ssh). */
export const SECURE_CHANNEL_POLICY: DigestMd5Policy = { minSsf: 0, maxbuf: 100_000 };
/** The policy of plain TCP, as libvirt's client sets it. */
export const PLAIN_TCP_POLICY: DigestMd5Policy = { minSsf: 56, maxbuf: 100_000 };

/** RFC 2831: a server that says no maxbuf takes 65536. */
const DEFAULT_MAXBUF = 65_536;
/** Cyrus refuses maxbuf values outside (16, 0xFFFFFF]. */
const MAX_MAXBUF = 0xff_ffff;
/** What a qop other than auth puts in A2 instead of an entity hash. */
const NO_ENTITY = ':00000000000000000000000000000000';

type Choice = { qop: 'auth' } | { qop: 'auth-conf'; cipher: DigestCipher };

export class DigestMd5Client {
  private expectedRspauth: string | undefined;
  private choice: Choice | undefined;
  private ha1: Buffer | undefined;
  private serverMaxbuf = DEFAULT_MAXBUF;
  private verified = false;

  constructor(
    private readonly username: string,
    private readonly password: string,
    /** host the daemon runs on: digest-uri is libvirt/<host>. */
    private readonly host: string,
    private readonly cnonce: string = randomBytes(16).toString('base64'),
    private readonly policy: DigestMd5Policy = SECURE_CHANNEL_POLICY,
  ) {}

  /**
   * No layer when the policy allows it and the server offers auth; otherwise the strongest
   * cipher both sides have that meets the policy (what Cyrus's client picks within its limits).
   */
  private choose(qops: string[], ciphers: string[]): Choice {
    if (this.policy.minSsf === 0 && qops.includes('auth')) return { qop: 'auth' };
    const usable = qops.includes('auth-conf')
      ? DIGEST_CIPHERS.filter((c) => ciphers.includes(c.name) && c.ssf >= this.policy.minSsf).sort((a, b) => b.ssf - a.ssf)
      : [];
    if (usable[0]) return { qop: 'auth-conf', cipher: usable[0] };
    const offered = `qop ${qops.join(', ') || '(none)'}${ciphers.length ? `, ciphers ${ciphers.join(', ')}` : ''}`;
    throw new SaslMechanismError(
      `DIGEST-MD5: the daemon offers ${offered}; virtkeeper needs ` +
        (this.policy.minSsf === 0 ? 'auth, or ' : `a security layer of SSF >= ${this.policy.minSsf}: `) +
        `auth-conf with ${DIGEST_CIPHERS.map((c) => `${c.name} (SSF ${c.ssf})`).join(' or ')}`,
    );
  }

  /** The response to the server's digest-challenge. */
  respond(challenge: string): string {
    const d = parseDirectives(challenge);
    const nonce = d.get('nonce');
    if (!nonce) throw new SaslMechanismError(`DIGEST-MD5: challenge without a nonce: ${JSON.stringify(challenge)}`);
    const list = (key: string, fallback: string): string[] =>
      (d.get(key) ?? fallback)
        .split(',')
        .map((q) => q.trim().toLowerCase())
        .filter(Boolean);
    const choice = this.choose(list('qop', 'auth'), list('cipher', ''));
    const maxbuf = d.get('maxbuf');
    if (maxbuf !== undefined) {
      const n = /^\d+$/.test(maxbuf) ? Number(maxbuf) : NaN;
      if (!(n > 16 && n <= MAX_MAXBUF))
        throw new SaslMechanismError(`DIGEST-MD5: the daemon sent an invalid maxbuf ${JSON.stringify(maxbuf)}`);
      this.serverMaxbuf = n;
    }
    const realm = d.get('realm') ?? '';
    const uri = `libvirt/${this.host}`;
    const nc = '00000001';
    const a1 = Buffer.concat([md5(`${this.username}:${realm}:${this.password}`), Buffer.from(`:${nonce}:${this.cnonce}`)]);
    this.ha1 = md5(a1);
    const ha1 = this.ha1.toString('hex');
    const entity = choice.qop === 'auth' ? '' : NO_ENTITY;
    const response = md5hex(`${ha1}:${nonce}:${nc}:${this.cnonce}:${choice.qop}:${md5hex(`AUTHENTICATE:${uri}${entity}`)}`);
    this.expectedRspauth = md5hex(`${ha1}:${nonce}:${nc}:${this.cnonce}:${choice.qop}:${md5hex(`:${uri}${entity}`)}`);
    this.choice = choice;
    const q = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
    return [
      `username=${q(this.username)}`,
      ...(realm ? [`realm=${q(realm)}`] : []),
      `nonce=${q(nonce)}`,
      `cnonce=${q(this.cnonce)}`,
      `nc=${nc}`,
      `qop=${choice.qop}`,
      ...(choice.qop === 'auth-conf' ? [`cipher=${choice.cipher.name}`] : []),
      // Like libvirt's client: the buffer we take, so the daemon cuts its packets to fit.
      `maxbuf=${this.policy.maxbuf}`,
      'charset=utf-8',
      `digest-uri=${q(uri)}`,
      `response=${response}`,
    ].join(',');
  }

  /** Checks the server's rspauth: it knew the password too. */
  verify(final: string): void {
    const rspauth = parseDirectives(final).get('rspauth');
    if (!rspauth || rspauth !== this.expectedRspauth)
      throw new SaslMechanismError('DIGEST-MD5: the server did not prove it knows the password (rspauth)');
    this.verified = true;
  }

  /** The negotiated layer's SSF (0: none). */
  get ssf(): number {
    return this.choice?.qop === 'auth-conf' ? this.choice.cipher.ssf : 0;
  }

  /** After verify(): the layer the rest of the connection runs through, undefined for qop=auth. */
  securityLayer(): SecurityLayer | undefined {
    if (!this.verified || !this.choice || !this.ha1) throw new Error('DIGEST-MD5: no security layer before the server was verified');
    if (this.choice.qop === 'auth') return undefined;
    const codec = new DigestMd5Layer(deriveLayerKeys(this.ha1, this.choice.cipher), this.choice.cipher);
    // Cyrus's client sends at most the server's maxbuf less 25 per packet; 29 (what its server
    // side keeps back) leaves the encoded packet, length word included, within maxbuf.
    return new SaslSecurityLayer(codec, { maxMessageBytes: this.serverMaxbuf - PACKET_OVERHEAD - 5, maxPacketBytes: this.policy.maxbuf });
  }
}
