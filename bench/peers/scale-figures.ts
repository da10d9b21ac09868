// Figure 4: apply of ~10,000 objects against ~1,000 (the reference shape scaled, times
// BENCH_PEERS_SCALE), one fresh sandbox each: near-linear time and bounded memory. One run of
// each: the large apply is the slowest thing in the bench and its ratio is not a close call.
import path from 'node:path';
import { virtkeeperApplyOnly } from './apply.js';
import type { PeersConfig } from './config.js';
import { BASE_OBJECTS, buildHost, objectCount } from './host.js';
import { writeManifests } from './manifests.js';
import { ms, ratio, type Figure } from './report.js';

const SMALL = 1000;
const LARGE = 10_000;
const TIME_RATIO_TARGET = 12;
const RSS_TARGET_MB = 300;

export async function scaleFigures(work: string, config: PeersConfig): Promise<Figure[]> {
  const sizes = [SMALL, LARGE].map((n) => {
    const host = buildHost((n / BASE_OBJECTS) * config.scale);
    const dir = path.join(work, `scale-${n}`);
    writeManifests(host, dir);
    return { dir, objects: objectCount(host) };
  });
  const [small, large] = sizes as [(typeof sizes)[0], (typeof sizes)[0]];
  const smallRun = await virtkeeperApplyOnly(small.dir, config.timeoutMs);
  console.log(`scale: ${small.objects} objects applied in ${ms(smallRun.ms)}, peak RSS ${(smallRun.peakRssKiB / 1024).toFixed(0)} MB`);
  const largeRun = await virtkeeperApplyOnly(large.dir, config.timeoutMs);
  console.log(`scale: ${large.objects} objects applied in ${ms(largeRun.ms)}, peak RSS ${(largeRun.peakRssKiB / 1024).toFixed(0)} MB`);
  const timeRatio = largeRun.ms / smallRun.ms;
  const rssMb = largeRun.peakRssKiB / 1024;
  return [
    {
      name: `scale: apply ${large.objects} / ${small.objects} objects`,
      value: ratio(timeRatio),
      target: `≤ ${TIME_RATIO_TARGET}x (linear ${(large.objects / small.objects).toFixed(0)}x)`,
      ok: timeRatio <= TIME_RATIO_TARGET,
      note: `${ms(largeRun.ms)} vs ${ms(smallRun.ms)}`,
    },
    {
      name: `scale: peak RSS of the ${large.objects}-object apply`,
      value: `${rssMb.toFixed(0)} MB`,
      target: `≤ ${RSS_TARGET_MB} MB`,
      ok: rssMb > 0 && rssMb <= RSS_TARGET_MB,
      note: `VmHWM polled every 50 ms; ${large.objects}-object apply: ${largeRun.stats.total} calls`,
    },
  ];
}
