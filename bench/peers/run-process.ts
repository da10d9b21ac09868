// Runs one measured command as a whole process: wall clock from spawn to exit (so start-up,
// module loading and connection set-up count, as they do for a user), its peak RSS, and a
// timeout so a stuck run cannot hang the benchmark.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface ProcessResult {
  ms: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Highest VmHWM seen while polling /proc (KiB); 0 if the process ended before the first poll. */
  peakRssKiB: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  cwd?: string;
}

export const DEFAULT_TIMEOUT_MS = 600_000;
/** VmHWM is the kernel's own high-water mark, so a 50 ms poll only misses a peak in the last 50 ms. */
const RSS_POLL_MS = 50;

function readHwmKiB(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // gone already
  }
}

export function runProcess(program: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Besides process.execPath (the runtime itself, for virtkeeper):
    // spawns: python3
    const child = spawn(program, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const poll = setInterval(() => {
      if (child.pid !== undefined) peak = Math.max(peak, readHwmKiB(child.pid));
    }, RSS_POLL_MS);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.once('error', (err) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      const ms = performance.now() - started;
      clearInterval(poll);
      clearTimeout(timer);
      // Output may still be draining after 'exit'; 'close' waits for the pipes.
      child.once('close', () => resolve({ ms, code, signal, timedOut, peakRssKiB: peak, stdout, stderr }));
    });
  });
}

/** A one-line reason for a failed run, for the report. */
export function failure(r: ProcessResult): string | undefined {
  if (r.timedOut) return `timed out after ${(r.ms / 1000).toFixed(0)} s`;
  if (r.code === 0) return undefined;
  const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ');
  return `exit ${r.code ?? r.signal}: ${tail}`;
}
