// One private libvirtd per test file serving the real QEMU driver (TCG), plus the tiny test
// guest (built once and cached, see guest/build.ts) and helpers to write manifests for it.
// The QEMU capability probe is paid by the first daemon on a machine; later ones share its
// cache (private-libvirtd.ts, qemuCapabilitiesCache).
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { stringify } from 'yaml';
import { LibvirtClient } from '../../src/libvirt/client.js';
import type { DomainSpec } from '../../src/resources/domain/schema.js';
import { startPrivateLibvirtd, type PrivateLibvirtd } from '../../src/sandbox/private-libvirtd.js';
import { buildTestGuest, guestCmdline, type TestGuest } from './guest/build.js';

export interface QemuSandbox {
  readonly daemon: PrivateLibvirtd;
  readonly guest: TestGuest;
  /** A read-write connection to the QEMU driver, for checks the tests make themselves. */
  readonly client: LibvirtClient;
  readonly uri: string;
  /** Manifests directory of this file's tests. */
  readonly manifests: string;
  /** Directory for the inventory (--state-dir). */
  readonly stateDir: string;
  /** Where the guest `name` writes its serial console. */
  consoleFile(name: string): string;
  /** virsh against the QEMU driver; returns trimmed stdout. */
  virsh(...args: string[]): string;
  /** Writes documents to manifests/<file>.yaml. */
  write(file: string, ...docs: object[]): Promise<void>;
}

export interface GuestDomainOptions {
  memory?: string;
  currentMemory?: string;
  vcpus?: number;
  maxVcpus?: number;
  ignoreAcpi?: boolean;
  ignoreHotplug?: boolean;
  extra?: Partial<DomainSpec>;
}

/** Why QEMU tests cannot run here, or undefined when they can. */
export function qemuUnavailable(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'needs root for a private qemu:///system';
  try {
    execFileSync('sh', ['-c', 'command -v qemu-system-x86_64 && command -v virtlogd'], { stdio: 'ignore' });
  } catch {
    return 'needs qemu-system-x86 and libvirt-daemon (scripts/setup-host.sh)';
  }
  return undefined;
}

export function useQemuSandbox(): QemuSandbox {
  let state: { daemon: PrivateLibvirtd; guest: TestGuest; client: LibvirtClient; work: string } | undefined;
  const get = () => {
    if (!state) throw new Error('QEMU sandbox not started: use it inside a test');
    return state;
  };
  beforeAll(async () => {
    const [daemon, guest] = await Promise.all([startPrivateLibvirtd(), buildTestGuest()]);
    if (daemon.isolation !== 'namespaces') {
      await daemon.stop();
      throw new Error(`QEMU tests need the private daemon in its own namespaces (isolation is ${daemon.isolation})`);
    }
    const work = await mkdtemp(path.join(os.tmpdir(), 'vk-qemu-'));
    await mkdir(path.join(work, 'manifests'));
    // The first QEMU connection of a machine probes QEMU's capabilities (minutes under load).
    const client = await LibvirtClient.connect(daemon.qemuUri, { readOnly: false });
    state = { daemon, guest, client, work };
  }, 600_000);
  afterAll(async () => {
    if (!state) return;
    await state.client.close().catch(() => undefined);
    await state.daemon.stop();
    await rm(state.work, { recursive: true, force: true });
  }, 60_000);
  return {
    get daemon() {
      return get().daemon;
    },
    get guest() {
      return get().guest;
    },
    get client() {
      return get().client;
    },
    get uri() {
      return get().daemon.qemuUri;
    },
    get manifests() {
      return path.join(get().work, 'manifests');
    },
    get stateDir() {
      return path.join(get().work, 'state');
    },
    consoleFile: (name) => path.join(get().daemon.guestLogDir, `${name}.console.log`),
    virsh: (...args) => execFileSync('virsh', ['-q', '-c', get().daemon.qemuUri, ...args], { encoding: 'utf8', timeout: 120_000 }).trim(),
    async write(file, ...docs) {
      await writeFile(path.join(get().work, 'manifests', `${file}.yaml`), docs.map((d) => stringify(d)).join('---\n'));
    },
  };
}

/** A Domain manifest for the test guest: direct kernel boot under TCG, console to a file. */
export function guestDomain(sandbox: QemuSandbox, name: string, options: GuestDomainOptions = {}): object {
  const spec: Record<string, unknown> = {
    type: 'qemu',
    memory: options.memory ?? '256MiB',
    ...(options.currentMemory ? { currentMemory: options.currentMemory } : {}),
    vcpus: options.vcpus ?? 1,
    ...(options.maxVcpus ? { maxVcpus: options.maxVcpus } : {}),
    os: {
      type: 'hvm',
      arch: 'x86_64',
      machine: 'pc',
      kernel: sandbox.guest.kernel,
      initrd: sandbox.guest.initrd,
      cmdline: guestCmdline({ ignoreAcpi: options.ignoreAcpi, ignoreHotplug: options.ignoreHotplug }),
    },
    features: { acpi: true },
    serials: [{ type: 'file', path: sandbox.consoleFile(name) }],
    ...options.extra,
  };
  return { apiVersion: 'virtkeeper.io/v1', kind: 'Domain', metadata: { name }, spec };
}
