// `virtkeeper validate`: once on the generated host (the manifests must be valid, or every
// other figure measures an error path) and the start-up figure on examples/sandbox.
import path from 'node:path';
import { REPO, VIRTKEEPER } from './apply.js';
import { median, ms, type Figure } from './report.js';
import { failure, runProcess } from './run-process.js';

export async function validateOnce(dir: string): Promise<void> {
  const r = await runProcess(process.execPath, [VIRTKEEPER, 'validate', dir]);
  const why = failure(r);
  if (why) throw new Error(`generated manifests do not validate: ${why}`);
  console.log(`${r.stdout.trim()} (${ms(r.ms)})`);
}

const STARTUP_RUNS = 5;
const STARTUP_TARGET_MS = 300;

/** Figure 5: validate of the 3-file sandbox example, median of five, as a user would run it. */
export async function startupFigure(): Promise<Figure> {
  const dir = path.join(REPO, 'examples/sandbox');
  const times: number[] = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    const r = await runProcess(process.execPath, [VIRTKEEPER, 'validate', dir]);
    const why = failure(r);
    if (why)
      return { name: 'start-up: validate examples/sandbox', value: 'error', target: `≤ ${STARTUP_TARGET_MS} ms`, ok: false, note: why };
    times.push(r.ms);
  }
  const m = median(times);
  return {
    name: 'start-up: validate examples/sandbox (3 files)',
    value: ms(m),
    target: `≤ ${STARTUP_TARGET_MS} ms`,
    ok: m <= STARTUP_TARGET_MS,
    note: `median of ${STARTUP_RUNS}: ${times.map((t) => t.toFixed(0)).join(', ')} ms`,
  };
}
