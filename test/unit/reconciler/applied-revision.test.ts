// When a manifests revision counts as applied: every key its reload enqueued tried once, or a
// full sync over it done; a newer load supersedes an older one still pending.
import { describe, expect, it } from 'vitest';
import { AppliedRevision } from '../../../src/reconciler/applied-revision.js';

describe('AppliedRevision', () => {
  it('is applied once every enqueued key was tried, whatever the outcome', () => {
    const a = new AppliedRevision();
    const first = a.loaded('r1', [], true);
    expect(a.revision).toBeNull();
    a.fullSyncDone(first);
    expect(a.revision).toBe('r1');
    a.loaded('r2', ['Domain/web', 'Network/lan'], false);
    a.attempted('Domain/web');
    a.attempted('Domain/other'); // not one of r2's keys
    expect(a.revision).toBe('r1');
    a.attempted('Network/lan');
    expect(a.revision).toBe('r2');
  });

  it('is applied at once when the reload changed nothing, and by a full sync over the same load only', () => {
    const a = new AppliedRevision();
    a.loaded('r1', [], false);
    expect(a.revision).toBe('r1');
    const r2 = a.loaded('r2', ['Domain/web'], false);
    const r3 = a.loaded('r3', ['Domain/db'], false);
    a.fullSyncDone(r2); // began before r3 was loaded: says nothing about r3
    a.attempted('Domain/web');
    expect(a.revision).toBe('r1');
    a.fullSyncDone(r3);
    expect(a.revision).toBe('r3');
  });
});
