// Builds the tiny Linux guest the QEMU integration tests boot: Debian's cloud kernel (vmlinuz and
// the few modules it needs, unpacked from the .deb with dpkg-deb, no install hooks run) and a
// busybox initramfs whose /init is GUEST_INIT. Direct kernel boot under TCG, no disk image.
//
// Built once and cached under CACHE/test-guest/<kernel release>-<recipe hash>/, so a test run
// pays for it once and later runs (also offline) reuse it; a change to the init script or the
// module list changes the hash and builds afresh.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { GUEST_INIT, GUEST_MODULES } from './init-script.js';

const run = promisify(execFile);

export interface TestGuest {
  /** Absolute path of the kernel image (for spec.os.kernel). */
  kernel: string;
  /** Absolute path of the initramfs (for spec.os.initrd). */
  initrd: string;
  /** The kernel's release, e.g. 6.1.0-57-cloud-amd64. */
  release: string;
}

export interface BuildTestGuestOptions {
  /** Default: $VIRTKEEPER_CACHE_DIR, else $XDG_CACHE_HOME/virtkeeper, else ~/.cache/virtkeeper. */
  cacheDir?: string;
}

/** Debian's kernel flavour: small, and has everything a virtio guest needs as modules. */
const KERNEL_META_PACKAGE = 'linux-image-cloud-amd64';

export function virtkeeperCacheDir(): string {
  if (process.env.VIRTKEEPER_CACHE_DIR) return process.env.VIRTKEEPER_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'virtkeeper');
}

const RECIPE_HASH = createHash('sha256').update(GUEST_INIT).update(GUEST_MODULES.join(',')).digest('hex').slice(0, 12);

/**
 * Kernel command line for the guest; `ignoreAcpi` makes a guest that never reacts to the power
 * button, `ignoreHotplug` one that never releases a hot-unplugged PCI device (its ACPI PCI
 * hotplug driver is off, so QEMU's unplug request goes unanswered).
 */
export function guestCmdline(options: { ignoreAcpi?: boolean; ignoreHotplug?: boolean } = {}): string {
  return [
    'console=ttyS0',
    'quiet',
    'loglevel=3',
    'panic=-1',
    ...(options.ignoreAcpi ? ['vk.acpi=ignore'] : []),
    ...(options.ignoreHotplug ? ['acpiphp.disable=1'] : []),
  ].join(' ');
}

let inProcess: Promise<TestGuest> | undefined;

/** The cached guest, building it on first use. */
export function buildTestGuest(options: BuildTestGuestOptions = {}): Promise<TestGuest> {
  inProcess ??= build(path.join(options.cacheDir ?? virtkeeperCacheDir(), 'test-guest'));
  return inProcess;
}

function cached(root: string): TestGuest | undefined {
  if (!existsSync(root)) return undefined;
  const hit = readdirSync(root)
    .filter((d) => d.endsWith(`-${RECIPE_HASH}`))
    .sort()
    .at(-1);
  if (!hit) return undefined;
  const dir = path.join(root, hit);
  const kernel = path.join(dir, 'vmlinuz');
  const initrd = path.join(dir, 'initrd.img');
  if (!existsSync(kernel) || !existsSync(initrd)) return undefined;
  return { kernel, initrd, release: hit.slice(0, -(RECIPE_HASH.length + 1)) };
}

async function build(root: string): Promise<TestGuest> {
  const hit = cached(root);
  if (hit) return hit;
  await mkdir(root, { recursive: true });
  const work = await mkdtemp(path.join(root, '.build-'));
  try {
    const deb = await kernelDeb(work);
    const unpacked = path.join(work, 'deb');
    await run('dpkg-deb', ['-x', deb, unpacked]);
    const release = readdirSync(path.join(unpacked, 'lib/modules'))[0];
    if (!release) throw new Error(`${deb} holds no kernel modules`);
    const out = path.join(work, 'out');
    await mkdir(out);
    await copyFile(path.join(unpacked, 'boot', `vmlinuz-${release}`), path.join(out, 'vmlinuz'));
    await writeFile(path.join(out, 'initrd.img'), await initramfs(work, path.join(unpacked, 'lib/modules', release)));
    const final = path.join(root, `${release}-${RECIPE_HASH}`);
    await rm(final, { recursive: true, force: true });
    await rename(out, final);
    return { kernel: path.join(final, 'vmlinuz'), initrd: path.join(final, 'initrd.img'), release };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A kernel .deb: one apt already has in its archive cache, else downloaded with apt-get download. */
async function kernelDeb(work: string): Promise<string> {
  const archives = '/var/cache/apt/archives';
  const local = existsSync(archives)
    ? readdirSync(archives)
        .filter((f) => /^linux-image-[\d.]+-\d+-cloud-amd64_.*_amd64\.deb$/.test(f))
        .sort(compareVersions)
        .at(-1)
    : undefined;
  if (local) return path.join(archives, local);
  const dl = path.join(work, 'dl');
  await mkdir(dl);
  await run('apt-get', ['download', KERNEL_META_PACKAGE], { cwd: dl });
  const meta = (await readdir(dl)).find((f) => f.endsWith('.deb'));
  if (!meta) throw new Error(`apt-get download ${KERNEL_META_PACKAGE} left no .deb`);
  const { stdout } = await run('dpkg-deb', ['-f', path.join(dl, meta), 'Depends']);
  const image = stdout
    .split(',')
    .map((d) => d.trim().split(/\s/)[0])
    .find((d) => d?.startsWith('linux-image-'));
  if (!image) throw new Error(`${meta} depends on no linux-image package: ${stdout.trim()}`);
  await run('apt-get', ['download', image], { cwd: dl });
  const deb = (await readdir(dl)).find((f) => f.startsWith(`${image}_`));
  if (!deb) throw new Error(`apt-get download ${image} left no .deb`);
  return path.join(dl, deb);
}

function compareVersions(a: string, b: string): number {
  const num = (s: string) => (s.match(/\d+/g) ?? []).map(Number);
  const [x, y] = [num(a), num(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** The modules a name needs, dependencies first, read from each .ko's `depends=` modinfo entry. */
export function moduleLoadOrder(wanted: readonly string[], index: ReadonlyMap<string, string>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const file = index.get(name);
    if (!file) return; // built into the kernel
    const info = readFileSync(file).toString('latin1');
    const deps = /(?:^|\0)depends=([^\0]*)/.exec(info)?.[1] ?? '';
    for (const dep of deps.split(',').filter(Boolean)) visit(dep.replace(/-/g, '_'));
    order.push(name);
  };
  for (const name of wanted) visit(name);
  return order;
}

function indexModules(dir: string): Map<string, string> {
  const index = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ko')) index.set(entry.name.slice(0, -3).replace(/-/g, '_'), p);
    }
  };
  walk(dir);
  return index;
}

async function initramfs(work: string, moduleDir: string): Promise<Buffer> {
  const root = path.join(work, 'initramfs');
  for (const d of ['bin', 'dev', 'proc', 'sys', 'modules']) await mkdir(path.join(root, d), { recursive: true });
  await copyFile('/usr/bin/busybox', path.join(root, 'bin/busybox'));
  await symlink('busybox', path.join(root, 'bin/sh'));
  await writeFile(path.join(root, 'init'), GUEST_INIT, { mode: 0o755 });
  const index = indexModules(moduleDir);
  const order = moduleLoadOrder(GUEST_MODULES, index);
  for (const name of order) await copyFile(index.get(name)!, path.join(root, 'modules', `${name}.ko`));
  await writeFile(path.join(root, 'modules.load'), order.join('\n') + '\n');
  const files = await listTree(root);
  const { stdout } = await runWithInput('cpio', ['-o', '-H', 'newc', '--quiet'], files.join('\n') + '\n', root);
  return gzipSync(stdout);
}

async function listTree(root: string, rel = '.'): Promise<string[]> {
  const out = [rel];
  for (const entry of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const p = rel === '.' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listTree(root, p)));
    else out.push(p);
  }
  return out;
}

function runWithInput(cmd: string, args: string[], input: string, cwd: string): Promise<{ stdout: Buffer }> {
  return new Promise((resolve, reject) => {
    // spawns: cpio
    const child = execFile(cmd, args, { cwd, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(err);
      else resolve({ stdout });
    });
    child.stdin?.end(input);
  });
}
