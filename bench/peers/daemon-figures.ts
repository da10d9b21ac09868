// Figure 3: `virtkeeper run` on an empty host — time to /readyz 200, repairs of domains
// destroyed behind its back, and the calls one no-op full resync (SIGHUP) makes.
import { performance } from 'node:perf_hooks';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { diffCalls, formatCalls, mutatingCalls, sumCalls } from './calls.js';
import { callCounters, httpGet, startDaemon, type DaemonProcess } from './daemon-process.js';
import type { PeersConfig } from './config.js';
import type { HostModel } from './host.js';
import { ms, ratio, type Figure } from './report.js';
import { withFreshHost } from './sandbox.js';

const READY_TARGET = 1.5;
const RESTARTS = 20;
const RESTART_TARGET_MS = 1000;
/** Keep watching a late restart this long, so the worst time is a number, not just "over 1 s". */
const RESTART_WATCH_MS = 5000;
const CALLS_PER_OBJECT_TARGET = 2;
const POLL_MS = 10;

const NAMES = {
  ready: 'daemon: /readyz 200 from empty / apply',
  restarts: 'daemon: destroyed domain running again ≤ 1 s',
  resyncCalls: 'daemon resync: libvirt calls per object',
  resyncMutating: 'daemon resync: mutating calls',
} as const;

const sleep = (t: number): Promise<void> => new Promise((r) => setTimeout(r, t));

/** mulberry32: a seeded choice of domains, so every run destroys the same ones. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickDomains(host: HostModel, n: number): string[] {
  const random = seededRandom(9);
  const names = host.domains.map((d) => d.name);
  const picked: string[] = [];
  const want = Math.min(n, names.length); // before the loop: splice shrinks names
  while (picked.length < want) picked.push(...names.splice(Math.floor(random() * names.length), 1));
  return picked;
}

async function waitReady(daemon: DaemonProcess, capMs: number, cap: number): Promise<{ url: string; ms: number } | { error: string }> {
  const deadline = daemon.startedAt + capMs;
  let url: string | undefined;
  try {
    url = (await daemon.waitForLog((l) => typeof l.url === 'string' && (l.msg ?? '').startsWith('serving'), capMs)).url;
  } catch {
    return { error: `no 'serving /metrics' log line within ${ms(capMs)}` };
  }
  while (performance.now() < deadline) {
    if ((await httpGet(`${url}/readyz`)).status === 200) return { url: url!, ms: performance.now() - daemon.startedAt };
    await sleep(POLL_MS);
  }
  const done = daemon.lines.filter((l) => l.msg === 'reconciled').length;
  // How far it got says whether it was slow or stuck.
  const calls = await callCounters(url!).then(sumCalls, () => NaN);
  return {
    error: `/readyz not 200 within ${ms(capMs)} (${cap}x the apply time, BENCH_PEERS_READY_CAP); by then ${done} objects reconciled, ${calls} libvirt calls`,
  };
}

/** Destroys each domain from a connection of our own and times until the daemon has it running. */
async function restartChecks(uri: string, names: readonly string[]): Promise<number[]> {
  const client = await LibvirtClient.connect(uri);
  const times: number[] = [];
  try {
    for (const name of names) {
      const ref = await client.lookupDomain(name);
      if (!ref) throw new Error(`${name} does not exist`);
      await client.destroyDomain(ref);
      const t0 = performance.now();
      let took = Infinity;
      while (performance.now() - t0 < RESTART_WATCH_MS) {
        if ((await client.domainState(ref)) === 'running') {
          took = performance.now() - t0;
          break;
        }
        await sleep(POLL_MS);
      }
      times.push(took);
    }
  } finally {
    await client.close();
  }
  return times;
}

/** Waits until the daemon's call counters stop moving (its reaction to our destroys is over). */
async function quiet(url: string): Promise<Record<string, number>> {
  let last = await callCounters(url);
  for (let i = 0; i < 30; i++) {
    await sleep(300);
    const now = await callCounters(url);
    if (sumCalls(diffCalls(now, last)) === 0) return now;
    last = now;
  }
  return last;
}

function miss(name: string, target: string, note: string): Figure {
  return { name, value: 'n/a', target, ok: false, note };
}

export async function daemonFigures(
  dir: string,
  host: HostModel,
  objects: number,
  applyMs: number,
  config: PeersConfig,
): Promise<Figure[]> {
  return withFreshHost(async (fresh) => {
    const daemon = startDaemon(dir, fresh);
    try {
      // At least 10 s: a tiny BENCH_PEERS_SCALE apply is mostly start-up, too short to scale by.
      const capMs = Math.max(config.readyCap * applyMs, 10_000);
      const ready = await waitReady(daemon, capMs, config.readyCap);
      const readyTarget = `≤ ${READY_TARGET}x`;
      if ('error' in ready) {
        // Restarts and a resync measured while the first sync still runs would measure that sync.
        const why = 'not measured: the daemon never got ready';
        return [
          miss(NAMES.ready, readyTarget, ready.error),
          miss(NAMES.restarts, `${RESTARTS}/${RESTARTS}`, why),
          miss(NAMES.resyncCalls, `≤ ${CALLS_PER_OBJECT_TARGET}`, why),
          miss(NAMES.resyncMutating, '0', why),
        ];
      }
      const figures: Figure[] = [
        {
          name: NAMES.ready,
          value: ratio(ready.ms / applyMs),
          target: readyTarget,
          ok: ready.ms / applyMs <= READY_TARGET,
          note: `ready after ${ms(ready.ms)} vs apply ${ms(applyMs)}`,
        },
      ];
      console.log(`daemon ready after ${ms(ready.ms)}`);

      const names = pickDomains(host, RESTARTS);
      const times = await restartChecks(fresh.uri, names);
      const passed = times.filter((t) => t <= RESTART_TARGET_MS).length;
      const worst = Math.max(...times);
      figures.push({
        name: NAMES.restarts,
        value: `${passed}/${names.length}`,
        target: `${names.length}/${names.length}`,
        ok: passed === names.length,
        note: `worst ${Number.isFinite(worst) ? ms(worst) : `not running after ${ms(RESTART_WATCH_MS)}`}; times ${times.map((t) => (Number.isFinite(t) ? t.toFixed(0) : '∞')).join(', ')} ms`,
      });

      const before = await quiet(ready.url);
      const t0 = performance.now();
      daemon.signal('SIGHUP');
      await daemon.waitForLog((l) => l.msg === 'full sync done' && l.reason === 'SIGHUP', capMs);
      const resyncMs = performance.now() - t0;
      const calls = diffCalls(await callCounters(ready.url), before);
      const total = sumCalls(calls);
      const mutating = mutatingCalls({ calls, total });
      console.log(`daemon no-op resync: ${ms(resyncMs)}, ${total} calls (${(total / objects).toFixed(2)}/object): ${formatCalls(calls)}`);
      figures.push(
        {
          name: NAMES.resyncCalls,
          value: (total / objects).toFixed(2),
          target: `≤ ${CALLS_PER_OBJECT_TARGET}`,
          ok: total / objects <= CALLS_PER_OBJECT_TARGET,
          note: `${total} calls for ${objects} objects in ${ms(resyncMs)}`,
        },
        {
          name: NAMES.resyncMutating,
          value: String(sumCalls(mutating)),
          target: '0',
          ok: sumCalls(mutating) === 0,
          note: sumCalls(mutating) ? formatCalls(mutating) : undefined,
        },
      );
      return figures;
    } finally {
      await daemon.stop();
    }
  });
}
