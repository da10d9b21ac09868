// Shared steps of the transport × auth tests: a free loopback port, the CLI run as a separate
// process (as an operator would), and "plan, apply, plan again" of examples/sandbox over a URI.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { LibvirtClient } from '../../src/libvirt/client.js';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../bin/virtkeeper.js');
export const SANDBOX_EXAMPLES = path.resolve(import.meta.dirname, '../../examples/sandbox');

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `virtkeeper ARGS` with extra environment; never throws on a non-zero exit. */
export async function virtkeeper(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

/**
 * Plans examples/sandbox over `uri` (everything to create), applies it, and plans again (no
 * changes). A connection to `keeperUri` (the same daemon's unix socket) holds the test driver's
 * state across the separate CLI runs and drops it afterwards, so the next pair starts fresh.
 */
export async function expectPlanApplyConverge(uri: string, keeperUri: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const keeper = await LibvirtClient.connect(keeperUri);
  try {
    await planApplyConverge(uri, env);
  } finally {
    await keeper.close();
  }
}

async function planApplyConverge(uri: string, env: NodeJS.ProcessEnv): Promise<void> {
  const stateHome = await mkdtemp(path.join(os.tmpdir(), 'vk-matrix-state-'));
  const withState = { XDG_STATE_HOME: stateHome, ...env };
  const first = await virtkeeper(['plan', SANDBOX_EXAMPLES, '--connect', uri, '--no-color', '--call-timeout', '60'], withState);
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).toMatch(/Plan: 6 to create/);
  const applied = await virtkeeper(['apply', SANDBOX_EXAMPLES, '--connect', uri, '--no-color', '--call-timeout', '60'], withState);
  expect(applied.code, applied.stderr + applied.stdout).toBe(0);
  const again = await virtkeeper(['plan', SANDBOX_EXAMPLES, '--connect', uri, '--no-color', '--detailed-exitcode'], withState);
  expect(again.code, again.stderr + again.stdout).toBe(0);
}
