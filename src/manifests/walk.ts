// Finds and reads manifest files. The only module here that touches the file system.
// - The root may be a symlink (git-sync swaps one atomically): it is resolved once, up front.
// - Hidden entries (.git, editor swap files) are skipped.
// - Symlinks inside the tree are followed only while they stay inside the root, so a manifest
//   repository cannot make us read (and quote in errors) arbitrary host files; loops are cut.
// - Files are read with a size cap; FIFOs and devices are never opened (reading one could hang).
import type { Dirent } from 'node:fs';
import { type FileHandle, lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SourceFile } from './load-sources.js';
import type { ManifestError } from './types.js';

export interface WalkOptions {
  /** Bytes per file; default 1 MiB. */
  maxFileBytes?: number;
  /** Files in the tree; default 10000. */
  maxFiles?: number;
}

export interface WalkResult {
  files: SourceFile[];
  errors: ManifestError[];
  /**
   * Newest status-change time (ctime, ms since the epoch) of the files read and the directories
   * walked; 0 for an empty tree. ctime, not mtime: a copy that keeps mtimes (`cp -p`, rsync -t)
   * or a rename still moves it.
   */
  lastChangeMs: number;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** Problems with the root itself: nothing can be loaded. */
export class ManifestRootError extends Error {
  override name = 'ManifestRootError';
}

const MANIFEST_FILE = /\.ya?ml$/i;

/** One line for a file or directory we may not read: what the system said, and the fix. */
export function unreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM')
    return `cannot be read: permission denied (fix: make it readable by uid ${process.getuid?.() ?? '?'})`;
  return `cannot be read: ${code ?? (err as Error).message}`;
}

export async function readManifestTree(root: string, options: WalkOptions = {}): Promise<WalkResult> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxFiles = options.maxFiles ?? 10000;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (e) {
    throw new ManifestRootError(`${root}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
  }
  if (!(await stat(realRoot)).isDirectory()) throw new ManifestRootError(`${root}: not a directory`);

  const files: SourceFile[] = [];
  const errors: ManifestError[] = [];
  const fileError = (file: string, message: string) => errors.push({ file, line: 1, column: 1, path: '', message });
  const visited = new Set<string>([realRoot]);
  let count = 0;
  let lastChangeMs = 0;
  const changedAt = (ctimeMs: number) => {
    if (ctimeMs > lastChangeMs) lastChangeMs = ctimeMs;
  };

  const inside = (p: string) => {
    const rel = path.relative(realRoot, p);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };

  async function readFileCapped(abs: string, rel: string, size: number): Promise<void> {
    if (++count > maxFiles) {
      if (count === maxFiles + 1) fileError(rel, `too many manifest files (limit ${maxFiles})`);
      return;
    }
    if (size > maxBytes) {
      fileError(rel, `file is too large (${size} bytes; limit ${maxBytes})`);
      return;
    }
    let handle: FileHandle;
    try {
      handle = await open(abs, 'r');
    } catch (err) {
      fileError(rel, unreadable(err));
      return;
    }
    try {
      // Read one byte past the limit: the file may have grown since stat.
      const buf = Buffer.alloc(Math.min(size, maxBytes) + 1);
      let total = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buf, total, buf.length - total, total);
        if (bytesRead === 0) break;
        total += bytesRead;
        if (total === buf.length) break;
      }
      if (total > maxBytes) fileError(rel, `file is too large (over ${maxBytes} bytes)`);
      else files.push({ file: rel, bytes: buf.subarray(0, total) });
    } finally {
      await handle.close();
    }
  }

  async function walk(absDir: string, relDir: string): Promise<void> {
    let entries: Dirent[];
    try {
      changedAt((await stat(absDir)).ctimeMs); // an entry added, removed or renamed
      entries = await readdir(absDir, { withFileTypes: true });
    } catch (err) {
      if (relDir === '') throw new ManifestRootError(`${root}: ${unreadable(err)}`);
      fileError(`${relDir}/`, unreadable(err));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const abs = path.join(absDir, entry.name);
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        visited.add(abs);
        await walk(abs, rel);
      } else if (entry.isFile()) {
        if (MANIFEST_FILE.test(entry.name)) {
          const st = await lstat(abs);
          changedAt(st.ctimeMs);
          await readFileCapped(abs, rel, st.size);
        }
      } else if (entry.isSymbolicLink()) {
        await followLink(abs, rel, entry.name);
      } else if (MANIFEST_FILE.test(entry.name)) {
        fileError(rel, 'is not a regular file');
      }
    }
  }

  async function followLink(abs: string, rel: string, name: string): Promise<void> {
    let target: string;
    try {
      target = await realpath(abs);
    } catch {
      if (MANIFEST_FILE.test(name)) fileError(rel, 'is a broken symlink');
      return;
    }
    if (!inside(target)) {
      fileError(rel, 'is a symlink to outside the manifest directory');
      return;
    }
    const st = await stat(target);
    if (st.isDirectory()) {
      if (visited.has(target)) return; // a loop, or a second path to a directory already read
      visited.add(target);
      await walk(target, rel);
    } else if (st.isFile() && MANIFEST_FILE.test(name)) {
      changedAt(Math.max(st.ctimeMs, (await lstat(abs)).ctimeMs)); // the target, or where the link points
      await readFileCapped(target, rel, st.size);
    } else if (MANIFEST_FILE.test(name)) {
      fileError(rel, 'is not a regular file');
    }
  }

  await walk(realRoot, '');
  return { files, errors, lastChangeMs };
}
