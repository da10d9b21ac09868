// Counts every libvirt call this process sends, by procedure, when VIRTKEEPER_CALL_STATS names a
// file: the counts are written there as JSON when the process exits. This is how the peer
// benchmark (bench/peers.ts) checks "0 mutating calls" and "calls per object" of a whole CLI run
// without a second code path; unset, counting costs one property lookup per call.
import { writeFileSync } from 'node:fs';

export const CALL_STATS_ENV = 'VIRTKEEPER_CALL_STATS';

export interface CallStats {
  /** Calls sent, by procedure name (DOMAIN_DEFINE_XML_FLAGS, ...). */
  calls: Record<string, number>;
  total: number;
}

const target = process.env[CALL_STATS_ENV]?.trim() || undefined;
const counts = new Map<string, number>();

if (target !== undefined) {
  process.once('exit', () => {
    try {
      writeFileSync(target, JSON.stringify(callStats()) + '\n');
    } catch {
      // A benchmark aid must never change how the command ends.
    }
  });
}

/** Notes one call about to be sent (a no-op unless VIRTKEEPER_CALL_STATS is set). */
export function countCall(procedure: string): void {
  if (target === undefined) return;
  counts.set(procedure, (counts.get(procedure) ?? 0) + 1);
}

/** The counts so far. */
export function callStats(): CallStats {
  const calls = Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
  let total = 0;
  for (const n of counts.values()) total += n;
  return { calls, total };
}
