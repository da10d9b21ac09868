// bench:peers settings from the environment, read once.
export interface PeersConfig {
  reps: number;
  scale: number;
  large: boolean;
  timeoutMs: number;
  /** Give up waiting for the daemon's /readyz at this multiple of the apply time. */
  readyCap: number;
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
  return n;
}

export function readConfig(): PeersConfig {
  return {
    // Medians of fewer than three runs would just be one noisy run.
    reps: Math.max(3, Math.round(positive('BENCH_PEERS_REPS', 3))),
    scale: positive('BENCH_PEERS_SCALE', 1),
    large: process.env.BENCH_PEERS_LARGE?.trim() !== '0',
    timeoutMs: positive('BENCH_PEERS_TIMEOUT_S', 600) * 1000,
    // Raise it to see the restart and resync figures of a daemon that is slow to get ready.
    readyCap: positive('BENCH_PEERS_READY_CAP', 10),
  };
}
