// Figures 1 and 2: one apply of the whole host from empty by each peer, each on its own fresh
// sandbox, then virtkeeper's no-op plan and no-op apply on the host it just built.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallStats } from '../../src/libvirt/call-stats.js';
import { readCallStats } from './calls.js';
import { failure, runProcess, type ProcessResult } from './run-process.js';
import { withFreshHost, type FreshHost } from './sandbox.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '../..');
export const VIRTKEEPER = path.join(REPO, 'bin/virtkeeper.js');
const PYTHON_PEER = path.join(HERE, 'python_peer.py');
/** Debian's python, which has python3-libvirt; a pyenv python3 earlier on PATH would not. */
const PYTHON = '/usr/bin/python3';

export interface CountedRun {
  ms: number;
  stats: CallStats;
  peakRssKiB: number;
  /** The command's last output line ("Plan: 0 to create, …", "Apply complete: …"). */
  summary: string;
}

function check(what: string, r: ProcessResult): void {
  const why = failure(r);
  if (why) throw new Error(`${what}: ${why}`);
}

/** Runs one virtkeeper command against `host` with call counting on. */
export async function virtkeeper(command: 'apply' | 'plan', dir: string, host: FreshHost, timeoutMs?: number): Promise<CountedRun> {
  const statsDir = mkdtempSync(path.join(os.tmpdir(), 'vk-peers-calls-'));
  const statsFile = path.join(statsDir, 'calls.json');
  try {
    const r = await runProcess(process.execPath, [VIRTKEEPER, command, dir, '--connect', host.uri, '--state-dir', host.stateDir], {
      env: { ...process.env, VIRTKEEPER_CALL_STATS: statsFile, NO_COLOR: '1' },
      timeoutMs,
    });
    // plan exits 0 for "no changes" and for "changes": any other code is an error.
    check(`virtkeeper ${command}`, r);
    const summary = r.stdout.trim().split('\n').at(-1) ?? '';
    return { ms: r.ms, stats: readCallStats(statsFile), peakRssKiB: r.peakRssKiB, summary };
  } finally {
    rmSync(statsDir, { recursive: true, force: true });
  }
}

export interface PythonRun {
  /** Whole process, as virtkeeper's runs are timed. */
  ms: number;
  /** The peer's own loop, open to close (what is left is interpreter start-up). */
  loopMs: number;
  calls: number;
  /** Reading the built host back, as a no-op plan must (whole process, and its loop). */
  readMs: number;
  readLoopMs: number;
}

function parsePeerOutput(stdout: string): { loopMs: number; calls: number } {
  const v: unknown = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
  if (
    typeof v !== 'object' ||
    v === null ||
    !('loopMs' in v) ||
    !('calls' in v) ||
    typeof v.loopMs !== 'number' ||
    typeof v.calls !== 'number'
  ) {
    throw new Error(`python peer: unexpected output ${stdout.slice(0, 200)}`);
  }
  return { loopMs: v.loopMs, calls: v.calls };
}

/** The python3-libvirt peer builds the host on a fresh sandbox. */
export async function pythonApply(hostJson: string, timeoutMs?: number): Promise<PythonRun> {
  return withFreshHost(async (host) => {
    const r = await runProcess(PYTHON, [PYTHON_PEER, host.uri, hostJson], { timeoutMs });
    check('python peer', r);
    const read = await runProcess(PYTHON, [PYTHON_PEER, host.uri, hostJson, 'read'], { timeoutMs });
    check('python peer (read)', read);
    return { ms: r.ms, ...parsePeerOutput(r.stdout), readMs: read.ms, readLoopMs: parsePeerOutput(read.stdout).loopMs };
  });
}

export interface VirtkeeperRound {
  apply: CountedRun;
  noopPlan: CountedRun;
  noopApply: CountedRun;
}

/** virtkeeper applies the host on a fresh sandbox, then plans and applies again (both no-ops). */
export async function virtkeeperRound(dir: string, timeoutMs?: number): Promise<VirtkeeperRound> {
  return withFreshHost(async (host) => {
    const apply = await virtkeeper('apply', dir, host, timeoutMs);
    const noopPlan = await virtkeeper('plan', dir, host, timeoutMs);
    const noopApply = await virtkeeper('apply', dir, host, timeoutMs);
    return { apply, noopPlan, noopApply };
  });
}

/** Just the from-empty apply on a fresh sandbox (the scale figure needs no no-op runs). */
export async function virtkeeperApplyOnly(dir: string, timeoutMs?: number): Promise<CountedRun> {
  return withFreshHost((host) => virtkeeper('apply', dir, host, timeoutMs));
}
