// Reading VIRTKEEPER_CALL_STATS files and the daemon's call counters, and telling mutating
// procedures from reads by name (the list), so "0 mutating calls" needs no table of
// procedures that would age as virtkeeper learns new calls.
import { readFileSync } from 'node:fs';
import type { CallStats } from '../../src/libvirt/call-stats.js';

const MUTATING = /DEFINE|CREATE|DESTROY|UNDEFINE|SET_|UPDATE|DELETE|BUILD|RESIZE|UPLOAD|ATTACH|DETACH|SHUTDOWN|REBOOT|SUSPEND|RESUME/;

export function isMutating(procedure: string): boolean {
  return MUTATING.test(procedure);
}

export function readCallStats(file: string): CallStats {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('calls' in parsed) || typeof parsed.calls !== 'object' || parsed.calls === null) {
    throw new Error(`${file}: not a call-stats file`);
  }
  const calls: Record<string, number> = {};
  let total = 0;
  for (const [name, n] of Object.entries(parsed.calls)) {
    if (typeof n !== 'number') continue;
    calls[name] = n;
    total += n;
  }
  return { calls, total };
}

export function mutatingCalls(stats: CallStats): Record<string, number> {
  return Object.fromEntries(Object.entries(stats.calls).filter(([name]) => isMutating(name)));
}

export function sumCalls(calls: Record<string, number>): number {
  return Object.values(calls).reduce((a, b) => a + b, 0);
}

/** The difference of two counter snapshots, dropping procedures that did not move. */
export function diffCalls(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(after)) {
    const d = n - (before[name] ?? 0);
    if (d !== 0) out[name] = d;
  }
  return out;
}

/** "NAME×n, …" sorted by count, for the report's per-procedure lines. */
export function formatCalls(calls: Record<string, number>): string {
  return Object.entries(calls)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([name, n]) => `${name}×${n}`)
    .join(', ');
}
