import { describe, expect, it } from 'vitest';
import { whileBusy } from '../../../src/state/busy.js';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

describe('whileBusy', () => {
  it('tries again while SQLite answers SQLITE_BUSY, then returns the result', () => {
    let calls = 0;
    expect(
      whileBusy(() =>
        ++calls < 3
          ? (() => {
              throw busy();
            })()
          : 'wal',
      ),
    ).toBe('wal');
    expect(calls).toBe(3);
  });

  it('lets any other error through at once, and BUSY after the deadline', () => {
    let calls = 0;
    expect(() =>
      whileBusy(() => {
        calls++;
        throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
      }),
    ).toThrow('disk I/O error');
    expect(calls).toBe(1);
    let clock = 0;
    expect(() =>
      whileBusy(
        () => {
          clock += 60;
          throw busy();
        },
        100,
        () => clock,
      ),
    ).toThrow('database is locked');
    expect(clock).toBe(120);
  });
});
