// Figures 1 and 2 from interleaved repetitions (python, virtkeeper, python, virtkeeper, …), so
// a neighbour's burst of load hits both peers alike rather than one whole series.
import { pythonApply, virtkeeperRound, type CountedRun, type PythonRun, type VirtkeeperRound } from './apply.js';
import { formatCalls, mutatingCalls, sumCalls } from './calls.js';
import type { PeersConfig } from './config.js';
import { median, ms, ratio, type Figure } from './report.js';

export interface ApplyMeasurement {
  objects: number;
  python: PythonRun[];
  rounds: VirtkeeperRound[];
}

export const APPLY_RATIO_TARGET = 1.5;
const NOOP_SHARE_TARGET = 0.3;
const CALLS_PER_OBJECT_TARGET = 2;

export async function measureApply(dir: string, hostJson: string, objects: number, config: PeersConfig): Promise<ApplyMeasurement> {
  const python: PythonRun[] = [];
  const rounds: VirtkeeperRound[] = [];
  for (let rep = 1; rep <= config.reps; rep++) {
    python.push(await pythonApply(hostJson, config.timeoutMs));
    const round = await virtkeeperRound(dir, config.timeoutMs);
    rounds.push(round);
    console.log(
      `rep ${rep}: python ${ms(python.at(-1)!.ms)} (its loop ${ms(python.at(-1)!.loopMs)}), virtkeeper apply ${ms(round.apply.ms)}, no-op plan ${ms(round.noopPlan.ms)}, no-op apply ${ms(round.noopApply.ms)}`,
    );
  }
  const last = rounds.at(-1)!;
  console.log(`python peer: ${python.at(-1)!.calls} calls (${(python.at(-1)!.calls / objects).toFixed(2)}/object)`);
  for (const [what, run] of [
    ['apply', last.apply],
    ['no-op plan', last.noopPlan],
    ['no-op apply', last.noopApply],
  ] as const) {
    console.log(
      `virtkeeper ${what}: ${run.stats.total} calls (${(run.stats.total / objects).toFixed(2)}/object): ${formatCalls(run.stats.calls)}`,
    );
    console.log(`  ${run.summary}`);
  }
  return { objects, python, rounds };
}

/** How long python3-libvirt takes only to read the host back: the floor under a no-op plan. */
interface ReadFloor {
  ms: number;
  pythonApplyMs: number;
}

function noopFigures(what: string, runs: readonly CountedRun[], applyMs: number, objects: number, floor: ReadFloor): Figure[] {
  const m = median(runs.map((r) => r.ms));
  const last = runs.at(-1)!;
  const mutating = mutatingCalls(last.stats);
  const perObject = last.stats.total / objects;
  return [
    {
      name: `${what} / first apply`,
      value: ratio(m / applyMs),
      target: `≤ ${NOOP_SHARE_TARGET}x`,
      ok: m / applyMs <= NOOP_SHARE_TARGET,
      note: `${what} ${ms(m)} vs apply ${ms(applyMs)}; python3-libvirt only reading the host back takes ${ms(floor.ms)} = ${ratio(floor.ms / applyMs)} this apply, ${ratio(floor.ms / floor.pythonApplyMs)} its own`,
    },
    {
      name: `${what}: mutating calls`,
      value: String(sumCalls(mutating)),
      target: '0',
      ok: sumCalls(mutating) === 0,
      note: sumCalls(mutating) ? formatCalls(mutating) : undefined,
    },
    {
      name: `${what}: libvirt calls per object`,
      value: perObject.toFixed(2),
      target: `≤ ${CALLS_PER_OBJECT_TARGET}`,
      ok: perObject <= CALLS_PER_OBJECT_TARGET,
      note: `${last.stats.total} calls for ${objects} objects`,
    },
  ];
}

export function applyFigures(m: ApplyMeasurement): Figure[] {
  const py = median(m.python.map((p) => p.ms));
  const vk = median(m.rounds.map((r) => r.apply.ms));
  const applyRatio = vk / py;
  const floor = { ms: median(m.python.map((p) => p.readMs)), pythonApplyMs: py };
  return [
    {
      name: 'apply from empty: virtkeeper / python',
      value: ratio(applyRatio),
      target: `≤ ${APPLY_RATIO_TARGET}x (aim ≤ 1.0x)`,
      ok: applyRatio <= APPLY_RATIO_TARGET,
      note: `virtkeeper ${ms(vk)}, python3-libvirt ${ms(py)} (its loop alone ${ms(median(m.python.map((p) => p.loopMs)))})`,
    },
    ...noopFigures(
      'no-op plan',
      m.rounds.map((r) => r.noopPlan),
      vk,
      m.objects,
      floor,
    ),
    ...noopFigures(
      'no-op apply',
      m.rounds.map((r) => r.noopApply),
      vk,
      m.objects,
      floor,
    ),
  ];
}

/** The virtkeeper apply median, which the daemon figures compare against. */
export function virtkeeperApplyMs(m: ApplyMeasurement): number {
  return median(m.rounds.map((r) => r.apply.ms));
}
