// `virtkeeper export --connect URI [--kind K] [--name N] [--out DIR]`: live objects as manifests,
// one YAML file per object, written so that applying them plans nothing. A way to adopt an
// existing host: export, commit, apply.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { LibvirtClient } from '../../libvirt/client.js';
import type { AnyManifest, ManifestKind } from '../../manifests/types.js';
import { losslessManifests } from '../../export/lossless.js';
import { defaultRegistry, definitionsOf, KIND_ORDER, type KindRegistry } from '../../resources/registry.js';
import { definitionOf, KIND_DEFINITIONS, MANIFEST_KINDS, kindRankIn } from '../../resources/definitions.js';
import type { LiveResource } from '../../resources/types.js';
import { readLiveState } from '../../reconciler/live-state.js';
import type { IdentityKey } from '../../manifests/types.js';
import type { HostLock } from '../../state/index.js';
import { callTimeoutOption, connectOption } from '../connect-option.js';
import { lockOption, openHostState, openStore, ownerOf, stateOptions, type LockFlags, type StateLocation } from '../state-options.js';
import { closeQuietly, describeFailure, processIo, type CommandIo } from './plan.js';

export interface ExportCommandOptions extends StateLocation, LockFlags {
  connect: string;
  /** --call-timeout in ms. */
  callTimeout?: number;
  kind?: ManifestKind;
  name?: string;
  /** Directory to write one file per object; omitted: all documents on stdout. */
  out?: string;
  /** Record the exported objects as adopted by the owner of `out` (or --owner). */
  adopt?: boolean;
  /** Also the host's own hardware: its network interfaces and node devices (--include-host). */
  includeHost?: boolean;
  registry?: KindRegistry;
}

export interface ExportedManifest {
  /** The live object's identity key. */
  key: IdentityKey;
  /** File name relative to --out, e.g. "storage-volume-images-web-1-root.yaml". */
  file: string;
  manifest: AnyManifest;
  text: string;
  /** What the manifest could not carry of the live document (export says so on stderr). */
  uncarried: string[];
}

/**
 * The host's own hardware (eth0, lo, every PCI device), as each kind's contract says. Exported
 * only when asked for: a manifest of them, once deleted from the tree, would have `plan --prune`
 * offer to undefine the host's NIC or give back its devices.
 */
export const HOST_KINDS: ReadonlySet<ManifestKind> = new Set(
  KIND_ORDER.filter((k) => definitionOf(KIND_DEFINITIONS, k)?.export.hostHardware),
);

/** The kinds an export reads: --kind alone, else all but the host's hardware unless --include-host. */
export function exportedKinds(options: Pick<ExportCommandOptions, 'kind' | 'includeHost'>): ManifestKind[] {
  if (options.kind) return [options.kind];
  return options.includeHost ? [...KIND_ORDER] : KIND_ORDER.filter((k) => !HOST_KINDS.has(k));
}

/**
 * Pure: live objects → manifests in a stable order. Left out: transient objects (no config to
 * keep) and kinds whose contract says no manifest can be written (secrets: libvirt never gives
 * their value back, so no manifest could say where it is). Each manifest carries in `xml.merge`
 * what its friendly fields do not (src/export/lossless.ts).
 */
export function toManifests(
  live: Iterable<LiveResource>,
  filter: { name?: string } = {},
  registry: KindRegistry = defaultRegistry,
): ExportedManifest[] {
  const definitions = definitionsOf(registry);
  const all = [...live];
  const selected = all
    .flatMap((object) => {
      const how = definitionOf(definitions, object.kind)?.export;
      const wanted =
        object.persistent &&
        how !== undefined &&
        how.notExported === undefined &&
        (filter.name === undefined || object.name === filter.name);
      return wanted ? [{ object, how }] : [];
    })
    .sort(
      (a, b) =>
        kindRankIn(definitions, a.object.kind) - kindRankIn(definitions, b.object.kind) ||
        (a.object.key < b.object.key ? -1 : a.object.key > b.object.key ? 1 : 0),
    );
  const exportable = (o: LiveResource): boolean => definitionOf(definitions, o.kind)?.export?.notExported === undefined;
  return losslessManifests(
    selected.map((s) => s.object),
    registry,
    all.filter(exportable),
  ).map(({ key, manifest, uncarried }, i) => {
    const { object, how } = selected[i]!;
    const file = `${how.filePrefix}-${safeFileName(how.fileStem ? how.fileStem(object) : object.name)}.yaml`;
    return { key, file, manifest, text: stringify(manifest, { lineWidth: 0 }), uncarried };
  });
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._+-]/g, '_');
}

export async function runExport(options: ExportCommandOptions, io: CommandIo): Promise<number> {
  if (options.adopt && options.out === undefined) {
    io.stderr('--adopt needs --out DIR: the objects are recorded for the source written there\n');
    return 1;
  }
  const store = options.adopt ? openStore(options, io) : undefined;
  if (options.adopt && !store) return 1;
  let client: LibvirtClient | undefined;
  let lock: HostLock | undefined;
  try {
    client = await LibvirtClient.connect(options.connect, {
      readOnly: true,
      ...(options.callTimeout !== undefined ? { callTimeoutMs: options.callTimeout } : {}),
    });
    const kinds = exportedKinds(options);
    const live = await readLiveState(client, options.registry ?? defaultRegistry, kinds);
    if (!options.kind && !options.includeHost) {
      io.stderr(
        "left out the host's own interfaces and node devices: --kind Interface, --kind NodeDevice or --include-host exports them\n",
      );
    }
    const exported = toManifests(
      live.values(),
      options.name !== undefined ? { name: options.name } : {},
      options.registry ?? defaultRegistry,
    );
    for (const e of exported) {
      if (e.uncarried.length > 0) io.stderr(`${e.key}: not carried by the manifest: ${e.uncarried.join(', ')}\n`);
    }
    if (options.out === undefined) {
      io.stdout(exported.map((e) => e.text).join('---\n'));
    } else {
      await mkdir(options.out, { recursive: true });
      for (const e of exported) await writeAtomically(path.join(options.out, e.file), e.text);
      io.stderr(`wrote ${exported.length} manifest${exported.length === 1 ? '' : 's'} to ${options.out}\n`);
    }
    if (exported.length === 0) io.stderr('no matching live objects\n');
    if (store && options.out !== undefined) {
      const owner = await ownerOf(options.out, options);
      const state = await openHostState(store, client, owner, options, io);
      lock = await store.acquireLock({
        hostKey: state.host.key,
        command: 'export',
        owner,
        timeoutMs: (options.lockTimeout ?? 0) * 1000,
        onNotice: (line) => io.stderr(`${line}\n`),
      });
      const others = new Map<string, number>();
      let adopted = 0;
      for (const e of exported) {
        const holder = state.allRecords().get(e.key)?.owner;
        if (holder === owner) continue;
        // Another source's object stays its own: exporting it is no claim on it.
        if (holder !== undefined) {
          others.set(holder, (others.get(holder) ?? 0) + 1);
          continue;
        }
        state.record(e.key, { kind: e.manifest.kind, name: e.manifest.metadata.name, origin: 'adopted', pruneDisabled: false });
        adopted++;
      }
      await state.flush();
      io.stderr(`recorded ${adopted} object${adopted === 1 ? '' : 's'} as adopted by ${owner}\n`);
      for (const [holder, n] of others)
        io.stderr(
          `left ${n} object${n === 1 ? '' : 's'} recorded by ${holder} as they are (annotate virtkeeper.io/adopt-from: "${holder}" to move them)\n`,
        );
    }
    return 0;
  } catch (err) {
    io.stderr(`export failed: ${describeFailure(err)}\n`);
    return 1;
  } finally {
    lock?.release();
    closeQuietly(store);
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
  const command = program
    .command('export')
    .description('write live objects as manifests (one YAML file per object) that apply back with 0 changes')
    .addOption(connectOption())
    .addOption(callTimeoutOption())
    .option('--kind <kind>', `only this kind (${MANIFEST_KINDS.join(', ')})`, parseKind)
    .option('--name <name>', 'only objects with this name')
    .option('--out <dir>', 'directory to write files into (default: all documents on stdout)')
    .option(
      '--adopt',
      'record the exported objects in the state store as adopted by the owner of --out (or --owner); objects another owner recorded are left to it',
    )
    .option('--include-host', "also export the host's own network interfaces and node devices (left out by default)");
  lockOption(stateOptions(command)).action(async (opts: ExportCommandOptions) => {
    process.exitCode = await runExport(opts, processIo());
  });
}
