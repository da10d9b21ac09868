// `virtkeeper export --connect URI [--kind K] [--name N] [--out DIR]`: live objects as manifests,
// one YAML file per object, written so that applying them plans nothing. A way to adopt an
// existing host: export, commit, apply.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { LibvirtClient } from '../../libvirt/client.js';
import { API_VERSION, MANIFEST_KINDS, type AnyManifest, type ManifestKind } from '../../manifests/types.js';
import { defaultRegistry, KIND_ORDER, kindRank, type KindRegistry } from '../../resources/registry.js';
import type { LiveResource } from '../../resources/types.js';
import { readLiveState } from '../../reconciler/live-state.js';
import { callTimeoutOption, connectOption } from '../connect-option.js';
import { describeFailure, processIo, type CommandIo } from './plan.js';

export interface ExportCommandOptions {
  connect: string;
  /** --call-timeout in ms. */
  callTimeout?: number;
  kind?: ManifestKind;
  name?: string;
  /** Directory to write one file per object; omitted: all documents on stdout. */
  out?: string;
  registry?: KindRegistry;
}

export interface ExportedManifest {
  /** File name relative to --out, e.g. "storage-volume-images-web-1-root.yaml". */
  file: string;
  manifest: AnyManifest;
  text: string;
}

const FILE_PREFIX: Record<ManifestKind, string> = {
  Domain: 'domain',
  Network: 'network',
  StoragePool: 'storage-pool',
  StorageVolume: 'storage-volume',
  Interface: 'interface',
  NodeDevice: 'node-device',
};

/** Pure: live objects → manifests in a stable order; transient objects are left out (no config to keep). */
export function toManifests(live: Iterable<LiveResource>, filter: { name?: string } = {}): ExportedManifest[] {
  const selected = [...live]
    .filter((o) => o.persistent && (filter.name === undefined || o.name === filter.name))
    .sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return selected.map((object) => {
    const manifest = { apiVersion: API_VERSION, kind: object.kind, metadata: { name: object.name }, spec: withoutUndefined(object.spec) } as AnyManifest;
    const pool = object.kind === 'StorageVolume' ? `${(object.spec as { pool: string }).pool}-` : '';
    const file = `${FILE_PREFIX[object.kind]}-${safeFileName(pool + object.name)}.yaml`;
    return { file, manifest, text: stringify(manifest, { lineWidth: 0 }) };
  });
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._+-]/g, '_');
}

function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutUndefined(v)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
    return out as T;
  }
  return value;
}

export async function runExport(options: ExportCommandOptions, io: CommandIo): Promise<number> {
  let client: LibvirtClient | undefined;
  try {
    client = await LibvirtClient.connect(options.connect, {
      readOnly: true,
      ...(options.callTimeout !== undefined ? { callTimeoutMs: options.callTimeout } : {}),
    });
    const kinds = options.kind ? [options.kind] : KIND_ORDER;
    const live = await readLiveState(client, options.registry ?? defaultRegistry, kinds);
    const exported = toManifests(live.values(), options.name !== undefined ? { name: options.name } : {});
    if (options.out === undefined) {
      io.stdout(exported.map((e) => e.text).join('---\n'));
    } else {
      await mkdir(options.out, { recursive: true });
      for (const e of exported) await writeAtomically(path.join(options.out, e.file), e.text);
      io.stderr(`wrote ${exported.length} manifest${exported.length === 1 ? '' : 's'} to ${options.out}\n`);
    }
    if (exported.length === 0) io.stderr('no matching live objects\n');
    return 0;
  } catch (err) {
    io.stderr(`export failed: ${describeFailure(err)}\n`);
    return 1;
  } finally {
    await client?.close().catch(() => undefined);
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, file);
}

function parseKind(value: string): ManifestKind {
  const kind = MANIFEST_KINDS.find((k) => k.toLowerCase() === value.toLowerCase());
  if (!kind) throw new Error(`--kind wants one of ${MANIFEST_KINDS.join(', ')}, got ${JSON.stringify(value)}`);
  return kind;
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('write live objects as manifests (one YAML file per object) that apply back with 0 changes')
    .addOption(connectOption())
    .addOption(callTimeoutOption())
    .option('--kind <kind>', `only this kind (${MANIFEST_KINDS.join(', ')})`, parseKind)
    .option('--name <name>', 'only objects with this name')
    .option('--out <dir>', 'directory to write files into (default: all documents on stdout)')
    .action(async (opts: ExportCommandOptions) => {
      process.exitCode = await runExport(opts, processIo());
    });
}
