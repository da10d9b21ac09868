// Whether a Secret's value changed, without keeping the value: an HMAC-SHA256 of the value under
// a random per-record salt (the state store keeps salt and digest). The salt keeps equal values
// on two hosts or objects from having equal digests, and a digest from being looked up in a table.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface SecretDigest {
  salt: string;
  digest: string;
}

export function digestWithSalt(value: Uint8Array, salt: string): string {
  return createHmac('sha256', Buffer.from(salt, 'hex')).update(value).digest('hex');
}

export function newSecretDigest(value: Uint8Array): SecretDigest {
  const salt = randomBytes(16).toString('hex');
  return { salt, digest: digestWithSalt(value, salt) };
}

export function sameSecretValue(value: Uint8Array, recorded: SecretDigest): boolean {
  const a = Buffer.from(digestWithSalt(value, recorded.salt), 'hex');
  const b = Buffer.from(recorded.digest, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
