// I/O: reading the files manifests name (cloudInit fromFile), with walk.ts's rules — only inside
// the manifest tree (a repository must not make us read and upload arbitrary host files), only
// regular files, with a size cap — and a record of what was read, so a cached load can tell when
// an included file changed and the daemon sees its edits as a change of the source.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { DEFAULT_MAX_FILE_BYTES, unreadable } from './walk.js';

/** Reads `relative` (a fromFile value) for the manifest in `manifestFile` (both relative to the root). */
export type Includer = (manifestFile: string, relative: string) => { text: string } | { error: string };

/** What a loader without file access answers: fromFile needs loadManifests. */
export const NO_INCLUDES: Includer = () => ({
  error: 'cannot be read here: files are only read when manifests are loaded from a directory',
});

export interface IncludedFile {
  /** Real path. */
  path: string;
  sha256: string;
  ctimeMs: number;
}

export interface TreeIncluder {
  include: Includer;
  /** Every file read so far. */
  readonly files: readonly IncludedFile[];
}

export function treeIncluder(root: string, maxBytes = DEFAULT_MAX_FILE_BYTES): TreeIncluder {
  const realRoot = realpathSync(root);
  const files: IncludedFile[] = [];
  const inside = (p: string) => {
    const rel = path.relative(realRoot, p);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  const include: Includer = (manifestFile, relative) => {
    if (path.isAbsolute(relative)) return { error: "is an absolute path; give a path relative to the manifest's directory" };
    const wanted = path.resolve(realRoot, path.dirname(manifestFile), relative);
    let real: string;
    try {
      real = realpathSync(wanted);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { error: "does not exist (paths are relative to the manifest's directory)" };
      return { error: unreadable(err) };
    }
    if (!inside(real)) return { error: 'is outside the manifest directory; keep included files in the manifest tree' };
    const read = readCapped(real, maxBytes);
    if ('error' in read) return read;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
    } catch {
      return { error: 'is not UTF-8 text' };
    }
    files.push({ path: real, sha256: createHash('sha256').update(read.bytes).digest('hex'), ctimeMs: read.ctimeMs });
    return { text };
  };
  return { include, files };
}

/** Whether every file still has the bytes it had when it was included. */
export function includesUnchanged(files: readonly IncludedFile[]): boolean {
  return files.every((f) => {
    const read = readCapped(f.path, Number.MAX_SAFE_INTEGER);
    return !('error' in read) && createHash('sha256').update(read.bytes).digest('hex') === f.sha256;
  });
}

function readCapped(file: string, maxBytes: number): { bytes: Buffer; ctimeMs: number } | { error: string } {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO put in the tree must not hang the load (its open would wait for a writer).
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return { error: unreadable(err) };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { error: 'is not a regular file' };
    if (st.size > maxBytes) return { error: `is too large (${st.size} bytes; limit ${maxBytes})` };
    const bytes = Buffer.alloc(st.size);
    let total = 0;
    while (total < bytes.length) {
      const n = readSync(fd, bytes, total, bytes.length - total, total);
      if (n === 0) break;
      total += n;
    }
    return { bytes: bytes.subarray(0, total), ctimeMs: st.ctimeMs };
  } finally {
    closeSync(fd);
  }
}
