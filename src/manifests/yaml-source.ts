// YAML text → plain values, keeping a way back from a field path to the line and column it came
// from. Pure: no file system access. Hostile input (alias bombs, deep nesting) becomes an error
// instead of a crash or a hang.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
  type ParsedNode,
} from 'yaml';
import type { FieldPath } from './paths.js';
import { parseYamlFast } from './yaml-fast.js';

export interface YamlLimits {
  /** Alias expansions per document (billion laughs guard). */
  maxAliasCount: number;
  /** Nesting depth of collections. */
  maxDepth: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxAliasCount: 100, maxDepth: 64 };

export interface Position {
  line: number;
  column: number;
}

export interface Issue extends Position {
  path: FieldPath;
  message: string;
}

/** Where an error about a field should point. */
export type Anchor = 'value' | 'key';

export interface ParsedDocument {
  /** 0-based index of the document in its file. */
  index: number;
  start: Position;
  value: unknown;
  /** Position of the field, or of its nearest existing ancestor when the field is absent. */
  locate(path: FieldPath, anchor?: Anchor): Position;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  issues: Issue[];
}

/**
 * The documents of a file. Plain block-style text takes the fast reader; positions other than a
 * document's start are then found by reading the file once more with the full parser, which only
 * an error report asks for. Everything else takes the full parser at once.
 */
export function parseYaml(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): ParsedFile {
  const fast = parseYamlFast(text);
  if (!fast) return parseYamlFull(text, limits);
  let full: ParsedFile | undefined;
  const documents = fast.map(
    ({ index, start, value }): ParsedDocument => ({
      index,
      start,
      value,
      locate: (path, anchor) => {
        if (path.length === 0) return start;
        full ??= parseYamlFull(text, limits);
        return full.documents.find((d) => d.index === index)?.locate(path, anchor) ?? start;
      },
    }),
  );
  return { documents, issues: [] };
}

/** The full parser: every YAML feature, errors with positions, a position for every node. */
export function parseYamlFull(text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): ParsedFile {
  const lineCounter = new LineCounter();
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const issues: Issue[] = [];
  const documents: ParsedDocument[] = [];

  const parsed = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false, // pretty errors quote source lines; we report positions instead
    uniqueKeys: true,
    merge: true,
  });
  const docs = [...parsed];
  // A stream without documents (e.g. a lone "]") reports its errors on the stream itself.
  if ('empty' in parsed)
    for (const e of parsed.errors) issues.push({ ...pos(e.pos[0]), path: [], message: yamlMessage(e.code, e.message) });

  docs.forEach((doc, index) => {
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) {
      // The parser reports stack exhaustion once per level; one message says it all.
      const exhausted = problems.find((e) => e.code === 'RESOURCE_EXHAUSTION');
      if (exhausted) {
        issues.push({ ...pos(exhausted.pos[0]), path: [], message: `nesting is too deep (limit ${limits.maxDepth} levels)` });
        return;
      }
      for (const e of problems) issues.push({ ...pos(e.pos[0]), path: [], message: yamlMessage(e.code, e.message) });
      return;
    }
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) return; // empty document: comments or a stray ---
    const start = pos(contents.range?.[0] ?? 0);

    const deep = findTooDeep(contents, limits.maxDepth);
    if (deep) {
      issues.push({ ...pos(deep.range?.[0] ?? 0), path: [], message: `nesting is too deep (limit ${limits.maxDepth} levels)` });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (e) {
      const message =
        e instanceof ReferenceError && /alias/i.test(e.message)
          ? `too many alias expansions (limit ${limits.maxAliasCount}); is this a "billion laughs" document?`
          : `cannot read document: ${firstLine(e instanceof Error ? e.message : String(e))}`;
      issues.push({ ...start, path: [], message });
      return;
    }
    documents.push({
      index,
      start,
      value,
      locate: (path, anchor = 'value') => {
        const found = locateNode(doc, path, anchor);
        return found?.range ? pos(found.range[0]) : start;
      },
    });
  });
  return { documents, issues };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key in a mapping';
  if (code === 'TAG_RESOLVE_FAILED') return `${firstLine(message)} (custom tags are not allowed)`;
  return `YAML syntax error: ${firstLine(message)}`;
}

function findTooDeep(root: YamlNode, maxDepth: number): YamlNode | undefined {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isMap(node) || isSeq(node)) {
      if (depth > maxDepth) return node;
      for (const item of node.items) {
        if (isPair(item)) {
          stack.push({ node: item.key, depth: depth + 1 });
          stack.push({ node: item.value, depth: depth + 1 });
        } else stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

type AnyDoc = Document.Parsed<ParsedNode, true> | Document;

/** Walks the node tree along the path; stops at the deepest node that exists. */
function locateNode(doc: AnyDoc, path: FieldPath, anchor: Anchor): YamlNode | undefined {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isAlias(node)) node = node.resolve(doc as Document) ?? node;
    let next: unknown;
    let nextKey: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg));
      if (pair) {
        nextKey = pair.key;
        next = pair.value ?? pair.key;
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined || next === null) return asNode(keyNode) ?? asNode(node);
    node = next;
    keyNode = nextKey;
  }
  if (anchor === 'key' && keyNode) return asNode(keyNode);
  // An empty value ("memory:") has no useful range of its own; its key does.
  if (isScalar(node) && node.value === null && keyNode) return asNode(keyNode);
  return asNode(node);
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function asNode(n: unknown): YamlNode | undefined {
  return n && typeof n === 'object' && 'range' in n ? (n as YamlNode) : undefined;
}
