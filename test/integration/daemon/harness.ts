// Shared pieces of the daemon integration tests: a manifests dir, a controller wired to the
// real engine against the private libvirtd, virsh, polling and /metrics parsing.
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { closeConnection, openConnection } from '../../../src/libvirt/connect.js';
import type { RpcConnection } from '../../../src/libvirt/connection.js';
import { createLogger } from '../../../src/observability/logger.js';
import { Controller, type ControllerOptions } from '../../../src/reconciler/controller.js';
import { createDefaultEngine } from '../../../src/reconciler/daemon-wiring.js';
import { usePrivateLibvirtd, type LibvirtdFixture } from '../../support/libvirtd.js';

const run = promisify(execFile);

export async function virsh(uri: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('virsh', ['-q', '-c', uri, ...args], { timeout: 15_000 });
  return stdout;
}

/** Polls `cond` until it returns true (or a truthy value), failing after `timeoutMs`. */
export async function until<T>(cond: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function domainState(uri: string, name: string): Promise<string> {
  return (await virsh(uri, 'domstate', name)).trim();
}

export async function domainXml(uri: string, name: string, inactive = true): Promise<string> {
  return virsh(uri, 'dumpxml', ...(inactive ? ['--inactive'] : []), name);
}

/** `<memory unit='KiB'>N</memory>` → N. */
export function memoryKiB(xml: string): number {
  const m = /<memory unit='KiB'>(\d+)<\/memory>/.exec(xml);
  if (!m) throw new Error(`no memory element in ${xml.slice(0, 200)}`);
  return Number(m[1]);
}

export function domainYaml(name: string, opts: { memory?: string; state?: string } = {}): string {
  return [
    'apiVersion: virtkeeper.io/v1',
    'kind: Domain',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  type: test',
    `  state: ${opts.state ?? 'running'}`,
    `  memory: ${opts.memory ?? '256MiB'}`,
    '  vcpus: 1',
    '  os: {type: hvm, arch: x86_64}',
    '',
  ].join('\n');
}

export interface TempDirs {
  base: string;
  manifests: string;
  state: string;
  cleanup(): Promise<void>;
}

export async function tempDirs(): Promise<TempDirs> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'virtkeeper-daemon-'));
  const manifests = path.join(base, 'manifests');
  const state = path.join(base, 'state');
  await mkdir(manifests, { recursive: true });
  await mkdir(state, { recursive: true });
  return { base, manifests, state, cleanup: () => rm(base, { recursive: true, force: true }) };
}

export async function writeManifest(dir: string, file: string, text: string): Promise<void> {
  // Write-then-rename, as editors and deploy tools do, so the watcher never sees half a file.
  const tmp = path.join(dir, `.${file}.tmp`);
  await writeFile(tmp, text);
  const { rename } = await import('node:fs/promises');
  await rename(tmp, path.join(dir, file));
}

/**
 * The test driver drops its state when its last connection closes; the keeper holds one open
 * for the length of a test file (the daemon's own connection comes and goes).
 */
export async function keeper(uri: string): Promise<RpcConnection> {
  return openConnection(uri);
}
export async function closeKeeper(conn: RpcConnection | undefined): Promise<void> {
  if (conn) await closeConnection(conn).catch(() => undefined);
}

/** A private libvirtd for this test file, with a keeper connection held open from start to end. */
export interface DaemonTest {
  /** Fresh temp dirs for this test (removed after it). */
  dirs(): Promise<TempDirs>;
  /** Starts a controller (stopped after the test). */
  start(opts: Parameters<typeof startController>[0]): Promise<Controller>;
}

/** Per test: what it starts is stopped, and the dirs it makes are removed, after it. */
export function useDaemonTest(): DaemonTest {
  let dirs: TempDirs | undefined;
  let controller: Controller | undefined;
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
    await dirs?.cleanup();
    dirs = undefined;
  });
  return {
    async dirs() {
      dirs = await tempDirs();
      return dirs;
    },
    async start(opts) {
      controller = await startController(opts);
      return controller;
    },
  };
}

export function useKeptPrivateLibvirtd(): LibvirtdFixture {
  const fx = usePrivateLibvirtd();
  let keep: RpcConnection | undefined;
  beforeAll(async () => {
    keep = await keeper(fx.daemon.testUri);
  });
  afterAll(async () => {
    await closeKeeper(keep);
  });
  return fx;
}

export function debugLogger() {
  return createLogger({ level: process.env.VIRTKEEPER_TEST_LOG ? 'debug' : 'silent', format: 'json' });
}

export async function startController(
  opts: Partial<ControllerOptions> & { dir: string; uri: string; stateDir: string },
): Promise<Controller> {
  const { stateDir, ...rest } = opts;
  return Controller.start({
    engine: createDefaultEngine({ keepaliveIntervalMs: 1000 }),
    logger: debugLogger(),
    listen: { host: '127.0.0.1', port: 0 },
    resyncIntervalMs: 0,
    debounceMs: 100,
    settleMs: 100,
    reconnect: { baseMs: 100, maxMs: 1000 },
    retry: { baseMs: 200, maxMs: 2000, jitter: 0 },
    inventory: { stateDir },
    ...rest,
  });
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition (enough of it for our own metrics). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

export function sample(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

export async function fetchMetrics(url: string): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`);
  return parseMetrics(await res.text());
}
