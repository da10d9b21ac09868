// virtkeeper against a sequential python3-libvirt script doing the same work, on equally fresh
// private test-driver hosts (issue 9): apply from empty, no-op plan/apply, the daemon, scale and
// start-up. `npm run bench:peers`; BENCH_PEERS_SCALE=0.1 for a quick run, BENCH_PEERS_REPS
// (default 3), BENCH_PEERS_LARGE=0 skips the 10,000-object apply. Prints every figure, then
// exits 1 if any missed. A benchmark, not a test: nothing here runs in `npm test`.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyFigures, type ApplyMeasurement, measureApply } from './peers/apply-figures.js';
import { readConfig } from './peers/config.js';
import { buildHost, objectCount } from './peers/host.js';
import { writeHostJson, writeManifests } from './peers/manifests.js';
import { printTable, type Figure } from './peers/report.js';
import { validateOnce } from './peers/startup.js';

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

    const measured: ApplyMeasurement = await measureApply(dir, hostJson, objects, config);
    figures.push(...applyFigures(measured));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log('');
  printTable(figures);
  if (figures.some((f) => !f.ok)) process.exitCode = 1;
}

await main();
