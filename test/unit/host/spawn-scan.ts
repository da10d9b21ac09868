// Finds every external program the code starts: calls of node:child_process functions (and of
// promisified copies of them) in src/, test/, bench/ and scripts/. A call whose program is a string
// literal names it directly; any other call must say what it runs in a `// spawns: a, b` comment on
// its line or the three lines above (`// spawns: user-command` for a program the user chose).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface SpawnSite {
  file: string;
  line: number;
  /** Programs the call starts (from literals and the annotation); empty when it cannot be told. */
  programs: string[];
  /** The first argument as written, for messages. */
  argument: string;
}

const CHILD_PROCESS_FUNCTIONS = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork']);
const SOURCE = /\.(ts|mts|js|mjs|cjs)$/;
/** The Node runtime itself is not a host program: it is what runs us. */
const RUNTIME_ARGUMENTS = new Set(['process.execPath', "'node'", '"node"']);

export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (SOURCE.test(name)) out.push(full);
    }
  };
  for (const d of dirs) walk(path.join(root, d));
  return out.sort();
}

/** Local names bound to child_process functions: imports (with aliases) and `x = promisify(f)`. */
function spawnerNames(text: string): Set<string> {
  const names = new Set<string>();
  const importRe = /import\s*\{([^}]*)\}\s*from\s*['"](?:node:)?child_process['"]/g;
  for (const m of text.matchAll(importRe)) {
    for (const part of m[1].split(',')) {
      const [imported, local] = part
        .replace(/\btype\b/, '')
        .trim()
        .split(/\s+as\s+/);
      if (imported && CHILD_PROCESS_FUNCTIONS.has(imported.trim())) names.add((local ?? imported).trim());
    }
  }
  for (const m of text.matchAll(/(?:const|let)\s+(\w+)\s*=\s*promisify\((\w+)\)/g)) {
    if (names.has(m[2])) names.add(m[1]);
  }
  return names;
}

/** The text of the first argument of the call whose '(' is at `open`. */
function firstArgument(text: string, open: number): string {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return text.slice(open + 1, i).trim();
      depth--;
    } else if (c === ',' && depth === 0) return text.slice(open + 1, i).trim();
  }
  return text.slice(open + 1).trim();
}

function annotation(lines: readonly string[], line: number): string[] {
  for (let l = line; l >= Math.max(0, line - 3); l--) {
    const m = /\/\/\s*spawns:\s*(.+)$/.exec(lines[l]);
    if (m)
      return m[1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
  }
  return [];
}

export function scanFile(file: string, text: string = readFileSync(file, 'utf8')): SpawnSite[] {
  const names = spawnerNames(text);
  if (names.size === 0) return [];
  const lines = text.split('\n');
  const sites: SpawnSite[] = [];
  const callRe = new RegExp(`(?<![\\w.])(${[...names].join('|')})\\s*\\(`, 'g');
  for (const m of text.matchAll(callRe)) {
    const before = text.slice(Math.max(0, m.index - 12), m.index);
    if (/\b(function|import)\s*$/.test(before) || /promisify\($/.test(before)) continue;
    const open = m.index + m[0].length - 1;
    const argument = firstArgument(text, open);
    if (RUNTIME_ARGUMENTS.has(argument)) continue;
    const line = text.slice(0, m.index).split('\n').length - 1;
    const literals = [...argument.matchAll(/'([^']+)'|"([^"]+)"/g)].map((l) => path.basename(l[1] ?? l[2]));
    const programs = [...new Set([...literals, ...annotation(lines, line)])];
    sites.push({ file, line: line + 1, programs, argument });
  }
  return sites;
}

export function readProgramTable(file: string): Map<string, string> {
  const table = new Map<string, string>();
  for (const row of readFileSync(file, 'utf8').split('\n')) {
    if (row.startsWith('#') || row.trim() === '') continue;
    const [program, pkg] = row.split('\t');
    if (program && pkg) table.set(program, pkg);
  }
  return table;
}
