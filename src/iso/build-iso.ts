// buildIso: a whole ISO 9660 image in memory, with a Joliet tree and Rock Ridge entries, from a
// set of small files. Pure and deterministic: the same input (including `date`) gives the same
// bytes, so a seed's digest only changes when its content does.
//
// Layout (sectors of 2048 bytes):
//   0–15   system area, zero (ECMA-119 6.2.1)
//   16     primary volume descriptor (8.4)
//   17     Joliet supplementary volume descriptor (8.5)
//   18     volume descriptor set terminator (8.3)
//   …      path tables: primary L, primary M, Joliet L, Joliet M (6.9, 9.4)
//   …      primary directories in path-table order (6.8), with Rock Ridge System Use entries
//   …      one sector of SUSP continuation area holding the Rock Ridge ER entry
//   …      Joliet directories in path-table order
//   …      file data, each file from a sector boundary; both trees point at the same extents
import { SECTOR, sectorsFor, ucs2 } from './bytes.js';
import { compareIdentifiers, jolietIdentifier, primaryIdentifiers } from './names.js';
import {
  encodePathTable,
  encodeRecord,
  packRecords,
  pathTableSize,
  recordLength,
  type DirectoryRecord,
  type PathTableEntry,
} from './records.js';
import { ce, concat, er, MODE_DIRECTORY, MODE_FILE, nm, px, rr, RR_NM, RR_PX, RR_TF, sp, tf } from './rock-ridge.js';
import { buildTree, filesDepthFirst, IsoInputError, type DirectoryNode, type FileNode, type IsoFile } from './tree.js';
import { jolietVolumeDescriptor, primaryVolumeDescriptor, terminatorDescriptor, type VolumeDescriptorInput } from './volume-descriptors.js';

export interface BuildIsoInput {
  /** Volume label, 1–16 printable ASCII characters (Joliet's SVD holds 16 UCS-2 characters). */
  volumeId: string;
  files: readonly IsoFile[];
  /** Directories to create even when no file lies in them ('/'-separated paths). */
  directories?: readonly string[];
  /** Every timestamp in the image: fixed by the caller so the bytes are reproducible. */
  date: Date;
  /** Written in the descriptors' application identifier field (8.4.22); at most 64 characters. */
  applicationId?: string;
}

type Node = FileNode | DirectoryNode;

interface Entry {
  node: Node;
  identifier: Uint8Array;
}

/** One of the two directory hierarchies (primary or Joliet) over the same nodes. */
interface TreeView {
  /** Path-table order (6.9.1): breadth first, each directory's subdirectories by identifier. */
  directories: DirectoryNode[];
  /** Each directory's entries in 9.3 order, without '.' and '..'. */
  entries: Map<DirectoryNode, Entry[]>;
  /** Each directory's own identifier (the root's is 0x00, 6.8.2.2). */
  identifiers: Map<DirectoryNode, Uint8Array>;
}

const DOT = Uint8Array.of(0x00);
const DOT_DOT = Uint8Array.of(0x01);

export function buildIso(input: BuildIsoInput): Uint8Array {
  checkInput(input);
  const root = buildTree(input.files, input.directories);
  const date = input.date;

  const primary = view(
    root,
    (children) => primaryIdentifiers(children.map((c) => ({ name: c.name, isDirectory: c.kind === 'directory' }))),
    (s) => Buffer.from(s, 'ascii'),
  );
  const joliet = view(root, (children) => children.map((c) => jolietIdentifier(c.name)), ucs2);
  const continuation = er();

  // Record lengths do not depend on extents, so directory sizes are known before allocation.
  const links = (dir: DirectoryNode) => 2 + dir.children.filter((c) => c.kind === 'directory').length;
  const primaryRecords = (dir: DirectoryNode, extent: ExtentOf): DirectoryRecord[] => {
    const parent = dir.parent ?? dir;
    const self: DirectoryRecord = {
      identifier: DOT,
      extent: extent(dir),
      size: extent.size(dir),
      isDirectory: true,
      date,
      // SUSP 5.3: SP opens the System Use field of the root's first record; CE (5.1) leads to ER (5.5).
      systemUse:
        dir === root
          ? concat([sp(), rr(RR_PX | RR_TF), px(MODE_DIRECTORY, links(dir)), tf(date), ce(extent.continuation(), 0, continuation.length)])
          : concat([rr(RR_PX | RR_TF), px(MODE_DIRECTORY, links(dir)), tf(date)]),
    };
    const up: DirectoryRecord = {
      identifier: DOT_DOT,
      extent: extent(parent),
      size: extent.size(parent),
      isDirectory: true,
      date,
      systemUse: concat([rr(RR_PX | RR_TF), px(MODE_DIRECTORY, links(parent)), tf(date)]),
    };
    return [
      self,
      up,
      ...primary.entries.get(dir)!.map(({ node, identifier }) => ({
        identifier,
        extent: extent(node),
        size: extent.size(node),
        isDirectory: node.kind === 'directory',
        date,
        systemUse: concat([
          rr(RR_PX | RR_TF | RR_NM),
          node.kind === 'directory' ? px(MODE_DIRECTORY, links(node)) : px(MODE_FILE, 1),
          tf(date),
          nm(node.name),
        ]),
      })),
    ];
  };
  const jolietRecords = (dir: DirectoryNode, extent: ExtentOf): DirectoryRecord[] => {
    const parent = dir.parent ?? dir;
    const empty = new Uint8Array(0);
    return [
      { identifier: DOT, extent: extent(dir), size: extent.size(dir), isDirectory: true, date, systemUse: empty },
      { identifier: DOT_DOT, extent: extent(parent), size: extent.size(parent), isDirectory: true, date, systemUse: empty },
      ...joliet.entries.get(dir)!.map(({ node, identifier }) => ({
        identifier,
        extent: extent(node),
        size: extent.size(node),
        isDirectory: node.kind === 'directory',
        date,
        systemUse: empty,
      })),
    ];
  };

  const sizing = extentsForSizing();
  const primarySizes = new Map(primary.directories.map((d) => [d, directorySize(primaryRecords(d, sizing))]));
  const jolietSizes = new Map(joliet.directories.map((d) => [d, directorySize(jolietRecords(d, sizing))]));

  // Allocation, in the order of the layout comment above.
  let next = 16;
  const pvdAt = next++;
  const svdAt = next++;
  const terminatorAt = next++;
  const pathTableEntries = (v: TreeView, extentOf: Map<DirectoryNode, number>) => pathEntries(v, extentOf);
  const zeroExtents = new Map(primary.directories.map((d) => [d, 0]));
  const primaryPathSize = pathTableSize(pathTableEntries(primary, zeroExtents));
  const jolietPathSize = pathTableSize(pathTableEntries(joliet, zeroExtents));
  const primaryL = next;
  next += sectorsFor(primaryPathSize);
  const primaryM = next;
  next += sectorsFor(primaryPathSize);
  const jolietL = next;
  next += sectorsFor(jolietPathSize);
  const jolietM = next;
  next += sectorsFor(jolietPathSize);
  const primaryExtents = new Map<DirectoryNode, number>();
  for (const d of primary.directories) {
    primaryExtents.set(d, next);
    next += primarySizes.get(d)! / SECTOR;
  }
  const continuationAt = next++;
  const jolietExtents = new Map<DirectoryNode, number>();
  for (const d of joliet.directories) {
    jolietExtents.set(d, next);
    next += jolietSizes.get(d)! / SECTOR;
  }
  const fileExtents = new Map<FileNode, number>();
  for (const f of filesDepthFirst(root)) {
    // An empty file occupies no sector; it points where the next data would start (as mkisofs does).
    fileExtents.set(f, next);
    next += sectorsFor(f.data.length);
  }
  const volumeSpaceSize = next;

  const extentIn = (dirExtents: Map<DirectoryNode, number>, dirSizes: Map<DirectoryNode, number>): ExtentOf =>
    Object.assign((n: Node) => (n.kind === 'directory' ? dirExtents.get(n)! : fileExtents.get(n)!), {
      size: (n: Node) => (n.kind === 'directory' ? dirSizes.get(n)! : n.data.length),
      continuation: () => continuationAt,
    });
  const primaryExtent = extentIn(primaryExtents, primarySizes);
  const jolietExtent = extentIn(jolietExtents, jolietSizes);

  const image = new Uint8Array(volumeSpaceSize * SECTOR);
  const rootRecord = (extent: ExtentOf) =>
    encodeRecord({ identifier: DOT, extent: extent(root), size: extent.size(root), isDirectory: true, date, systemUse: new Uint8Array(0) });
  const descriptorFields = (pathSize: number, l: number, m: number, extent: ExtentOf): VolumeDescriptorInput => ({
    volumeId: input.volumeId,
    applicationId: input.applicationId ?? 'VIRTKEEPER',
    volumeSpaceSize,
    pathTableSize: pathSize,
    lPathTable: l,
    mPathTable: m,
    rootRecord: rootRecord(extent),
    date,
  });
  image.set(primaryVolumeDescriptor(descriptorFields(primaryPathSize, primaryL, primaryM, primaryExtent)), pvdAt * SECTOR);
  image.set(jolietVolumeDescriptor(descriptorFields(jolietPathSize, jolietL, jolietM, jolietExtent)), svdAt * SECTOR);
  image.set(terminatorDescriptor(), terminatorAt * SECTOR);

  const primaryPath = pathTableEntries(primary, primaryExtents);
  const jolietPath = pathTableEntries(joliet, jolietExtents);
  image.set(encodePathTable(primaryPath, false), primaryL * SECTOR);
  image.set(encodePathTable(primaryPath, true), primaryM * SECTOR);
  image.set(encodePathTable(jolietPath, false), jolietL * SECTOR);
  image.set(encodePathTable(jolietPath, true), jolietM * SECTOR);

  for (const d of primary.directories) writeDirectory(image, primaryExtents.get(d)!, primaryRecords(d, primaryExtent));
  image.set(continuation, continuationAt * SECTOR);
  for (const d of joliet.directories) writeDirectory(image, jolietExtents.get(d)!, jolietRecords(d, jolietExtent));
  for (const [f, extent] of fileExtents) image.set(f.data, extent * SECTOR);
  return image;
}

/** Maps a node to its extent (and size) in one tree; `continuation` is the SUSP CE block. */
interface ExtentOf {
  (node: Node): number;
  size(node: Node): number;
  continuation(): number;
}

/** While sizing directories only record lengths matter: every extent and size reads 0. */
function extentsForSizing(): ExtentOf {
  return Object.assign(() => 0, { size: () => 0, continuation: () => 0 });
}

function directorySize(records: readonly DirectoryRecord[]): number {
  return packRecords(records.map((r) => recordLength(r.identifier.length, r.systemUse.length))).size;
}

function writeDirectory(image: Uint8Array, extent: number, records: readonly DirectoryRecord[]): void {
  const encoded = records.map(encodeRecord);
  const { offsets } = packRecords(encoded.map((r) => r.length));
  encoded.forEach((r, i) => image.set(r, extent * SECTOR + offsets[i]));
}

function view(root: DirectoryNode, identify: (children: Node[]) => string[], encode: (identifier: string) => Uint8Array): TreeView {
  const entries = new Map<DirectoryNode, Entry[]>();
  const identifiers = new Map<DirectoryNode, Uint8Array>([[root, DOT]]);
  const directories: DirectoryNode[] = [root];
  for (let i = 0; i < directories.length; i++) {
    const dir = directories[i];
    const names = identify(dir.children);
    const sorted = dir.children.map((node, k) => ({ node, text: names[k] })).sort((a, b) => compareIdentifiers(a.text, b.text));
    entries.set(
      dir,
      sorted.map(({ node, text }) => ({ node, identifier: encode(text) })),
    );
    for (const { node, text } of sorted) {
      if (node.kind !== 'directory') continue;
      identifiers.set(node, encode(text));
      directories.push(node);
    }
  }
  return { directories, entries, identifiers };
}

function pathEntries(v: TreeView, extentOf: Map<DirectoryNode, number>): PathTableEntry[] {
  const number = new Map(v.directories.map((d, i) => [d, i + 1]));
  return v.directories.map((d) => ({
    identifier: v.identifiers.get(d)!,
    extent: extentOf.get(d) ?? 0,
    parent: number.get(d.parent ?? d)!,
  }));
}

function checkInput(input: BuildIsoInput): void {
  const printable = /^[\x20-\x7e]*$/;
  if (input.volumeId.length < 1 || input.volumeId.length > 16 || !printable.test(input.volumeId)) {
    throw new IsoInputError(
      `iso volumeId "${input.volumeId}": must be 1–16 printable ASCII characters (Joliet's label holds 16); use a short label such as cidata`,
    );
  }
  const app = input.applicationId;
  if (app !== undefined && (app.length > 64 || !printable.test(app))) {
    throw new IsoInputError(`iso applicationId "${app}": must be at most 64 printable ASCII characters`);
  }
  const time = input.date.getTime();
  const year = input.date.getUTCFullYear();
  if (Number.isNaN(time) || year < 1900 || year > 2155) {
    throw new IsoInputError(
      `iso date ${Number.isNaN(time) ? 'is not a valid date' : `year ${year}`}: ISO 9660 records years 1900–2155; pass a fixed date in that range`,
    );
  }
}
