// Reads the constants libvirt's public headers define: `typedef enum { … } virX;` members and
// object-like `# define VIR_X value` macros (integers and string literals). Enough C to evaluate
// what those headers use: integer literals with U/L suffixes, names defined earlier, parentheses,
// unary - and ~, and the binary operators << >> | & + - * /.

export interface CEnum {
  name: string;
  members: { name: string; value: bigint }[];
}

export interface CHeaderConstants {
  enums: CEnum[];
  /** Integer macros by name. */
  integers: Map<string, bigint>;
  /** String macros by name (typed-parameter field names, …). */
  strings: Map<string, string>;
}

export class CExpressionError extends Error {}

function tokenizeExpr(expr: string): string[] {
  const out: string[] = [];
  const re = /\s*(0[xX][0-9a-fA-F]+|[0-9]+|[A-Za-z_][A-Za-z0-9_]*|<<|>>|[-+*/|&~()])/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < expr.length) {
    re.lastIndex = pos;
    m = re.exec(expr);
    if (!m) {
      if (/^\s*$/.test(expr.slice(pos))) break;
      throw new CExpressionError(`cannot read '${expr.slice(pos)}'`);
    }
    out.push(m[1]!);
    pos = re.lastIndex;
  }
  return out;
}

/** Evaluates a C integer constant expression; names resolve through `lookup`. */
export function evaluateC(expr: string, lookup: (name: string) => bigint | undefined): bigint {
  const tokens = tokenizeExpr(expr.replace(/\b(0[xX][0-9a-fA-F]+|[0-9]+)(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU]?)\b/g, '$1'));
  let pos = 0;
  const BINARY: Record<string, number> = { '|': 1, '&': 2, '<<': 3, '>>': 3, '+': 4, '-': 4, '*': 5, '/': 5 };
  const primary = (): bigint => {
    const t = tokens[pos++];
    if (t === undefined) throw new CExpressionError(`'${expr}' ends early`);
    if (t === '(') {
      const v = binary(0);
      if (tokens[pos++] !== ')') throw new CExpressionError(`unbalanced parentheses in '${expr}'`);
      return v;
    }
    if (t === '-') return -primary();
    if (t === '~') return ~primary();
    if (t === '+') return primary();
    if (/^[0-9]/.test(t)) return BigInt(t);
    const v = lookup(t);
    if (v === undefined) throw new CExpressionError(`unknown name ${t} in '${expr}'`);
    return v;
  };
  const binary = (minPrec: number): bigint => {
    let left = primary();
    for (;;) {
      const op = tokens[pos];
      const prec = op === undefined ? undefined : BINARY[op];
      if (prec === undefined || prec < minPrec) return left;
      pos++;
      const right = binary(prec + 1);
      switch (op) {
        case '|':
          left |= right;
          break;
        case '&':
          left &= right;
          break;
        case '<<':
          left <<= right;
          break;
        case '>>':
          left >>= right;
          break;
        case '+':
          left += right;
          break;
        case '-':
          left -= right;
          break;
        case '*':
          left *= right;
          break;
        case '/':
          left /= right;
          break;
      }
    }
  };
  const v = binary(0);
  if (pos !== tokens.length) throw new CExpressionError(`trailing '${tokens.slice(pos).join(' ')}' in '${expr}'`);
  return v;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '');
}

/** Drops `#ifdef VIR_ENUM_SENTINELS … #endif` blocks: their *_LAST members are not ABI. */
function dropSentinels(text: string): string {
  return text.replace(/#\s*ifdef\s+VIR_ENUM_SENTINELS[\s\S]*?#\s*endif/g, '');
}

/** Reads several headers in order; later ones may use names earlier ones defined. */
export function readHeaderConstants(headers: readonly { file: string; text: string }[]): CHeaderConstants {
  const integers = new Map<string, bigint>();
  const strings = new Map<string, string>();
  const enums: CEnum[] = [];
  const pendingMacros: { name: string; value: string }[] = [];
  const lookup = (name: string): bigint | undefined => integers.get(name);

  for (const { text } of headers) {
    const clean = dropSentinels(stripComments(text));
    for (const m of clean.matchAll(/typedef\s+enum\s*(?:[A-Za-z_][A-Za-z0-9_]*)?\s*\{([\s\S]*?)\}\s*([A-Za-z_][A-Za-z0-9_]*)\s*;/g)) {
      const body = m[1]!.replace(/#[^\n]*/g, '');
      const members: { name: string; value: bigint }[] = [];
      let next = 0n;
      for (const raw of body.split(',')) {
        const item = raw.trim();
        if (!item) continue;
        const eq = item.indexOf('=');
        const name = (eq < 0 ? item : item.slice(0, eq)).trim();
        const value = eq < 0 ? next : evaluateC(item.slice(eq + 1), lookup);
        integers.set(name, value);
        members.push({ name, value });
        next = value + 1n;
      }
      enums.push({ name: m[2]!, members });
    }
    for (const m of clean.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Z_][A-Z0-9_]*)(?![A-Za-z0-9_(])[ \t]+([^\n]+)$/gm)) {
      pendingMacros.push({ name: m[1]!, value: m[2]!.trim() });
    }
  }
  // Macros may refer to enum members and to each other, in any order: resolve until nothing changes.
  let unresolved = pendingMacros;
  for (let round = 0; round < 5 && unresolved.length > 0; round++) {
    const still: typeof unresolved = [];
    for (const macro of unresolved) {
      const str = /^"((?:[^"\\]|\\.)*)"$/.exec(macro.value);
      if (str) {
        strings.set(macro.name, str[1]!);
        continue;
      }
      try {
        integers.set(macro.name, evaluateC(macro.value, lookup));
      } catch {
        still.push(macro);
      }
    }
    unresolved = still;
  }
  return { enums, integers, strings };
}
