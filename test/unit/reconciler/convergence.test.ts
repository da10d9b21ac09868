import { describe, expect, it } from 'vitest';
import { ConvergenceGuard, STALL_BACKOFF_MS } from '../../../src/reconciler/convergence.js';
import type { FieldChange } from '../../../src/resources/types.js';

const change = (paths: string[], action: 'update' | 'no-op' = 'update') => ({
  key: 'Domain/web',
  action,
  changes: paths.map((path): FieldChange => ({ path, class: 'redefine' })),
});

describe('ConvergenceGuard', () => {
  it('stalls the third change in a row on the same fields with the same manifest', () => {
    const guard = new ConvergenceGuard(() => 0);
    expect(guard.check(change(['spec.xml.merge']), 'fp1').stalled).toBe(false);
    guard.changed(change(['spec.xml.merge']), 'fp1');
    expect(guard.check(change(['spec.xml.merge']), 'fp1').stalled).toBe(false);
    guard.changed(change(['spec.xml.merge']), 'fp1');
    const verdict = guard.check(change(['spec.xml.merge']), 'fp1');
    expect(verdict).toMatchObject({ stalled: true, retryAt: STALL_BACKOFF_MS });
    expect(verdict.stalled && verdict.message).toMatch(/^libvirt does not keep spec\.xml\.merge/);
    expect(guard.stalledCount).toBe(1);
  });

  it('never stalls on other fields, another manifest, lifecycle fields, or after a foreign event', () => {
    const guard = new ConvergenceGuard(() => 0);
    for (let i = 0; i < 3; i++) guard.changed(change(['spec.memory']), 'fp1');
    expect(guard.check(change(['spec.vcpus']), 'fp1').stalled).toBe(false);
    expect(guard.check(change(['spec.memory']), 'fp2').stalled).toBe(false);
    guard.touched('Domain/web');
    expect(guard.check(change(['spec.memory']), 'fp1').stalled).toBe(false);
    const state = new ConvergenceGuard(() => 0);
    for (let i = 0; i < 3; i++) state.changed(change(['spec.state']), 'fp1');
    expect(state.check(change(['spec.state']), 'fp1').stalled).toBe(false);
  });

  it('retries after the backoff, waits twice as long when that does not stick, and clears on convergence', () => {
    let now = 0;
    const guard = new ConvergenceGuard(() => now);
    guard.changed(change(['spec.xml.merge']), 'fp1');
    guard.changed(change(['spec.xml.merge']), 'fp1');
    expect(guard.check(change(['spec.xml.merge']), 'fp1').stalled).toBe(true);
    now = STALL_BACKOFF_MS;
    expect(guard.check(change(['spec.xml.merge']), 'fp1').stalled).toBe(false);
    guard.changed(change(['spec.xml.merge']), 'fp1');
    now = STALL_BACKOFF_MS * 2;
    expect(guard.check(change(['spec.xml.merge']), 'fp1').stalled).toBe(true);
    guard.converged('Domain/web');
    expect(guard.stalledCount).toBe(0);
    expect(guard.check(change(['spec.xml.merge']), 'fp1').stalled).toBe(false);
  });
});
