// XDR (RFC 4506) encoder and decoder for libvirt's remote protocol.
// Every item is padded to a multiple of four bytes; integers are big-endian.

export class XdrError extends Error {
  override name = 'XdrError';
}

/** Growable big-endian buffer writer. */
export class XdrWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.alloc(initialSize);
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new XdrError(`int out of range: ${v}`);
    this.reserve(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new XdrError(`unsigned int out of range: ${v}`);
    this.reserve(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  hyper(v: bigint | number): this {
    const b = BigInt(v);
    if (b < -(1n << 63n) || b >= 1n << 63n) throw new XdrError(`hyper out of range: ${v}`);
    this.reserve(8);
    this.buf.writeBigInt64BE(b, this.pos);
    this.pos += 8;
    return this;
  }

  uhyper(v: bigint | number): this {
    const b = BigInt(v);
    if (b < 0n || b >= 1n << 64n) throw new XdrError(`unsigned hyper out of range: ${v}`);
    this.reserve(8);
    this.buf.writeBigUInt64BE(b, this.pos);
    this.pos += 8;
    return this;
  }

  bool(v: boolean): this {
    return this.int(v ? 1 : 0);
  }

  double(v: number): this {
    this.reserve(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  private pad(len: number): void {
    const padding = (4 - (len % 4)) % 4;
    this.reserve(padding);
    this.buf.fill(0, this.pos, this.pos + padding);
    this.pos += padding;
  }

  /** Fixed-length opaque: no length prefix. */
  fixedOpaque(data: Uint8Array, length: number): this {
    if (data.length !== length) throw new XdrError(`fixed opaque expects ${length} bytes, got ${data.length}`);
    this.reserve(length);
    this.buf.set(data, this.pos);
    this.pos += length;
    this.pad(length);
    return this;
  }

  /** Variable-length opaque with a maximum (libvirt's `opaque x<MAX>`). */
  opaque(data: Uint8Array, max = 0xffffffff): this {
    if (data.length > max) throw new XdrError(`opaque of ${data.length} bytes exceeds limit ${max}`);
    this.uint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
    this.pad(data.length);
    return this;
  }

  string(s: string, max = 0xffffffff): this {
    const bytes = Buffer.from(s, 'utf8');
    if (bytes.length > max) throw new XdrError(`string of ${bytes.length} bytes exceeds limit ${max}`);
    return this.opaque(bytes, max);
  }

  /** XDR optional-data (`type *name`): a bool discriminant followed by the value if present. */
  optional<T>(v: T | null | undefined, encode: (w: XdrWriter, v: T) => void): this {
    if (v === null || v === undefined) return this.bool(false);
    this.bool(true);
    encode(this, v);
    return this;
  }

  /** Variable-length array with a maximum. */
  array<T>(items: readonly T[], encode: (w: XdrWriter, v: T) => void, max = 0xffffffff): this {
    if (items.length > max) throw new XdrError(`array of ${items.length} items exceeds limit ${max}`);
    this.uint(items.length);
    for (const item of items) encode(this, item);
    return this;
  }

  /** Fixed-length array: no length prefix. */
  fixedArray<T>(items: readonly T[], length: number, encode: (w: XdrWriter, v: T) => void): this {
    if (items.length !== length) throw new XdrError(`fixed array expects ${length} items, got ${items.length}`);
    for (const item of items) encode(this, item);
    return this;
  }

  get length(): number {
    return this.pos;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

/** Bounds-checked reader: running past the end is an XdrError, never a silent zero. */
export class XdrReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new XdrError(`truncated XDR data: need ${n} bytes for ${what} at offset ${this.pos}, have ${this.buf.length - this.pos}`);
    }
  }

  int(): number {
    this.need(4, 'int');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint(): number {
    this.need(4, 'unsigned int');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  hyper(): bigint {
    this.need(8, 'hyper');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  uhyper(): bigint {
    this.need(8, 'unsigned hyper');
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    const v = this.int();
    if (v !== 0 && v !== 1) throw new XdrError(`invalid bool value ${v}`);
    return v === 1;
  }

  double(): number {
    this.need(8, 'double');
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  private skipPad(len: number): void {
    const padding = (4 - (len % 4)) % 4;
    this.need(padding, 'padding');
    this.pos += padding;
  }

  fixedOpaque(length: number): Buffer {
    this.need(length, 'fixed opaque');
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + length));
    this.pos += length;
    this.skipPad(length);
    return out;
  }

  opaque(max = 0xffffffff): Buffer {
    const len = this.uint();
    if (len > max) throw new XdrError(`opaque length ${len} exceeds limit ${max}`);
    return this.fixedOpaque(len);
  }

  string(max = 0xffffffff): string {
    const len = this.uint();
    if (len > max) throw new XdrError(`string length ${len} exceeds limit ${max}`);
    return this.fixedOpaque(len).toString('utf8');
  }

  optional<T>(decode: (r: XdrReader) => T): T | null {
    return this.bool() ? decode(this) : null;
  }

  array<T>(decode: (r: XdrReader) => T, max = 0xffffffff): T[] {
    const len = this.uint();
    if (len > max) throw new XdrError(`array length ${len} exceeds limit ${max}`);
    // Every XDR element takes at least 4 bytes: reject impossible counts before looping,
    // so a garbage length cannot make us spin on billions of iterations.
    if (len * 4 > this.remaining) throw new XdrError(`truncated XDR data: array of ${len} items cannot fit in ${this.remaining} bytes`);
    const out: T[] = [];
    for (let i = 0; i < len; i++) out.push(decode(this));
    return out;
  }

  fixedArray<T>(length: number, decode: (r: XdrReader) => T): T[] {
    const out: T[] = [];
    for (let i = 0; i < length; i++) out.push(decode(this));
    return out;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  /** Call after decoding a whole message body: trailing bytes mean our layout is wrong. */
  end(): void {
    if (this.remaining !== 0) throw new XdrError(`${this.remaining} unexpected trailing bytes in XDR data`);
  }
}

/** Encoder/decoder pair for one XDR type; procedure definitions are built from these. */
export interface XdrCodec<T> {
  encode(w: XdrWriter, v: T): void;
  decode(r: XdrReader): T;
}

export const xdrVoid: XdrCodec<void> = { encode() {}, decode() {} };
