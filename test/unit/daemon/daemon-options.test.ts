import { describe, expect, it } from 'vitest';
import { parseDuration, parseListen } from '../../../src/reconciler/daemon-options.js';

describe('parseDuration', () => {
  it.each([
    ['5m', 300_000],
    ['30s', 30_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['90', 90_000],
    ['0', 0],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', '5 minutes', 'm', '5x', '-1s', '1h 30m'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });
});

describe('parseListen', () => {
  it('parses host:port, [v6]:port, :port and a bare port', () => {
    expect(parseListen('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListen('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseListen(':9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseListen('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
  });
  it('rejects garbage', () => {
    expect(() => parseListen('localhost')).toThrow();
    expect(() => parseListen('host:99999')).toThrow();
    expect(() => parseListen('::1:80')).toThrow();
    expect(() => parseListen('host:port')).toThrow();
  });
});
