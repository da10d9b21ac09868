// A fast reader for the plain block-style YAML that manifests are nearly always written in: block
// mappings and sequences of one-line plain or simply quoted scalars, comments, `---` between
// documents. It returns exactly the values the full parser (yaml-source.ts) would, or undefined
// when the text steps outside that subset, and then the caller uses the full parser.
//
// Why: the full parser builds a node tree with a position for every value and reads about
// 1 MB/s in a fresh process; on a 1,551-object host it was a quarter of `apply` (issue 9). Only
// a document's start position is needed when nothing is wrong; anything else is looked up by
// re-parsing with the full parser, which only happens when there is an error to report.
//
// Rule of the subset: when in doubt, give up. Anchors, aliases, tags, block and multi-line
// scalars, flow collections (other than `[]` and `{}`), escapes, complex or quoted keys, tabs,
// CR, non-ASCII text, directives, duplicate keys and anything the YAML core schema would read as
// a float or a non-decimal number all go to the full parser. A differential test holds the two
// parsers to the same values on the examples, the fixtures and thousands of mutated inputs.
import type { Position } from './yaml-source.js';

export interface FastDocument {
  /** 0-based index of the document in its file, counted as the full parser counts them. */
  index: number;
  /** Position of the document's first node. */
  start: Position;
  value: unknown;
}

/** Thrown inside the reader when the text is outside the subset; never escapes this module. */
class OutsideSubset extends Error {}

function outside(): never {
  throw new OutsideSubset();
}

interface Line {
  /** 1-based line number. */
  no: number;
  indent: number;
  /** The line after its indentation, trailing spaces removed; never empty, never a comment. */
  text: string;
}

/** Anything but printable ASCII and LF (tabs, CR, control and non-ASCII characters). */
const UNSAFE_CHAR = /[^\n\x20-\x7e]/;
/** A simple mapping key followed by `:` and either nothing or a space and the value. */
const KEY = '[A-Za-z0-9_][A-Za-z0-9_./-]*';
const SIMPLE_KEY = new RegExp(`^(${KEY}):(?: +(.*))?$`);
const SIMPLE_KEY_TEXT = new RegExp(`^${KEY}$`);
/** Plain scalars the core schema reads as something other than a string, int, bool or null. */
const OTHER_CORE_SCALAR =
  /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const NULL_SCALAR = /^(?:~|[Nn]ull|NULL)$/;
const TRUE_SCALAR = /^(?:[Tt]rue|TRUE)$/;
const FALSE_SCALAR = /^(?:[Ff]alse|FALSE)$/;
const DECIMAL_INT = /^[-+]?[0-9]+$/;
/** Characters a plain scalar may not start with (YAML indicators), and `-`/`?`/`:` with a space. */
const INDICATOR_START = /^(?:[,[\]{}#&*!|>'"%@`]|[-?:](?: |$))/;
/** Nesting deeper than this goes to the full parser, which enforces the real limit. */
const MAX_FAST_DEPTH = 32;

/** The documents of `text`, or undefined when the full parser must read it. */
export function parseYamlFast(text: string): FastDocument[] | undefined {
  if (UNSAFE_CHAR.test(text)) return undefined;
  try {
    return splitDocuments(text).flatMap(({ index, lines }) => {
      if (lines.length === 0) return []; // an empty document: comments or a stray ---
      const start = { line: lines[0].no, column: lines[0].indent + 1 }; // before the reader re-indents "- key:" lines
      const reader = new BlockReader(lines);
      const value = reader.node(0);
      reader.expectEnd();
      return [{ index, start, value }];
    });
  } catch (err) {
    if (err instanceof OutsideSubset) return undefined;
    throw err;
  }
}

/** Content lines per document, numbered as the full parser numbers documents. */
function splitDocuments(text: string): Array<{ index: number; lines: Line[] }> {
  const docs: Array<{ index: number; lines: Line[] }> = [];
  let current: Line[] | undefined;
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const full = raw[i].trimEnd();
    let indent = 0;
    while (indent < full.length && full.charCodeAt(indent) === 0x20) indent++;
    if (indent === full.length || full[indent] === '#') continue; // blank or comment-only
    if (indent === 0 && (full.startsWith('---') || full.startsWith('...') || full.startsWith('%'))) {
      if (full !== '---') outside(); // directives, document end, content after the marker
      current = [];
      docs.push({ index: docs.length, lines: current });
      continue;
    }
    if (!current) {
      // Content before any `---` is the first document, begun implicitly.
      current = [];
      docs.push({ index: docs.length, lines: current });
    }
    current.push({ no: i + 1, indent, text: full.slice(indent) });
  }
  return docs;
}

function isSequenceItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** No value on the line: nothing, or only a comment. */
function isEmptyValue(rest: string): boolean {
  return rest === '' || rest.startsWith('#');
}

/** Reads one document's block structure by indentation. */
class BlockReader {
  private at = 0;

  constructor(private readonly lines: Line[]) {}

  /** The block node starting at the current line. */
  node(depth: number): unknown {
    if (depth > MAX_FAST_DEPTH) outside();
    const line = this.lines[this.at];
    return isSequenceItem(line.text) ? this.sequence(line.indent, depth) : this.mapping(line.indent, depth);
  }

  expectEnd(): void {
    if (this.at < this.lines.length) outside();
  }

  private peek(): Line | undefined {
    return this.lines[this.at];
  }

  private mapping(indent: number, depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (let line = this.peek(); line && line.indent >= indent; line = this.peek()) {
      if (line.indent > indent || isSequenceItem(line.text)) outside(); // bad indentation: the full parser says how
      const match = SIMPLE_KEY.exec(line.text);
      if (!match) outside();
      const key = match[1];
      if (!acceptableKey(key, result)) outside();
      this.at++;
      result[key] = this.valueAfterIndicator(match[2] ?? '', indent, depth, true);
    }
    return result;
  }

  private sequence(indent: number, depth: number): unknown[] {
    const result: unknown[] = [];
    for (let line = this.peek(); line && line.indent >= indent; line = this.peek()) {
      if (line.indent > indent) outside();
      // "key:" then items at the key's own indentation: the next key ends the sequence.
      if (!isSequenceItem(line.text)) break;
      const afterDash = line.text.slice(1);
      const rest = afterDash.trimStart();
      if (!isEmptyValue(rest) && SIMPLE_KEY.test(rest)) {
        // "- key: value": a mapping whose indentation is the column of its first key.
        line.indent += 1 + afterDash.length - rest.length;
        line.text = rest;
        result.push(this.mapping(line.indent, depth + 1));
        continue;
      }
      this.at++;
      result.push(this.valueAfterIndicator(rest, indent, depth, false));
    }
    return result;
  }

  /** The value after `key:` or `-`: inline on the line, a nested block, or null. */
  private valueAfterIndicator(rest: string, indent: number, depth: number, inMapping: boolean): unknown {
    const next = this.peek();
    if (isEmptyValue(rest)) {
      if (next && next.indent > indent) return this.node(depth + 1);
      // "key:" followed by "- item" at the key's own indentation is the key's sequence.
      if (inMapping && next && next.indent === indent && isSequenceItem(next.text)) return this.sequence(indent, depth + 1);
      return null;
    }
    if (next && next.indent > indent) outside(); // a multi-line scalar, or an error
    return inlineScalar(rest);
  }
}

/**
 * A key the subset takes for `mapping`: a string for the core schema (not `1`, `true`, `null`),
 * not yet in it (a duplicate is the full parser's error to report), and not `__proto__`.
 */
function acceptableKey(key: string, mapping: Record<string, unknown>): boolean {
  return key !== '__proto__' && resolvePlain(key) === key && !Object.hasOwn(mapping, key);
}

/** A one-line scalar value with its comment, if any. */
function inlineScalar(rest: string): unknown {
  const quote = rest[0];
  if (quote === '"' || quote === "'") return quotedScalar(rest, quote);
  if (quote === '[' || quote === '{') return flowCollection(rest);
  const comment = rest.search(/ #/);
  const plain = comment >= 0 ? rest.slice(0, comment).trimEnd() : rest;
  if (INDICATOR_START.test(plain) || plain.includes(': ') || plain.endsWith(':')) outside();
  return resolvePlain(plain);
}

/**
 * A one-line flow collection ("{start: a, end: b}", "[hd, cdrom]"), nested or not, with an
 * optional comment after it. Plain scalars inside it may not hold ":" or "#" (the rules for those
 * differ in flow context), keys are simple keys, and there are no empty entries.
 */
function flowCollection(rest: string): unknown {
  const reader = new FlowReader(rest);
  const value = reader.collection(0);
  const after = rest.slice(reader.at);
  if (after !== '' && !/^ +#/.test(after)) outside();
  return value;
}

/** Plain scalar text in flow context, up to the next indicator. */
const FLOW_PLAIN = /[^,[\]{}:#]*/y;

class FlowReader {
  at = 0;

  constructor(private readonly text: string) {}

  collection(depth: number): unknown {
    if (depth > MAX_FAST_DEPTH) outside();
    const open = this.text[this.at++];
    const close = open === '[' ? ']' : '}';
    const items: unknown[] = [];
    const pairs: Record<string, unknown> = {};
    this.spaces();
    if (this.text[this.at] === close) {
      this.at++;
      return open === '[' ? items : pairs;
    }
    for (;;) {
      this.spaces();
      if (open === '[') items.push(this.value(depth));
      else {
        const key = this.plain();
        if (!SIMPLE_KEY_TEXT.test(key) || !acceptableKey(key, pairs)) outside();
        if (this.text[this.at] !== ':' || this.text[this.at + 1] !== ' ') outside();
        this.at += 2;
        this.spaces();
        pairs[key] = this.value(depth);
      }
      this.spaces();
      const next = this.text[this.at++];
      if (next === close) return open === '[' ? items : pairs;
      if (next !== ',') outside();
    }
  }

  private value(depth: number): unknown {
    const c = this.text[this.at];
    if (c === '[' || c === '{') return this.collection(depth + 1);
    if (c === '"' || c === "'") {
      const { value, end } = quotedBody(this.text, this.at, c);
      this.at = end;
      return value;
    }
    const plain = this.plain();
    if (plain === '' || INDICATOR_START.test(plain)) outside();
    return resolvePlain(plain);
  }

  /** Plain text up to the next flow indicator, trailing spaces dropped. */
  private plain(): string {
    FLOW_PLAIN.lastIndex = this.at;
    const match = FLOW_PLAIN.exec(this.text);
    const raw = match ? match[0] : '';
    this.at += raw.length;
    return raw.trimEnd();
  }

  private spaces(): void {
    while (this.text[this.at] === ' ') this.at++;
  }
}

/** The quoted scalar starting at `start`, and the index just past its closing quote. */
function quotedBody(text: string, start: number, quote: '"' | "'"): { value: string; end: number } {
  let i = start + 1;
  for (;;) {
    const close = text.indexOf(quote, i);
    if (close < 0) outside(); // continues on the next line
    if (quote === "'" && text[close + 1] === "'") {
      i = close + 2; // '' is an escaped quote in single quotes
      continue;
    }
    const body = text.slice(start + 1, close);
    if (quote === '"' && body.includes('\\')) outside(); // escapes
    return { value: quote === "'" ? body.replaceAll("''", "'") : body, end: close + 1 };
  }
}

/** A quoted scalar that is a whole value, with an optional comment after it. */
function quotedScalar(rest: string, quote: '"' | "'"): string {
  const { value, end } = quotedBody(rest, 0, quote);
  const after = rest.slice(end);
  if (after !== '' && !/^ +#/.test(after)) outside();
  return value;
}

/** The core schema's reading of a plain scalar, for the forms the subset keeps. */
function resolvePlain(text: string): unknown {
  if (NULL_SCALAR.test(text)) return null;
  if (TRUE_SCALAR.test(text)) return true;
  if (FALSE_SCALAR.test(text)) return false;
  if (DECIMAL_INT.test(text)) return parseInt(text, 10);
  if (OTHER_CORE_SCALAR.test(text)) outside();
  return text;
}
