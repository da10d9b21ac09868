// `virtkeeper wait-applied REV [--status-url URL] [--timeout S]`: waits until the daemon's /status
// reports the manifests revision REV applied (every object reconciled after it was loaded), for
// push-to-deploy hooks and scripts that must not say "deployed" before it is true.
// Exit 0 applied with nothing failed; 1 applied with failures, or the daemon rejected REV; 3 not
// applied within the timeout (or the daemon unreachable all that time).
import type { Command } from 'commander';
import { processIo, type CommandIo } from './plan.js';

export const WAIT_TIMED_OUT = 3;
const POLL_MS = 500;

/** The part of /status this command reads. */
export interface AppliedStatus {
  appliedRevision?: string | null;
  source?: { rejectedRevision?: string | null; errors?: { file: string; line: number; message: string }[] };
  objects?: { kind: string; name: string; state: string; lastError?: { message: string } }[];
}

export type WaitVerdict = { done: true; code: 0 | 1; lines: string[] } | { done: false };

/** Pure: what one /status answer says about REV. */
export function judgeStatus(status: AppliedStatus, revision: string): WaitVerdict {
  const same = (r: string | null | undefined) => typeof r === 'string' && (r.startsWith(revision) || revision.startsWith(r));
  if (same(status.source?.rejectedRevision)) {
    const errors = (status.source?.errors ?? []).map((e) => `  ${e.file}:${e.line} ${e.message}`);
    return { done: true, code: 1, lines: [`revision ${revision} was rejected by the daemon: invalid manifests`, ...errors] };
  }
  if (!same(status.appliedRevision)) return { done: false };
  const objects = status.objects ?? [];
  const bad = objects.filter((o) => o.state !== 'synced');
  const synced = objects.length - bad.length;
  const lines = [`revision ${revision} applied: ${synced} of ${objects.length} objects synced`];
  for (const o of bad) lines.push(`  ${o.kind}/${o.name}: ${o.state}${o.lastError ? `: ${o.lastError.message}` : ''}`);
  return { done: true, code: bad.some((o) => o.state === 'failed' || o.state === 'stalled' || o.state === 'refused') ? 1 : 0, lines };
}

export async function runWaitApplied(revision: string, opts: { statusUrl: string; timeout: number }, io: CommandIo): Promise<number> {
  const deadline = Date.now() + opts.timeout * 1000;
  let lastProblem = 'no answer yet';
  for (;;) {
    try {
      const res = await fetch(opts.statusUrl, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) lastProblem = `${opts.statusUrl} answered HTTP ${res.status}`;
      else {
        const verdict = judgeStatus((await res.json()) as AppliedStatus, revision);
        if (verdict.done) {
          (verdict.code === 0 ? io.stdout : io.stderr)(`${verdict.lines.join('\n')}\n`);
          return verdict.code;
        }
        lastProblem = 'the daemon has not applied it yet';
      }
    } catch (err) {
      lastProblem = `${opts.statusUrl} unreachable: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`;
    }
    if (Date.now() + POLL_MS > deadline) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  io.stderr(`revision ${revision} not applied within ${opts.timeout}s (${lastProblem})\n`);
  return WAIT_TIMED_OUT;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--timeout wants seconds (a number ≥ 0), got ${JSON.stringify(value)}`);
  return n;
}

export function registerWaitAppliedCommand(program: Command): void {
  program
    .command('wait-applied')
    .description('wait until the daemon reports a manifests revision applied (exit 0 applied, 1 failures or rejected, 3 timed out)')
    .argument('<revision>', 'git commit (full or abbreviated)')
    .option('--status-url <url>', "the daemon's /status", 'http://127.0.0.1:9464/status')
    .option('--timeout <seconds>', 'how long to wait', parseSeconds, 120)
    .action(async (revision: string, opts: { statusUrl: string; timeout: number }) => {
      process.exitCode = await runWaitApplied(revision, opts, processIo());
    });
}
