// The daemon under measurement: `virtkeeper run` as its own process, with its JSON log read
// line by line (the listen address and "full sync done" come from there) and its HTTP port
// polled for /readyz and /metrics.
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { VIRTKEEPER } from './apply.js';
import type { FreshHost } from './sandbox.js';

export interface LogLine {
  msg?: string;
  reason?: string;
  url?: string;
  level?: number;
}

export interface DaemonProcess {
  /** performance.now() at spawn. */
  readonly startedAt: number;
  /** Resolves with the first log line `match` accepts (or rejects after `timeoutMs`). */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine>;
  /** Every log line so far, for a miss's explanation. */
  readonly lines: readonly LogLine[];
  signal(sig: NodeJS.Signals): void;
  stop(): Promise<void>;
}

function parseLine(text: string): LogLine | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as LogLine) : undefined;
  } catch {
    return undefined; // not JSON (a stray warning): not ours to interpret
  }
}

export function startDaemon(dir: string, host: FreshHost): DaemonProcess {
  const startedAt = performance.now();
  const args = [
    VIRTKEEPER,
    'run',
    dir,
    '--connect',
    host.uri,
    '--state-dir',
    host.stateDir,
    '--listen',
    '127.0.0.1:0',
    '--log-format',
    'json',
  ];
  // The periodic resync stays off: the bench triggers the one resync it measures with SIGHUP,
  // and a timer firing during the restart checks would slow them for reasons of its own.
  args.push('--resync-interval', '0');
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const lines: LogLine[] = [];
  const waiters = new Set<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.stderr?.resume();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = parseLine(text);
    if (!line) return;
    lines.push(line);
    for (const w of waiters) {
      if (w.match(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  });
  return {
    startedAt,
    lines,
    waitForLog(match, timeoutMs) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { match, resolve: (l: LogLine) => (clearTimeout(timer), resolve(l)) };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`no log line matched within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    signal(sig) {
      if (!exited) child.kill(sig);
    },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    },
  };
}

/** GET `url`: status and body; status 0 when nothing answers yet. */
export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

const CALL_COUNT = /^virtkeeper_libvirt_call_duration_seconds_count\{[^}]*procedure="([^"]+)"[^}]*\}\s+(\d+)/;

/** The daemon's libvirt calls so far, by procedure, from the call-latency histogram's _count. */
export async function callCounters(baseUrl: string): Promise<Record<string, number>> {
  const { status, body } = await httpGet(`${baseUrl}/metrics`);
  if (status !== 200) throw new Error(`GET /metrics: ${status || 'no answer'}`);
  const calls: Record<string, number> = {};
  for (const line of body.split('\n')) {
    const m = CALL_COUNT.exec(line);
    if (m) calls[m[1]!] = (calls[m[1]!] ?? 0) + Number(m[2]);
  }
  return calls;
}
