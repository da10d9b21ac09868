import { describe, expect, it } from 'vitest';
import type { ResourceChange } from '../../../src/resources/types.js';
import { decideForKey, DriftTracker, reportExecution } from '../../../src/reconciler/reconcile-decision.js';

function change(key: string, action: ResourceChange['action'], extra: Partial<ResourceChange> = {}): ResourceChange {
  const [kind, ...rest] = key.split('/');
  return {
    key,
    kind: kind as ResourceChange['kind'],
    name: rest.join('/'),
    action,
    changes: [],
    restartRequired: false,
    reason: '',
    steps: [],
    dependsOn: [],
    ...extra,
  };
}

function plan(changes: ResourceChange[], waitsFor: Record<string, string[]> = {}, errors: Array<{ key?: string; message: string }> = []) {
  return { changes, waitsFor: new Map(Object.entries(waitsFor)), errors };
}

describe('decideForKey', () => {
  it('is absent when the plan has no change for the key', () => {
    expect(decideForKey(plan([change('Domain/a', 'no-op')]), 'Domain/b')).toEqual({ type: 'absent' });
  });

  it('applies a change whose dependencies are in place', () => {
    const web = change('Domain/web', 'create');
    const p = plan([change('Network/lan', 'no-op'), web], { 'Domain/web': ['Network/lan'] });
    expect(decideForKey(p, 'Domain/web')).toEqual({ type: 'apply', change: web });
  });

  it('blocks a change while a dependency still has work to do', () => {
    const p = plan([change('Network/lan', 'create'), change('StoragePool/p', 'update'), change('Domain/web', 'create')], {
      'Domain/web': ['StoragePool/p', 'Network/lan'],
    });
    expect(decideForKey(p, 'Domain/web')).toEqual({ type: 'blocked', waitingFor: ['Network/lan', 'StoragePool/p'] });
  });

  it('treats a refused dependency as not in place', () => {
    const p = plan([change('Network/lan', 'no-op', { refused: 'no' }), change('Domain/web', 'update')], { 'Domain/web': ['Network/lan'] });
    expect(decideForKey(p, 'Domain/web')).toEqual({ type: 'blocked', waitingFor: ['Network/lan'] });
  });

  it('never blocks a no-op (running it only records ownership)', () => {
    const web = change('Domain/web', 'no-op');
    const p = plan([change('Network/lan', 'create'), web], { 'Domain/web': ['Network/lan'] });
    expect(decideForKey(p, 'Domain/web')).toEqual({ type: 'apply', change: web });
  });

  it('reports planning errors of the key and plan-wide errors', () => {
    expect(decideForKey(plan([], {}, [{ key: 'Domain/a', message: 'boom' }]), 'Domain/a')).toEqual({ type: 'error', message: 'boom' });
    expect(decideForKey(plan([change('Domain/a', 'create')], {}, [{ message: 'dependency cycle: x' }]), 'Domain/a')).toEqual({
      type: 'error',
      message: 'dependency cycle: x',
    });
    expect(decideForKey(plan([change('Domain/b', 'create')], {}, [{ key: 'Domain/a', message: 'boom' }]), 'Domain/b').type).toBe('apply');
  });
});

describe('reportExecution', () => {
  it('no-op → unchanged and synced', () => {
    expect(reportExecution(change('Domain/a', 'no-op'), 'unchanged')).toEqual({
      result: 'unchanged',
      status: { state: 'synced', changed: false },
      next: { type: 'done' },
    });
  });
  it('a no-op whose guest still runs old config is restart-pending, never synced', () => {
    const pending = change('Domain/a', 'no-op', { restartPending: [{ path: 'spec.memory', running: '128MiB', defined: '192MiB' }] });
    expect(reportExecution(pending, 'unchanged')).toEqual({
      result: 'unchanged',
      status: { state: 'restart-pending', changed: false },
      next: { type: 'done' },
    });
    expect(reportExecution(change('Domain/a', 'no-op'), 'unchanged').status).toEqual({ state: 'synced', changed: false });
  });

  it('applied → changed and synced, or restart-pending when a restart is still needed', () => {
    expect(reportExecution(change('Domain/a', 'update'), 'succeeded').status).toEqual({ state: 'synced', changed: true });
    expect(reportExecution(change('Domain/a', 'update', { restartRequired: true }), 'succeeded').status).toEqual({
      state: 'restart-pending',
      changed: true,
    });
  });
  it('a successful delete drops the status entry', () => {
    expect(reportExecution(change('Domain/a', 'delete'), 'succeeded')).toEqual({ result: 'changed', status: null, next: { type: 'done' } });
  });
  it('a failure is an error that is retried', () => {
    expect(reportExecution(change('Domain/a', 'update'), 'failed', { message: 'nope', codeName: 'VIR_ERR_X' })).toEqual({
      result: 'error',
      status: { state: 'failed', error: { code: 'VIR_ERR_X', message: 'nope' } },
      next: { type: 'retry', error: new Error('nope') },
    });
  });
  it('a refusal is its own state, and stalls the key instead of retrying it', () => {
    const r = reportExecution(change('Domain/a', 'replace', { refused: 'needs allow-replace' }), 'refused');
    expect(r).toEqual({
      result: 'error',
      status: { state: 'refused', error: { code: 'refused', message: 'needs allow-replace' } },
      next: { type: 'stalled', reason: 'needs allow-replace' },
    });
  });
});

describe('DriftTracker', () => {
  it('counts differences as drift only after a sync with the same manifest', () => {
    const t = new DriftTracker();
    expect(t.differencesFound('Domain/a', 'v1')).toBe(false); // first rollout
    t.synced('Domain/a', 'v1');
    expect(t.differencesFound('Domain/a', 'v1')).toBe(true); // someone changed the host
    expect(t.differencesFound('Domain/a', 'v1')).toBe(false); // a retry of the same drift
    t.synced('Domain/a', 'v1');
    expect(t.differencesFound('Domain/a', 'v2')).toBe(false); // the manifest changed: rollout
  });
  it('forgets keys and ignores keys without a manifest', () => {
    const t = new DriftTracker();
    t.synced('Domain/a', 'v1');
    t.forget('Domain/a');
    expect(t.differencesFound('Domain/a', 'v1')).toBe(false);
    t.synced('Domain/b', undefined);
    expect(t.differencesFound('Domain/b', undefined)).toBe(false);
  });
});
