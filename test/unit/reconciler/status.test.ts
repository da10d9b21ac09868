import { describe, expect, it } from 'vitest';
import { StatusStore } from '../../../src/reconciler/status.js';

/** A clock the test moves by hand, starting at a fixed instant. */
function manualClock(start = '2025-01-01T00:00:00.000Z') {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

describe('StatusStore', () => {
  it('starts tracked objects as pending without times', () => {
    const s = new StatusStore();
    s.track('Domain', 'web-1');
    expect(s.get('Domain', 'web-1')).toEqual({ kind: 'Domain', name: 'web-1', state: 'pending' });
    expect(s.get('Domain', 'nope')).toBeUndefined();
  });

  it('records success, failure and recovery with the right times and error', () => {
    const c = manualClock();
    const s = new StatusStore({ now: c.now });
    s.track('Network', 'lan');

    c.advance(1000);
    expect(s.record('Network', 'lan', { state: 'synced', changed: true })).toEqual({
      kind: 'Network',
      name: 'lan',
      state: 'synced',
      lastChange: '2025-01-01T00:00:01.000Z',
      lastSync: '2025-01-01T00:00:01.000Z',
    });

    // A no-op resync moves lastSync but not lastChange.
    c.advance(1000);
    s.record('Network', 'lan', { state: 'synced' });
    expect(s.get('Network', 'lan')).toMatchObject({
      lastChange: '2025-01-01T00:00:01.000Z',
      lastSync: '2025-01-01T00:00:02.000Z',
    });

    c.advance(1000);
    s.record('Network', 'lan', { state: 'failed', error: { code: 'VIR_ERR_OPERATION_FAILED', message: 'bridge busy' } });
    expect(s.get('Network', 'lan')).toEqual({
      kind: 'Network',
      name: 'lan',
      state: 'failed',
      lastError: { code: 'VIR_ERR_OPERATION_FAILED', message: 'bridge busy' },
      lastChange: '2025-01-01T00:00:03.000Z',
      lastSync: '2025-01-01T00:00:02.000Z',
    });

    // Failing again keeps lastChange at the first failure.
    c.advance(1000);
    s.record('Network', 'lan', { state: 'failed', error: { message: 'still busy' } });
    expect(s.get('Network', 'lan')).toMatchObject({ lastChange: '2025-01-01T00:00:03.000Z', lastError: { message: 'still busy' } });

    c.advance(1000);
    const recovered = s.record('Network', 'lan', { state: 'synced' });
    expect(recovered.lastError).toBeUndefined();
    expect(recovered.lastChange).toBe('2025-01-01T00:00:05.000Z');
  });

  it('keeps URL userinfo and graphics passwords out of lastError (/status is served over HTTP)', () => {
    const s = new StatusStore();
    const got = s.record('Domain', 'web-1', {
      state: 'failed',
      error: { message: 'cannot download https://ops:pw1@example.com/x: 401; XML <graphics passwd="pw2"/>' },
    });
    expect(got.lastError?.message).toBe('cannot download https://***@example.com/x: 401; XML <graphics passwd="(sensitive)"/>');
  });

  it('marks drift left in place as out-of-sync', () => {
    const s = new StatusStore();
    s.record('Domain', 'web-1', { state: 'out-of-sync' });
    expect(s.get('Domain', 'web-1')?.state).toBe('out-of-sync');
    expect(s.get('Domain', 'web-1')?.lastSync).toBeUndefined();
  });

  it('replaceDesired adds new objects as pending, keeps known ones and drops removed ones', () => {
    const s = new StatusStore();
    s.record('Domain', 'old', { state: 'synced' });
    s.record('Domain', 'kept', { state: 'failed', error: { message: 'x' } });
    s.replaceDesired([
      { kind: 'Domain', name: 'kept' },
      { kind: 'Network', name: 'new' },
    ]);
    expect(s.snapshot().objects.map((o) => [o.kind, o.name, o.state])).toEqual([
      ['Domain', 'kept', 'failed'],
      ['Network', 'new', 'pending'],
    ]);
  });

  it('snapshots sorted objects, counts, revision and last sync, detached from the store', () => {
    const c = manualClock();
    const s = new StatusStore({ now: c.now });
    s.record('Network', 'lan', { state: 'synced' });
    s.record('Domain', 'web-2', { state: 'failed', error: { message: 'boom' } });
    s.record('Domain', 'web-1', { state: 'synced' });
    s.track('StoragePool', 'images');
    s.setRevision('0123abc');
    s.markSynced(new Date('2025-02-02T02:02:02.000Z'));

    const snap = s.snapshot();
    expect(snap.revision).toBe('0123abc');
    expect(snap.lastSync).toBe('2025-02-02T02:02:02.000Z');
    expect(snap.counts).toEqual({ synced: 2, 'out-of-sync': 0, 'restart-pending': 0, stalled: 0, refused: 0, failed: 1, pending: 1 });
    expect(snap.objects.map((o) => `${o.kind}/${o.name}`)).toEqual(['Domain/web-1', 'Domain/web-2', 'Network/lan', 'StoragePool/images']);

    snap.objects[1]!.lastError!.message = 'mutated';
    expect(s.get('Domain', 'web-2')?.lastError?.message).toBe('boom');
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });

  it('keeps a refused change apart from failures, with its reason', () => {
    const s = new StatusStore();
    s.track('Network', 'lan');
    s.record('Network', 'lan', { state: 'refused', error: { code: 'refused', message: 'shrinking is not supported' } });
    expect(s.get('Network', 'lan')).toMatchObject({
      state: 'refused',
      lastError: { code: 'refused', message: 'shrinking is not supported' },
    });
    expect(s.counts()).toMatchObject({ refused: 1, failed: 0 });
  });

  it('starts with no revision and no last sync', () => {
    const snap = new StatusStore().snapshot();
    expect(snap).toEqual({
      revision: null,
      lastSync: null,
      counts: { synced: 0, 'out-of-sync': 0, 'restart-pending': 0, stalled: 0, refused: 0, failed: 0, pending: 0 },
      objects: [],
    });
  });
});
