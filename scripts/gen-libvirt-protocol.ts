// Generates src/libvirt/generated/ from libvirt's protocol definitions and public headers, the
// way go-libvirt does: every procedure of remote_protocol.x (and the qemu/lxc programs) with typed
// args and results, XDR codecs per struct/union, constants, error codes and event payloads.
//
//   npm run gen:libvirt                 # source from scripts/fetch-libvirt-source.sh's cache
//   npx tsx scripts/gen-libvirt-protocol.ts --source DIR [--check]
//
// DIR is an unpacked libvirt-9.0.0 tree (only src/remote/*.x, src/rpc/*.x and include/libvirt are
// read). --check compares instead of writing and exits 1 on any difference.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseXdr, type Definition } from './libvirt-protocol/xdr-parse.js';
import { readHeaderConstants } from './libvirt-protocol/c-headers.js';
import { emitConstants, emitErrorTables, emitProcedures, emitTypes, procedures, type SourcePin } from './libvirt-protocol/emit.js';

export const LIBVIRT_PIN: SourcePin = {
  version: '9.0.0',
  origin:
    'Debian 12 source package libvirt 9.0.0-4+deb12u2, libvirt_9.0.0.orig.tar.xz (sha256 deca5cff1b7baac297bca9663907c61f71a47183371dc7ac019c107806d5435a)',
};

/** Headers in the order their enums refer to each other. */
const HEADERS = [
  'libvirt-common.h.in',
  'libvirt-host.h',
  'libvirt-domain.h',
  'libvirt-domain-checkpoint.h',
  'libvirt-domain-snapshot.h',
  'libvirt-event.h',
  'libvirt-interface.h',
  'libvirt-network.h',
  'libvirt-nodedev.h',
  'libvirt-nwfilter.h',
  'libvirt-secret.h',
  'libvirt-storage.h',
  'libvirt-stream.h',
  'libvirt-qemu.h',
  'virterror.h',
];

export const GENERATED_DIR = 'src/libvirt/generated';

/** The files the generator reads, relative to the libvirt tree. */
export const SOURCE_FILES = [
  'src/remote/remote_protocol.x',
  'src/remote/qemu_protocol.x',
  'src/remote/lxc_protocol.x',
  'src/rpc/virnetprotocol.x',
  'src/rpc/virkeepaliveprotocol.x',
  ...HEADERS.map((h) => `include/libvirt/${h}`),
];

function read(dir: string, file: string): string {
  return readFileSync(path.join(dir, file), 'utf8');
}

/** Every generated file by path (relative to the repository), from an unpacked libvirt tree. */
export function generate(sourceDir: string): Map<string, string> {
  const headerTexts = HEADERS.map((h) => ({ file: h, text: read(sourceDir, `include/libvirt/${h}`) }));
  const headers = readHeaderConstants(headerTexts);
  const origin = new Map<string, string>();
  for (const { file, text } of headerTexts) {
    for (const m of text.matchAll(/\}\s*([A-Za-z_][A-Za-z0-9_]*)\s*;/g)) if (!origin.has(m[1]!)) origin.set(m[1]!, file);
  }
  const parse = (file: string): Definition[] => parseXdr(read(sourceDir, file), file);
  const remote = parse('src/remote/remote_protocol.x');
  const qemu = parse('src/remote/qemu_protocol.x');
  const lxc = parse('src/remote/lxc_protocol.x');
  const virnet = parse('src/rpc/virnetprotocol.x');
  const keepalive = parse('src/rpc/virkeepaliveprotocol.x');
  const out = new Map<string, string>();
  const file = (name: string, text: string) => out.set(`${GENERATED_DIR}/${name}`, text);

  file('remote-types.ts', emitTypes(remote, headers, LIBVIRT_PIN, 'src/remote/remote_protocol.x'));
  // The RPC layer's own structs (message header, error, stream hole) for the hand-written core.
  file('virnet-types.ts', emitTypes(virnet, headers, LIBVIRT_PIN, 'src/rpc/virnetprotocol.x'));
  file(
    'remote-procedures.ts',
    emitProcedures(
      procedures(remote, 'remote_procedure', 'REMOTE_PROC_', 'remote_'),
      {
        constPrefix: 'REMOTE_PROC_',
        typesModule: './remote-types.js',
        programConst: 'REMOTE_PROGRAM',
        versionConst: 'REMOTE_PROTOCOL_VERSION',
        program: 0x20008086,
        version: 1,
      },
      LIBVIRT_PIN,
      'src/remote/remote_protocol.x',
    ),
  );
  const shared = { defs: remote, module: './remote-types.js' };
  file('qemu-types.ts', emitTypes(qemu, headers, LIBVIRT_PIN, 'src/remote/qemu_protocol.x', shared));
  file(
    'qemu-procedures.ts',
    emitProcedures(
      procedures(qemu, 'qemu_procedure', 'QEMU_PROC_', 'qemu_'),
      {
        constPrefix: 'QEMU_PROC_',
        typesModule: './qemu-types.js',
        programConst: 'QEMU_PROGRAM',
        versionConst: 'QEMU_PROTOCOL_VERSION',
        program: 0x20008087,
        version: 1,
      },
      LIBVIRT_PIN,
      'src/remote/qemu_protocol.x',
    ),
  );
  file('lxc-types.ts', emitTypes(lxc, headers, LIBVIRT_PIN, 'src/remote/lxc_protocol.x', shared));
  file(
    'lxc-procedures.ts',
    emitProcedures(
      procedures(lxc, 'lxc_procedure', 'LXC_PROC_', 'lxc_'),
      {
        constPrefix: 'LXC_PROC_',
        typesModule: './lxc-types.js',
        programConst: 'LXC_PROGRAM',
        versionConst: 'LXC_PROTOCOL_VERSION',
        program: 0x00068000,
        version: 1,
      },
      LIBVIRT_PIN,
      'src/remote/lxc_protocol.x',
    ),
  );
  file(
    'constants.ts',
    emitConstants(
      [
        { file: 'src/rpc/virnetprotocol.x', defs: virnet },
        { file: 'src/rpc/virkeepaliveprotocol.x', defs: keepalive },
        // The program numbers live in the procedure modules.
        {
          file: 'src/remote/remote_protocol.x',
          defs: remote.filter((d) => !(d.kind === 'const' && /_PROGRAM$|_PROTOCOL_VERSION$/.test(d.name))),
        },
      ],
      headers,
      origin,
      LIBVIRT_PIN,
    ),
  );
  file('errors.ts', emitErrorTables(headers, LIBVIRT_PIN));
  return out;
}

/** Where scripts/fetch-libvirt-source.sh unpacks the pinned source. */
export function defaultSourceDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LIBVIRT_SOURCE_DIR) return env.LIBVIRT_SOURCE_DIR;
  const cache = env.XDG_CACHE_HOME ?? path.join(env.HOME ?? '/root', '.cache');
  return path.join(cache, 'virtkeeper', `libvirt-${LIBVIRT_PIN.version}`);
}

export function sourcePresent(dir: string): boolean {
  return SOURCE_FILES.every((f) => existsSync(path.join(dir, f)));
}

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--source');
  const sourceDir = at >= 0 ? argv[at + 1]! : defaultSourceDir();
  if (!sourcePresent(sourceDir)) {
    process.stderr.write(
      `libvirt ${LIBVIRT_PIN.version} source not found in ${sourceDir}: run scripts/fetch-libvirt-source.sh (or pass --source DIR)\n`,
    );
    return 1;
  }
  const files = generate(sourceDir);
  const root = path.resolve(import.meta.dirname, '..');
  if (argv.includes('--check')) {
    let differ = 0;
    for (const [rel, text] of files) {
      const current = existsSync(path.join(root, rel)) ? await readFile(path.join(root, rel), 'utf8') : '';
      if (current !== text) {
        process.stderr.write(`${rel} is out of date: run npm run gen:libvirt\n`);
        differ++;
      }
    }
    return differ ? 1 : 0;
  }
  await mkdir(path.join(root, GENERATED_DIR), { recursive: true });
  for (const [rel, text] of files) await writeFile(path.join(root, rel), text);
  process.stdout.write(`wrote ${files.size} files to ${GENERATED_DIR} from ${sourceDir}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  process.exitCode = await main(process.argv.slice(2));
}
