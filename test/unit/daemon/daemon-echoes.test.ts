import { describe, expect, it } from 'vitest';
import { ECHO_GRACE_MS, EchoFilter } from '../../../src/reconciler/daemon-echoes.js';
import type { ResourceChange } from '../../../src/resources/types.js';

function create(key: string): ResourceChange {
  const [kind, name] = key.split('/') as [ResourceChange['kind'], string];
  return {
    key,
    kind,
    name,
    action: 'create',
    changes: [],
    restartRequired: false,
    reason: 'create',
    steps: [
      { op: 'define', description: 'define' },
      { op: 'start', description: 'start' },
    ],
    dependsOn: [],
  } as ResourceChange;
}

describe('EchoFilter', () => {
  it('uses each expected event up once, while the change runs and for a grace period after', () => {
    const echoes = new EchoFilter();
    const change = create('Domain/web');
    echoes.expect([change]);
    expect(echoes.isEcho('Domain/web', { kind: 'domain', name: 'web', event: 'defined' }, 0)).toBe(true);
    // The same event again is news: only one was expected.
    expect(echoes.isEcho('Domain/web', { kind: 'domain', name: 'web', event: 'defined' }, 0)).toBe(false);
    echoes.settled([change], 1000);
    expect(echoes.isEcho('Domain/web', { kind: 'domain', name: 'web', event: 'started' }, 1000 + ECHO_GRACE_MS - 1)).toBe(true);
  });

  it('forgets echoes once the grace period is over', () => {
    const echoes = new EchoFilter();
    const change = create('Domain/web');
    echoes.expect([change]);
    echoes.settled([change], 1000);
    expect(echoes.isEcho('Domain/web', { kind: 'domain', name: 'web', event: 'started' }, 1000 + ECHO_GRACE_MS)).toBe(false);
  });

  it('expects nothing of a no-op, and nothing about other objects', () => {
    const echoes = new EchoFilter();
    echoes.expect([{ ...create('Domain/web'), action: 'no-op' }, create('Domain/db')]);
    expect(echoes.isEcho('Domain/web', { kind: 'domain', name: 'web', event: 'defined' }, 0)).toBe(false);
    expect(echoes.isEcho('Domain/other', { kind: 'domain', name: 'other', event: 'defined' }, 0)).toBe(false);
  });
});
