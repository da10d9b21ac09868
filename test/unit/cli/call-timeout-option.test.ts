import { describe, expect, it } from 'vitest';
import { parseCallTimeout } from '../../../src/cli/connect-option.js';

describe('--call-timeout', () => {
  it('takes seconds and gives milliseconds; 0 means no deadline', () => {
    expect(parseCallTimeout('120')).toBe(120_000);
    expect(parseCallTimeout('2.5')).toBe(2500);
    expect(parseCallTimeout('30s')).toBe(30_000);
    expect(parseCallTimeout('0')).toBe(0);
  });

  it('refuses what is not a number of seconds, saying what it wants', () => {
    for (const bad of ['', '-1', 'soon', '1m']) expect(() => parseCallTimeout(bad)).toThrow(/--call-timeout wants seconds/);
  });
});
