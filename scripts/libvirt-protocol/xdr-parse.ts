// A parser for the rpcgen XDR language as libvirt writes it (remote_protocol.x and friends):
// const, typedef, struct, enum, union switch; `%` pass-through lines are skipped; the comment
// right before each enum member is kept, because libvirt puts procedure annotations there.

export type Scalar = 'int' | 'uint' | 'hyper' | 'uhyper' | 'bool' | 'double' | 'float' | 'char' | 'uchar' | 'short' | 'ushort';

export type TypeSpec =
  | { kind: 'scalar'; scalar: Scalar }
  | { kind: 'string'; max: string | undefined }
  | { kind: 'opaque-fixed'; length: string }
  | { kind: 'opaque-var'; max: string | undefined }
  | { kind: 'named'; name: string };

/** One declaration: `type name`, `type *name`, `type name<max>`, `type name[len]`, or void. */
export type Decl =
  | { kind: 'void' }
  | { kind: 'plain'; name: string; type: TypeSpec }
  | { kind: 'optional'; name: string; type: TypeSpec }
  | { kind: 'array-var'; name: string; type: TypeSpec; max: string | undefined }
  | { kind: 'array-fixed'; name: string; type: TypeSpec; length: string };

export interface EnumMember {
  name: string;
  value: string;
  /** The comment just before the member (libvirt's @generate/@priority/@acl annotations). */
  comment: string;
}

export interface UnionArm {
  /** Case labels; `default` arms have none. */
  cases: string[];
  isDefault: boolean;
  decl: Decl;
}

export type Definition =
  | { kind: 'const'; name: string; value: string }
  | { kind: 'typedef'; name: string; decl: Decl }
  | { kind: 'struct'; name: string; fields: Decl[] }
  | { kind: 'enum'; name: string; members: EnumMember[] }
  | { kind: 'union'; name: string; discriminant: { name: string; type: TypeSpec }; arms: UnionArm[] };

interface Token {
  text: string;
  /** The last block comment seen before this token. */
  comment: string;
  line: number;
}

export class XdrParseError extends Error {
  override name = 'XdrParseError';
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let comment = '';
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n') {
      line++;
      i++;
      // rpcgen pass-through lines start with %.
      if (source[i] === '%') {
        while (i < source.length && source[i] !== '\n') i++;
      }
      continue;
    }
    if (i === 0 && c === '%') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new XdrParseError(`unterminated comment at line ${line}`);
      comment = source.slice(i + 2, end);
      line += comment.split('\n').length - 1;
      i = end + 2;
      continue;
    }
    if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    const word = /^(?:0x[0-9a-fA-F]+|-?[0-9]+|[A-Za-z_][A-Za-z0-9_]*)/.exec(source.slice(i, i + 200));
    if (word) {
      tokens.push({ text: word[0], comment, line });
      comment = '';
      i += word[0].length;
      continue;
    }
    tokens.push({ text: c, comment, line });
    comment = '';
    i++;
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
  ) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new XdrParseError(`${this.file}: unexpected end of input`);
    return t;
  }

  private expect(text: string): Token {
    const t = this.next();
    if (t.text !== text) throw new XdrParseError(`${this.file}:${t.line}: expected '${text}', found '${t.text}'`);
    return t;
  }

  private ident(): string {
    const t = this.next();
    if (!/^[A-Za-z_]/.test(t.text)) throw new XdrParseError(`${this.file}:${t.line}: expected a name, found '${t.text}'`);
    return t.text;
  }

  /** A constant: a number or a name. */
  private value(): string {
    const t = this.next();
    return t.text;
  }

  parseAll(): Definition[] {
    const defs: Definition[] = [];
    while (this.peek()) defs.push(this.definition());
    return defs;
  }

  private definition(): Definition {
    const t = this.next();
    switch (t.text) {
      case 'const': {
        const name = this.ident();
        this.expect('=');
        const value = this.value();
        this.expect(';');
        return { kind: 'const', name, value };
      }
      case 'typedef': {
        const decl = this.decl();
        this.expect(';');
        if (decl.kind === 'void') throw new XdrParseError(`${this.file}:${t.line}: typedef of void`);
        return { kind: 'typedef', name: decl.name, decl };
      }
      case 'struct': {
        const name = this.ident();
        const fields = this.structBody();
        this.expect(';');
        return { kind: 'struct', name, fields };
      }
      case 'enum': {
        const name = this.ident();
        const members = this.enumBody();
        this.expect(';');
        return { kind: 'enum', name, members };
      }
      case 'union': {
        const name = this.ident();
        const body = this.unionBody();
        this.expect(';');
        return { kind: 'union', name, ...body };
      }
      default:
        throw new XdrParseError(`${this.file}:${t.line}: unexpected '${t.text}' at top level`);
    }
  }

  private structBody(): Decl[] {
    this.expect('{');
    const fields: Decl[] = [];
    while (this.peek()?.text !== '}') {
      fields.push(this.decl());
      this.expect(';');
    }
    this.expect('}');
    return fields;
  }

  private enumBody(): EnumMember[] {
    this.expect('{');
    const members: EnumMember[] = [];
    while (this.peek()?.text !== '}') {
      const nameToken = this.next();
      this.expect('=');
      const value = this.value();
      members.push({ name: nameToken.text, value, comment: nameToken.comment });
      if (this.peek()?.text === ',') this.next();
    }
    this.expect('}');
    return members;
  }

  private unionBody(): { discriminant: { name: string; type: TypeSpec }; arms: UnionArm[] } {
    this.expect('switch');
    this.expect('(');
    const type = this.typeSpec();
    const name = this.ident();
    this.expect(')');
    this.expect('{');
    const arms: UnionArm[] = [];
    while (this.peek()?.text !== '}') {
      const cases: string[] = [];
      let isDefault = false;
      for (;;) {
        const t = this.peek();
        if (t?.text === 'case') {
          this.next();
          cases.push(this.value());
          this.expect(':');
        } else if (t?.text === 'default') {
          this.next();
          this.expect(':');
          isDefault = true;
        } else break;
      }
      const decl = this.decl();
      this.expect(';');
      arms.push({ cases, isDefault, decl });
    }
    this.expect('}');
    return { discriminant: { name, type }, arms };
  }

  private typeSpec(): TypeSpec {
    const t = this.next();
    switch (t.text) {
      case 'unsigned': {
        const n = this.peek()?.text;
        if (n === 'int' || n === 'hyper' || n === 'char' || n === 'short') {
          this.next();
          return { kind: 'scalar', scalar: n === 'int' ? 'uint' : n === 'hyper' ? 'uhyper' : n === 'char' ? 'uchar' : 'ushort' };
        }
        return { kind: 'scalar', scalar: 'uint' };
      }
      case 'int':
      case 'hyper':
      case 'bool':
      case 'double':
      case 'float':
      case 'char':
      case 'short':
        return { kind: 'scalar', scalar: t.text };
      case 'string':
        return { kind: 'string', max: undefined };
      case 'opaque':
        return { kind: 'opaque-var', max: undefined };
      case 'struct':
      case 'enum':
      case 'union':
        return { kind: 'named', name: this.ident() };
      default:
        if (!/^[A-Za-z_]/.test(t.text)) throw new XdrParseError(`${this.file}:${t.line}: expected a type, found '${t.text}'`);
        return { kind: 'named', name: t.text };
    }
  }

  private decl(): Decl {
    if (this.peek()?.text === 'void') {
      this.next();
      return { kind: 'void' };
    }
    const type = this.typeSpec();
    if (this.peek()?.text === '*') {
      this.next();
      return { kind: 'optional', name: this.ident(), type };
    }
    const name = this.ident();
    const after = this.peek()?.text;
    if (after === '<') {
      this.next();
      let max: string | undefined;
      if (this.peek()?.text !== '>') max = this.value();
      this.expect('>');
      if (type.kind === 'string') return { kind: 'plain', name, type: { kind: 'string', max } };
      if (type.kind === 'opaque-var') return { kind: 'plain', name, type: { kind: 'opaque-var', max } };
      return { kind: 'array-var', name, type, max };
    }
    if (after === '[') {
      this.next();
      const length = this.value();
      this.expect(']');
      if (type.kind === 'opaque-var') return { kind: 'plain', name, type: { kind: 'opaque-fixed', length } };
      return { kind: 'array-fixed', name, type, length };
    }
    return { kind: 'plain', name, type };
  }
}

export function parseXdr(source: string, file: string): Definition[] {
  return new Parser(tokenize(source), file).parseAll();
}
