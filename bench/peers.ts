// virtkeeper against a sequential python3-libvirt script doing the same work, on equally fresh
// private test-driver hosts (issue 9): apply from empty, no-op plan/apply, the daemon, scale and
// start-up. `npm run bench:peers`; BENCH_PEERS_SCALE=0.1 for a quick run, BENCH_PEERS_REPS
// (default 3), BENCH_PEERS_LARGE=0 skips the 10,000-object apply. Prints every figure, then
// exits 1 if any missed. A benchmark, not a test: nothing here runs in `npm test`.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyFigures, measureApply, virtkeeperApplyMs } from './peers/apply-figures.js';
import { readConfig } from './peers/config.js';
import { daemonFigures } from './peers/daemon-figures.js';
import { buildHost, objectCount } from './peers/host.js';
import { writeHostJson, writeManifests } from './peers/manifests.js';
import { printTable, type Figure } from './peers/report.js';
import { scaleFigures } from './peers/scale-figures.js';
import { startupFigure, validateOnce } from './peers/startup.js';

/** One section's figures, or a single MISS saying why it could not be measured: later sections still run. */
async function section(name: string, fn: () => Promise<Figure[]>): Promise<Figure[]> {
  try {
    return await fn();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    console.log(`${name}: could not measure: ${why}`);
    return [{ name, value: 'error', target: 'measured', ok: false, note: why }];
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const work = mkdtempSync(path.join(os.tmpdir(), 'vk-peers-'));
  const figures: Figure[] = [];
  try {
    const host = buildHost(config.scale);
    const objects = objectCount(host);
    const dir = path.join(work, 'manifests');
    const hostJson = path.join(work, 'host.json');
    writeManifests(host, dir);
    writeHostJson(host, hostJson);
    await validateOnce(dir);
    console.log(`bench:peers: ${objects} objects (scale ${config.scale}), ${config.reps} interleaved repetitions, medians\n`);

    let applyMs = NaN;
    figures.push(
      ...(await section('apply from empty', async () => {
        const measured = await measureApply(dir, hostJson, objects, config);
        applyMs = virtkeeperApplyMs(measured);
        return applyFigures(measured);
      })),
    );
    figures.push(
      ...(await section('daemon', () =>
        Number.isFinite(applyMs) ? daemonFigures(dir, host, objects, applyMs, config) : Promise.reject(new Error('needs the apply time')),
      )),
    );
    if (config.large) figures.push(...(await section('scale', () => scaleFigures(work, config))));
    else console.log('scale: skipped (BENCH_PEERS_LARGE=0)');
    figures.push(...(await section('start-up', async () => [await startupFigure()])));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log('');
  printTable(figures);
  if (figures.some((f) => !f.ok)) process.exitCode = 1;
}

await main();
