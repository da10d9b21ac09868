// What apply prints as it runs: a live line on a terminal, a line per finished change otherwise.
import { describe, expect, it } from 'vitest';
import { applyProgress } from '../../../src/cli/apply-progress.js';
import type { ChangeResult, ExecutorEvent } from '../../../src/reconciler/executor.js';
import type { ResourceChange } from '../../../src/resources/types.js';

const change = (name: string, action: ResourceChange['action'] = 'create'): ResourceChange =>
  ({
    key: `Domain/${name}`,
    kind: 'Domain',
    name,
    action,
    changes: [],
    restartRequired: false,
    reason: '',
    steps: [],
    dependsOn: [],
  }) as ResourceChange;
const result = (name: string, outcome: ChangeResult['outcome'], durationMs: number, message?: string): ChangeResult => ({
  key: `Domain/${name}`,
  kind: 'Domain',
  name,
  action: 'create',
  outcome,
  stepsDone: 1,
  durationMs,
  ...(message ? { error: { message } } : {}),
});

function run(live: boolean, events: Array<ExecutorEvent | number>): string {
  let out = '';
  let clock = 0;
  const progress = applyProgress((t) => void (out += t), { live, total: 2, now: () => clock });
  for (const e of events) {
    if (typeof e === 'number') clock += e;
    else progress.event(e);
  }
  progress.finish();
  return out;
}

const events: Array<ExecutorEvent | number> = [
  { type: 'start', change: change('a') },
  { type: 'start', change: change('same', 'no-op') },
  250,
  { type: 'done', result: result('a', 'succeeded', 250) },
  { type: 'done', result: result('same', 'unchanged', 1) },
  { type: 'start', change: change('b') },
  { type: 'progress', change: change('b'), step: 'shutdown', message: 'waiting for the guest to shut down' },
  1000,
  { type: 'done', result: result('b', 'failed', 1250, 'boom') },
];

describe('applyProgress', () => {
  it('prints one line per finished change with its duration when not on a terminal', () => {
    expect(run(false, events)).toBe(
      'Domain/a: create done (0.25 s)\nDomain/b: waiting for the guest to shut down\nDomain/b: create FAILED: boom (1.25 s)\n',
    );
  });

  it('rewrites one line on a terminal and prints only waits and failures above it', () => {
    const out = run(true, events);
    const CLEAR = '\r\x1b[2K';
    expect(out.startsWith(`${CLEAR}[0/2] 0.0 s  Domain/a create`)).toBe(true);
    expect(out).toContain(`${CLEAR}[1/2] 0.3 s  Domain/a create`);
    expect(out).toContain(`${CLEAR}Domain/b: waiting for the guest to shut down\n`);
    expect(out).toContain(`${CLEAR}Domain/b: create FAILED: boom (1.25 s)\n${CLEAR}[2/2] 1.3 s  Domain/b create`);
    expect(out).not.toContain('Domain/a: create done');
    expect(out.endsWith(CLEAR)).toBe(true);
  });
});
