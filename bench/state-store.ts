// What the state store costs an apply: 1,551 changes (the size of the peer benchmark: 50
// networks, 1 pool, 500 volumes, 1,000 domains) run four at a time, each waiting for its intent
// to commit, "calling libvirt" (one event-loop turn) and recording its object — against the same
// loop with no store at all. Two shapes: "wave" (the executor writes the intents of all changes
// that become ready in one tick together, as for independent objects) and "chain" (every change
// becomes ready on its own, as domains waiting for their volumes: one commit per change, the
// worst case). Target: the store adds at most 70 ms, a tenth of
// the ~0.7 s a sequential python3-libvirt loop needs for the whole host (LIBVIRT-FACTS.md), so
// apply can stay within 1.5x of it. `npm run bench:state`; exits 1 on a miss.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { hostIdentity } from '../src/reconciler/inventory.js';
import { StateStore, type HostState } from '../src/state/index.js';

const CHANGES = 1551;
const CONCURRENCY = 4;
const TARGET_MS = 70;
/** The chain shape commits once per change; on this machine's ext4 that is ~60 µs each. */
const CHAIN_TARGET_MS = 150;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const entryOf = (i: number) => ({ kind: 'StorageVolume' as const, name: `v${i}`, origin: 'created' as const, pruneDisabled: false });

async function runAll(state: HostState | undefined, shape: 'wave' | 'chain'): Promise<number> {
  const started = performance.now();
  const intents =
    shape === 'wave' && state
      ? Array.from({ length: CHANGES }, (_, i) => state.intend(`StorageVolume/pool/v${i}`, { ...entryOf(i), action: 'create' }))
      : [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < CHANGES) {
      const i = next++;
      const key = `StorageVolume/pool/v${i}`;
      if (state) await (shape === 'wave' ? intents[i] : state.intend(key, { ...entryOf(i), action: 'create' }));
      await turn();
      state?.record(key, entryOf(i));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await state?.flush();
  return performance.now() - started;
}

async function measure(shape: 'wave' | 'chain'): Promise<{ store: number; baseline: number }> {
  const host = hostIdentity('bench', 'test:///default');
  let store = Infinity;
  let baseline = Infinity;
  for (let round = 0; round < 5; round++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-bench-state-'));
    const opened = StateStore.open(dir);
    try {
      baseline = Math.min(baseline, await runAll(undefined, shape));
      store = Math.min(store, await runAll(opened.host(host, `bench-${round}`), shape));
    } finally {
      opened.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { store, baseline };
}

async function main(): Promise<void> {
  let failed = false;
  for (const [shape, target] of [
    ['wave', TARGET_MS],
    ['chain', CHAIN_TARGET_MS],
  ] as const) {
    const { store, baseline } = await measure(shape);
    const overhead = store - baseline;
    const ok = overhead <= target;
    failed ||= !ok;
    console.log(
      `state store, ${shape}: ${CHANGES} changes x (intent + record), concurrency ${CONCURRENCY}: ${store.toFixed(1)} ms (without store ${baseline.toFixed(1)} ms); ` +
        `overhead ${overhead.toFixed(1)} ms = ${(overhead / target).toFixed(2)}x of the ${target} ms target, ${((overhead / 700) * 100).toFixed(1)}% of a 0.7 s python3-libvirt loop: ${ok ? 'ok' : 'MISS'}`,
    );
  }
  if (failed) process.exitCode = 1;
}

await main();
