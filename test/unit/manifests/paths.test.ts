import { describe, expect, it } from 'vitest';
import { formatPath, pointerToPath } from '../../../src/manifests/paths.js';
import { formatError, sortErrors } from '../../../src/manifests/errors.js';

describe('field paths', () => {
  it('formats keys, indexes and odd keys', () => {
    expect(formatPath(['spec', 'disks', 0, 'volume'])).toBe('spec.disks[0].volume');
    expect(formatPath(['metadata', 'annotations', 'virtkeeper.io/prune'])).toBe('metadata.annotations["virtkeeper.io/prune"]');
    expect(formatPath([])).toBe('');
  });

  it('turns JSON pointers into paths, numbers only for array indexes', () => {
    const data = { spec: { disks: [{}], labels: { '0': 'x' } } };
    expect(pointerToPath('/spec/disks/0', data)).toEqual(['spec', 'disks', 0]);
    expect(pointerToPath('/spec/labels/0', data)).toEqual(['spec', 'labels', '0']);
    expect(pointerToPath('/a~1b/c~0d', {})).toEqual(['a/b', 'c~d']);
  });
});

describe('errors', () => {
  it('formats file:line:column path: message', () => {
    expect(formatError({ file: 'vms/web.yaml', line: 14, column: 7, path: 'spec.memory', message: 'must be a size like 2GiB' })).toBe(
      'vms/web.yaml:14:7 spec.memory: must be a size like 2GiB',
    );
    expect(formatError({ file: 'a.yaml', line: 1, column: 1, path: '', message: 'is not valid UTF-8 text' })).toBe(
      'a.yaml:1:1 is not valid UTF-8 text',
    );
  });

  it('sorts by file, line, column and drops exact duplicates', () => {
    const e = (file: string, line: number, column: number, path = 'p') => ({ file, line, column, path, message: 'm' });
    const sorted = sortErrors([e('b.yaml', 1, 1), e('a.yaml', 10, 1), e('a.yaml', 2, 5), e('a.yaml', 2, 3), e('a.yaml', 2, 3)]);
    expect(sorted.map(formatError)).toEqual(['a.yaml:2:3 p: m', 'a.yaml:2:5 p: m', 'a.yaml:10:1 p: m', 'b.yaml:1:1 p: m']);
  });
});
