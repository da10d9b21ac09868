// File and directory identifiers of the three name spaces a seed ISO carries: the primary tree's
// ECMA-119 level 1 names (8.3, upper case), the Joliet tree's UCS-2 names, and the Rock Ridge NM
// names (the real POSIX names, in the primary tree's System Use fields).

/** Joliet specification, "File and Directory Identifiers": at most 64 UCS-2 characters. */
export const MAX_NAME_CHARS = 64;
/**
 * A directory record is at most 255 bytes (ECMA-119 9.1.1) and we keep the Rock Ridge entries of a
 * record inside it (no continuation area per file): 48 bytes of record and 8.3 identifier, 67 of
 * RR+PX+TF and 5 of NM header leave room for 135 bytes of name; 128 keeps a margin.
 */
export const MAX_NAME_BYTES = 128;

/** Joliet forbids these in identifiers (besides control characters); '/' also separates paths. */
const JOLIET_FORBIDDEN = new Set(['*', '/', ':', ';', '?', '\\']);

/** Why a single path component cannot be recorded, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name === '.' || name === '..') return `"${name}" is reserved for the directory itself and its parent`;
  if (name.length > MAX_NAME_CHARS) return `is ${name.length} characters long; Joliet allows at most ${MAX_NAME_CHARS}`;
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES)
    return `is ${Buffer.byteLength(name, 'utf8')} bytes in UTF-8; at most ${MAX_NAME_BYTES} fit a Rock Ridge name`;
  for (const ch of name) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return `contains the control character U+${code.toString(16).padStart(4, '0')}`;
    if (code > 0xffff) return `contains ${ch}, outside UCS-2 (Joliet cannot record it)`;
    if (JOLIET_FORBIDDEN.has(ch)) return `contains "${ch}", which Joliet names cannot hold`;
  }
  return undefined;
}

/** ECMA-119 7.4.1: d-characters are A–Z, 0–9 and the low line. */
function toDCharacters(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** Splits at the last dot that is not the first character ("user.data" → user, data; ".rc" → .rc). */
function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? [name.slice(0, dot), name.slice(dot + 1)] : [name, ''];
}

/**
 * Level 1 identifiers (ECMA-119 10.1) for the entries of one directory, in the order given:
 * files become NAME.EXT;1 (7.5.1: the separator '.' is always present, ';1' is the version),
 * directories NAME (7.6.1). Names that collide after folding get a decimal counter at the end of
 * the name part, so the primary tree stays readable by the strictest reader. The caller passes
 * entries sorted by real name, which makes the choice deterministic.
 */
export function primaryIdentifiers(entries: readonly { name: string; isDirectory: boolean }[]): string[] {
  const taken = new Set<string>();
  return entries.map(({ name, isDirectory }) => {
    const [stem, ext] = isDirectory ? [name, ''] : splitExtension(name);
    const base = toDCharacters(isDirectory ? stem.replaceAll('.', '_') : stem).slice(0, 8) || '_';
    const extension = toDCharacters(ext).slice(0, 3);
    const make = (n: string) => (isDirectory ? n : `${n}.${extension};1`);
    let candidate = make(base);
    for (let counter = 1; taken.has(candidate); counter++) {
      const digits = String(counter);
      candidate = make(base.slice(0, 8 - digits.length) + digits);
    }
    taken.add(candidate);
    return candidate;
  });
}

/**
 * Joliet identifiers carry the real name and no ';1' version: genisoimage writes them so, and
 * isoinfo -J compares names literally (Linux and Windows strip a ';1' but do not need one).
 */
export function jolietIdentifier(name: string): string {
  return name;
}

/**
 * ECMA-119 9.3: records in a directory are ordered by name part then extension part, each
 * compared as if padded with spaces (0x20), code unit by code unit. Joliet keeps this rule for
 * its UCS-2 identifiers. The ';1' version is the same for every file, so it is left out.
 */
export function compareIdentifiers(a: string, b: string): number {
  const [an, ae] = splitIdentifier(a);
  const [bn, be] = splitIdentifier(b);
  return comparePadded(an, bn) || comparePadded(ae, be);
}

function splitIdentifier(identifier: string): [string, string] {
  const semicolon = identifier.lastIndexOf(';');
  const bare = semicolon >= 0 ? identifier.slice(0, semicolon) : identifier;
  const dot = bare.lastIndexOf('.');
  return dot >= 0 ? [bare.slice(0, dot), bare.slice(dot + 1)] : [bare, ''];
}

function comparePadded(a: string, b: string): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const ca = i < a.length ? a.charCodeAt(i) : 0x20;
    const cb = i < b.length ? b.charCodeAt(i) : 0x20;
    if (ca !== cb) return ca - cb;
  }
  return 0;
}
