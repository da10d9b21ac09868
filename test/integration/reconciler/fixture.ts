// Builds a test-driver copy of examples/manifests: the examples are written for a KVM host, the
// test driver has no PCI devices to detach, no firmware to pick and no network to download from.
// Deriving the copy in code (instead of keeping a hand-made fork) keeps it in step with the examples.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

export const EXAMPLES_DIR = path.resolve('examples/manifests');

type Doc = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: Record<string, unknown> };

/** Rewrites one example document for the test driver; undefined drops it. */
function forTestDriver(doc: Doc, poolDir: string): Doc | undefined {
  const spec = doc.spec;
  switch (doc.kind) {
    case 'NodeDevice':
      return undefined;
    case 'Domain': {
      spec.type = 'test';
      delete spec.hostdevs;
      delete spec.cpu;
      const os = spec.os as Record<string, unknown> | undefined;
      if (os) {
        delete os.machine;
        delete os.firmware;
      }
      return doc;
    }
    case 'StoragePool':
      spec.path = path.join(poolDir, doc.metadata.name);
      return doc;
    case 'StorageVolume':
      delete spec.source;
      return doc;
    default:
      return doc;
  }
}

/** Writes the converted examples under `dir` (same relative file names); returns the files written. */
export async function writeTestDriverExamples(dir: string, poolDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const sub of await readdir(EXAMPLES_DIR, { recursive: true })) {
    const rel = String(sub);
    if (!/\.ya?ml$/.test(rel)) continue;
    const text = await readFile(path.join(EXAMPLES_DIR, rel), 'utf8');
    const docs = parseAllDocuments(text)
      .map((d) => d.toJS() as Doc)
      .map((d) => forTestDriver(d, poolDir))
      .filter((d): d is Doc => d !== undefined);
    if (docs.length === 0) continue;
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), docs.map((d) => stringify(d)).join('---\n'));
    written.push(rel);
  }
  return written.sort();
}

/** Edits the documents of one fixture file in place. */
export async function editManifest(file: string, edit: (doc: Doc) => void): Promise<void> {
  const docs = parseAllDocuments(await readFile(file, 'utf8')).map((d) => d.toJS() as Doc);
  for (const d of docs) edit(d);
  await writeFile(file, docs.map((d) => stringify(d)).join('---\n'));
}
