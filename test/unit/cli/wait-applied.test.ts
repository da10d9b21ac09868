import { describe, expect, it } from 'vitest';
import { judgeStatus } from '../../../src/cli/commands/wait-applied.js';

const objects = [
  { kind: 'Network', name: 'lan', state: 'synced' },
  { kind: 'Domain', name: 'web-1', state: 'synced' },
];

describe('wait-applied verdicts', () => {
  it('waits while another revision is the applied one', () => {
    expect(judgeStatus({ appliedRevision: 'aaaaaaa1', objects }, 'bbbbbbb2')).toEqual({ done: false });
    expect(judgeStatus({ appliedRevision: null, objects }, 'bbbbbbb2')).toEqual({ done: false });
  });

  it('is done when the revision (abbreviated either way) is applied, 0 when all synced', () => {
    const v = judgeStatus({ appliedRevision: 'bbbbbbb2c3d4', objects }, 'bbbbbbb2');
    expect(v).toEqual({ done: true, code: 0, lines: ['revision bbbbbbb2 applied: 2 of 2 objects synced'] });
  });

  it('1 and the failures listed when objects failed', () => {
    const v = judgeStatus(
      {
        appliedRevision: 'bbbbbbb2',
        objects: [...objects, { kind: 'Domain', name: 'db', state: 'failed', lastError: { message: 'libvirt error 38' } }],
      },
      'bbbbbbb2',
    );
    expect(v).toMatchObject({ done: true, code: 1 });
    expect(v.done && v.lines).toEqual(['revision bbbbbbb2 applied: 2 of 3 objects synced', '  Domain/db: failed: libvirt error 38']);
  });

  it('1 with the errors when the daemon rejected the revision', () => {
    const v = judgeStatus(
      {
        appliedRevision: 'aaaa',
        source: { rejectedRevision: 'bbbbbbb2', errors: [{ file: 'a.yaml', line: 3, message: 'spec.memory: must be a size' }] },
      },
      'bbbbbbb2',
    );
    expect(v).toEqual({
      done: true,
      code: 1,
      lines: ['revision bbbbbbb2 was rejected by the daemon: invalid manifests', '  a.yaml:3 spec.memory: must be a size'],
    });
  });
});
