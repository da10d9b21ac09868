import { describe, expect, it } from 'vitest';
import { planExitCode } from '../../../src/cli/commands/plan.js';
import type { Plan } from '../../../src/reconciler/planner.js';
import type { ResourceChange } from '../../../src/resources/types.js';

function plan(changes: Partial<ResourceChange>[], errors: Plan['errors'] = []): Plan {
  const full = changes.map(
    (c, i) =>
      ({
        key: `Network/n${i}`,
        kind: 'Network',
        name: `n${i}`,
        action: 'no-op',
        steps: [],
        fields: [],
        reasons: [],
        dependsOn: [],
        ...c,
      }) as unknown as ResourceChange,
  );
  const refused = full.filter((c) => c.refused).length;
  return {
    changes: full,
    waitsFor: new Map(),
    summary: {
      create: 0,
      update: full.filter((c) => c.action === 'update').length,
      replace: 0,
      delete: 0,
      noOp: 0,
      refused,
      restartPending: 0,
    },
    errors,
    retained: [],
    forgotten: [],
  };
}

describe('plan exit codes', () => {
  it('0 without changes, 2 with changes under --detailed-exitcode, else 0', () => {
    expect(planExitCode(plan([{ action: 'no-op' }]), true)).toBe(0);
    expect(planExitCode(plan([{ action: 'update' }]), true)).toBe(2);
    expect(planExitCode(plan([{ action: 'update' }]), false)).toBe(0);
  });

  it('1 when a change is refused, with or without --detailed-exitcode', () => {
    const refused = plan([{ action: 'update' }, { action: 'update', refused: 'shrinking a volume loses data' }]);
    expect(planExitCode(refused, true)).toBe(1);
    expect(planExitCode(refused, false)).toBe(1);
  });

  it('1 when planning failed', () => {
    expect(planExitCode(plan([], [{ message: 'dependency cycle: a → b → a' }]), true)).toBe(1);
  });
});
