// SCRAM-SHA-256 / SCRAM-SHA-1 client (RFC 5802, RFC 7677) without channel binding ("n,,"), as
// Cyrus SASL's libscram speaks it with libvirtd. Pure: the nonce is injectable for tests.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramHash = 'sha1' | 'sha256';

export class SaslMechanismError extends Error {
  override name = 'SaslMechanismError';
}

/** RFC 5802 saslname: "=" and "," escaped. */
function saslName(user: string): string {
  return user.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

const hmac = (hash: ScramHash, key: Buffer, data: string | Buffer): Buffer => createHmac(hash, key).update(data).digest();
const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((x, i) => x ^ b[i]!));

/** One SCRAM exchange: first() → final(serverFirst) → verify(serverFinal). */
export class ScramClient {
  private readonly clientNonce: string;
  private clientFirstBare = '';
  private serverSignature: Buffer | undefined;

  constructor(
    private readonly hash: ScramHash,
    private readonly username: string,
    private readonly password: string,
    nonce: string = randomBytes(18).toString('base64'),
  ) {
    this.clientNonce = nonce;
  }

  get mechanism(): string {
    return this.hash === 'sha1' ? 'SCRAM-SHA-1' : 'SCRAM-SHA-256';
  }

  /** client-first-message */
  first(): string {
    this.clientFirstBare = `n=${saslName(this.username)},r=${this.clientNonce}`;
    return `n,,${this.clientFirstBare}`;
  }

  /** client-final-message for the server-first-message. */
  final(serverFirst: string): string {
    const attrs = attributes(serverFirst);
    if (attrs.has('e')) throw new SaslMechanismError(`${this.mechanism}: the server refused: ${attrs.get('e')}`);
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (!nonce || !salt || !Number.isInteger(iterations) || iterations < 1) {
      throw new SaslMechanismError(`${this.mechanism}: malformed server-first-message ${JSON.stringify(serverFirst)}`);
    }
    if (!nonce.startsWith(this.clientNonce)) throw new SaslMechanismError(`${this.mechanism}: the server's nonce does not extend ours`);
    const keyLength = this.hash === 'sha1' ? 20 : 32;
    // RFC 5802 wants SASLprep of the password; libvirt passwords are used as given, as Cyrus does for ASCII.
    const salted = pbkdf2Sync(this.password, Buffer.from(salt, 'base64'), iterations, keyLength, this.hash);
    const clientKey = hmac(this.hash, salted, 'Client Key');
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const proof = xor(clientKey, hmac(this.hash, storedKey, authMessage));
    this.serverSignature = hmac(this.hash, hmac(this.hash, salted, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Checks the server-final-message: the server proves it knew the password too. */
  verify(serverFinal: string): void {
    const attrs = attributes(serverFinal);
    if (attrs.has('e')) throw new SaslMechanismError(`${this.mechanism}: the server refused: ${attrs.get('e')}`);
    const v = attrs.get('v');
    if (!v || !this.serverSignature) throw new SaslMechanismError(`${this.mechanism}: malformed server-final-message`);
    const got = Buffer.from(v, 'base64');
    if (got.length !== this.serverSignature.length || !timingSafeEqual(got, this.serverSignature)) {
      throw new SaslMechanismError(
        `${this.mechanism}: the server's signature is wrong (it does not know the password: not the daemon you meant?)`,
      );
    }
  }
}
