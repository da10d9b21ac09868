// DIGEST-MD5's security layer (RFC 2831 section 2.3/2.4, qop=auth-conf) as Cyrus SASL implements
// it, which is what libvirtd runs after a DIGEST-MD5 login over plain TCP. One packet is
//   length(4) | CIPHER(Kc, msg | pad | HMAC-MD5(Ki, seqnum | msg)[0..9]) | 0x0001 | seqnum(4)
// with the length counting everything after it, one sequence number per direction starting at 0,
// and the cipher state (RC4 keystream, 3DES-CBC chaining) carried from one packet to the next.
import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import { Rc4 } from './rc4.js';

/** A cipher-opts value we can run. */
export interface DigestCipher {
  /** Name in the challenge's cipher= directive. */
  readonly name: string;
  /** Cyrus SASL's security strength factor for it (what libvirtd compares to tcp_min_ssf). */
  readonly ssf: number;
  /** Bytes of H(A1) that go into the sealing keys (RFC 2831: 16 except for rc4-40/rc4-56). */
  readonly keyBytes: number;
}

/**
 * The ciphers implemented here: the two whose SSF meets libvirtd's tcp_min_ssf (112, the lowest
 * it accepts). rc4-40, rc4-56 and des (SSF 40, 56, 55) would be refused by the daemon after the
 * login anyway. Cyrus's client takes the strongest the server offers, and so do we: rc4.
 */
export const DIGEST_CIPHERS: readonly DigestCipher[] = [
  { name: 'rc4', ssf: 128, keyBytes: 16 },
  { name: '3des', ssf: 112, keyBytes: 16 },
];

/** Bytes a packet adds to its message: MAC 10, padding up to 8, version 2, sequence number 4. */
export const PACKET_OVERHEAD = 24;
const LENGTH_WORD = 4;
const MAC_BYTES = 10;
const TRAILER_BYTES = 6;
/** Cyrus refuses anything shorter: the MAC and the trailer alone take 16 bytes. */
const MIN_PACKET_BODY = MAC_BYTES + TRAILER_BYTES;
const VERSION = 1;
const BLOCK = 8;

const SEALING_CLIENT_SERVER = 'Digest H(A1) to client-to-server sealing key magic constant';
const SEALING_SERVER_CLIENT = 'Digest H(A1) to server-to-client sealing key magic constant';
const SIGNING_CLIENT_SERVER = 'Digest session key to client-to-server signing key magic constant';
const SIGNING_SERVER_CLIENT = 'Digest session key to server-to-client signing key magic constant';

const md5 = (...parts: (Buffer | string)[]): Buffer => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The four keys of a session, from the client's point of view. */
export interface LayerKeys {
  /** Kcc: seals what the client sends. */
  readonly sealSend: Buffer;
  /** Kcs: seals what the server sends. */
  readonly sealReceive: Buffer;
  /** Kic: signs what the client sends. */
  readonly signSend: Buffer;
  /** Kis: signs what the server sends. */
  readonly signReceive: Buffer;
}

/** RFC 2831 2.3/2.4: the keys from H(A1) (the binary MD5 of A1, as used for the response). */
export function deriveLayerKeys(ha1: Buffer, cipher: DigestCipher): LayerKeys {
  const sealing = ha1.subarray(0, cipher.keyBytes);
  return {
    sealSend: md5(sealing, SEALING_CLIENT_SERVER),
    sealReceive: md5(sealing, SEALING_SERVER_CLIENT),
    signSend: md5(ha1, SIGNING_CLIENT_SERVER),
    signReceive: md5(ha1, SIGNING_SERVER_CLIENT),
  };
}

/**
 * Cyrus's slidebits: 7 key bytes spread over the high 7 bits of 8 DES key bytes (the low bit of
 * each is DES's parity bit, which nobody checks).
 */
function desKey(seven: Buffer): Buffer {
  const k = Buffer.alloc(8);
  k[0] = seven[0]!;
  for (let i = 1; i < 7; i++) k[i] = ((seven[i - 1]! << (8 - i)) | (seven[i]! >> i)) & 0xff;
  k[7] = (seven[6]! << 1) & 0xff;
  return k;
}

/**
 * Cyrus's 3des is two-key EDE-CBC (DES_ede2_cbc_encrypt: K1, K2, K1) keyed from the first 14
 * bytes of the sealing key, with the key's last 8 bytes as IV. OpenSSL's three-key des-ede3-cbc
 * with K1|K2|K1 is the same cipher and is in the default provider.
 */
function tripleDes(sealingKey: Buffer): { key: Buffer; iv: Buffer } {
  const k1 = desKey(sealingKey.subarray(0, 7));
  const k2 = desKey(sealingKey.subarray(7, 14));
  return { key: Buffer.concat([k1, k2, k1]), iv: sealingKey.subarray(8, 16) };
}

/** One direction of a cipher: seals message|pad|mac, and unseals it (checking the padding). */
interface Sealer {
  seal(message: Buffer, mac: Buffer): Buffer;
  /** Splits decrypted bytes into message and MAC; throws ProtocolError on bad padding or length. */
  unseal(sealed: Buffer): { message: Buffer; mac: Buffer };
}

/** RC4 has no padding: the keystream runs over the message, then over the MAC. */
function rc4Sealer(sealingKey: Buffer): Sealer {
  const rc4 = new Rc4(sealingKey);
  return {
    seal: (message, macBytes) => Buffer.concat([rc4.update(message), rc4.update(macBytes)]),
    unseal: (sealed) => {
      const plain = rc4.update(sealed);
      return { message: plain.subarray(0, plain.length - MAC_BYTES), mac: plain.subarray(plain.length - MAC_BYTES) };
    },
  };
}

/** 3DES-CBC pads message|MAC to whole blocks with 1..8 bytes of the pad length (Cyrus's scheme). */
function tripleDesSealer(sealingKey: Buffer, direction: 'encrypt' | 'decrypt'): Sealer {
  const { key, iv } = tripleDes(sealingKey);
  // No OpenSSL padding: the layer pads itself, and update() must hand back every block at once
  // so the CBC chain continues across packets exactly as Cyrus's does.
  const cipher =
    direction === 'encrypt'
      ? createCipheriv('des-ede3-cbc', key, iv).setAutoPadding(false)
      : createDecipheriv('des-ede3-cbc', key, iv).setAutoPadding(false);
  return {
    seal: (message, macBytes) => {
      const pad = BLOCK - ((message.length + MAC_BYTES) % BLOCK);
      return cipher.update(Buffer.concat([message, Buffer.alloc(pad, pad), macBytes]));
    },
    unseal: (sealed) => {
      if (sealed.length % BLOCK !== 0)
        throw new ProtocolError(`SASL DIGEST-MD5 packet of ${sealed.length} encrypted bytes is not whole 3DES blocks`);
      const plain = cipher.update(sealed);
      const pad = plain[plain.length - MAC_BYTES - 1]!;
      const messageLength = plain.length - MAC_BYTES - pad;
      if (pad < 1 || pad > BLOCK || messageLength < 0 || !plain.subarray(messageLength, plain.length - MAC_BYTES).every((b) => b === pad)) {
        throw new ProtocolError('SASL DIGEST-MD5 packet has bad padding (wrong key, or the stream was tampered with)');
      }
      return { message: plain.subarray(0, messageLength), mac: plain.subarray(plain.length - MAC_BYTES) };
    },
  };
}

function sealer(cipher: DigestCipher, sealingKey: Buffer, direction: 'encrypt' | 'decrypt'): Sealer {
  switch (cipher.name) {
    case 'rc4':
      return rc4Sealer(sealingKey);
    case '3des':
      return tripleDesSealer(sealingKey, direction);
    default:
      throw new Error(`DIGEST-MD5 cipher ${cipher.name} is not implemented`);
  }
}

function mac(key: Buffer, seqnum: number, message: Buffer): Buffer {
  const seq = Buffer.allocUnsafe(4);
  seq.writeUInt32BE(seqnum >>> 0, 0);
  return createHmac('md5', key).update(seq).update(message).digest().subarray(0, MAC_BYTES);
}

/** Encodes and decodes single packets of one session. Stateful: packets must go in order. */
export class DigestMd5Layer {
  private sendSeq = 0;
  private receiveSeq = 0;
  private readonly sender: Sealer;
  private readonly receiver: Sealer;

  constructor(
    private readonly keys: LayerKeys,
    readonly cipher: DigestCipher,
  ) {
    this.sender = sealer(cipher, keys.sealSend, 'encrypt');
    this.receiver = sealer(cipher, keys.sealReceive, 'decrypt');
  }

  /** One whole packet, length word included, carrying `message`. */
  encode(message: Buffer): Buffer {
    const seq = this.sendSeq;
    this.sendSeq = (this.sendSeq + 1) >>> 0;
    const sealed = this.sender.seal(message, mac(this.keys.signSend, seq, message));
    const out = Buffer.allocUnsafe(LENGTH_WORD + sealed.length + TRAILER_BYTES);
    out.writeUInt32BE(sealed.length + TRAILER_BYTES, 0);
    sealed.copy(out, LENGTH_WORD);
    out.writeUInt16BE(VERSION, LENGTH_WORD + sealed.length);
    out.writeUInt32BE(seq, LENGTH_WORD + sealed.length + 2);
    return out;
  }

  /**
   * The message inside one packet body (the bytes after its length word). Throws ProtocolError
   * when the packet was not made with our session's keys and order: the stream is then unusable.
   */
  decode(body: Buffer): Buffer {
    if (body.length < MIN_PACKET_BODY)
      throw new ProtocolError(`SASL DIGEST-MD5 packet of ${body.length} bytes is shorter than ${MIN_PACKET_BODY}`);
    const sealedLength = body.length - TRAILER_BYTES;
    const version = body.readUInt16BE(sealedLength);
    const seq = body.readUInt32BE(sealedLength + 2);
    if (version !== VERSION) throw new ProtocolError(`SASL DIGEST-MD5 packet version ${version}, expected ${VERSION}`);
    if (seq !== this.receiveSeq)
      throw new ProtocolError(`SASL DIGEST-MD5 packet number ${seq}, expected ${this.receiveSeq} (replayed, lost or reordered)`);
    this.receiveSeq = (this.receiveSeq + 1) >>> 0;
    const { message, mac: received } = this.receiver.unseal(body.subarray(0, sealedLength));
    if (!timingSafeEqual(received, mac(this.keys.signReceive, seq, message))) {
      throw new ProtocolError('SASL DIGEST-MD5 packet MAC does not match (wrong key, or the stream was tampered with)');
    }
    return message;
  }
}
