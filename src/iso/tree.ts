// The input (a flat list of files whose names may contain '/', and optional empty directories)
// turned into a checked directory tree. Every problem is reported as one line naming the entry,
// what is wrong and how to fix it, before a single byte is laid out.
import { nameProblem } from './names.js';

export class IsoInputError extends Error {
  override name = 'IsoInputError';
}

export interface IsoFile {
  /** Path inside the image, '/'-separated, without a leading slash: "user-data", "scripts/a.sh". */
  name: string;
  data: Uint8Array;
}

export interface FileNode {
  kind: 'file';
  name: string;
  data: Uint8Array;
}

export interface DirectoryNode {
  kind: 'directory';
  /** '' for the root. */
  name: string;
  parent: DirectoryNode | undefined;
  /** Sorted by real name (code unit order), which makes every later choice deterministic. */
  children: (FileNode | DirectoryNode)[];
}

/** ECMA-119 6.8.2.1: a directory hierarchy has at most 8 levels (the root is level 1). */
const MAX_DEPTH = 8;
/** A file's extent length is a 32-bit field (ECMA-119 9.1.4); we do not write multi-extent files. */
const MAX_FILE_BYTES = 0xffff_ffff;

export function buildTree(files: readonly IsoFile[], directories: readonly string[] = []): DirectoryNode {
  const root: DirectoryNode = { kind: 'directory', name: '', parent: undefined, children: [] };
  const byPath = new Map<string, FileNode | DirectoryNode>([['', root]]);

  const directoryAt = (components: readonly string[], wanted: string): DirectoryNode => {
    let dir = root;
    for (let i = 0; i < components.length; i++) {
      const path = components.slice(0, i + 1).join('/');
      const existing = byPath.get(path);
      if (existing?.kind === 'file')
        throw new IsoInputError(`iso entry "${wanted}": "${path}" is a file, not a directory; rename one of them`);
      if (existing) {
        dir = existing;
        continue;
      }
      const created: DirectoryNode = { kind: 'directory', name: components[i], parent: dir, children: [] };
      dir.children.push(created);
      byPath.set(path, created);
      dir = created;
    }
    return dir;
  };

  const split = (path: string): string[] => {
    const components = path.split('/');
    for (const c of components) {
      const problem = nameProblem(c);
      if (problem) throw new IsoInputError(`iso entry "${path}": name "${c}" ${problem}; choose another name`);
    }
    if (components.length > MAX_DEPTH - 1)
      throw new IsoInputError(
        `iso entry "${path}": ${components.length} levels deep; ISO 9660 allows at most ${MAX_DEPTH - 1} below the root`,
      );
    return components;
  };

  for (const path of directories) directoryAt(split(path), path);
  for (const file of files) {
    const components = split(file.name);
    if (byPath.has(file.name)) throw new IsoInputError(`iso entry "${file.name}": given twice (or also as a directory); keep one`);
    if (file.data.length > MAX_FILE_BYTES)
      throw new IsoInputError(`iso entry "${file.name}": ${file.data.length} bytes; at most ${MAX_FILE_BYTES} fit one extent`);
    const parent = directoryAt(components.slice(0, -1), file.name);
    const node: FileNode = { kind: 'file', name: components[components.length - 1], data: file.data };
    parent.children.push(node);
    byPath.set(file.name, node);
  }
  sortTree(root);
  return root;
}

function sortTree(dir: DirectoryNode): void {
  dir.children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of dir.children) if (child.kind === 'directory') sortTree(child);
}

/** Directories in path-table order (ECMA-119 6.9.1: by level, then parent's number, then identifier) is
 * computed per tree; this gives the breadth-first walk both trees start from. */
export function directoriesBreadthFirst(root: DirectoryNode): DirectoryNode[] {
  const out: DirectoryNode[] = [root];
  for (let i = 0; i < out.length; i++) {
    for (const child of out[i].children) if (child.kind === 'directory') out.push(child);
  }
  return out;
}

export function filesDepthFirst(dir: DirectoryNode): FileNode[] {
  return dir.children.flatMap((child) => (child.kind === 'file' ? [child] : filesDepthFirst(child)));
}
