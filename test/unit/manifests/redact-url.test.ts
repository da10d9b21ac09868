import { describe, expect, it } from 'vitest';
import { hasUserinfo, redactUrl, redactUrlsIn } from '../../../src/manifests/redact-url.js';
import { redactSecretsInValue } from '../../../src/manifests/redact.js';

describe('redactUrl', () => {
  it('replaces user and password, keeps host, path and query', () => {
    expect(redactUrl('https://admin:s3cret@images.example.org:8443/a/b.qcow2?x=1')).toBe(
      'https://***@images.example.org:8443/a/b.qcow2?x=1',
    );
    expect(redactUrl('http://token@h/x')).toBe('http://***@h/x');
  });
  it('treats the last @ of the authority as its end, as the URL parser does (a raw @ in the password)', () => {
    expect(redactUrl('https://u:p@ss@h/x')).toBe('https://***@h/x');
  });
  it('leaves URLs without userinfo and an @ in the path alone', () => {
    expect(redactUrl('https://h/x')).toBe('https://h/x');
    expect(redactUrl('https://h/users/@me')).toBe('https://h/users/@me');
  });
  it('redacts every URL quoted inside a message', () => {
    expect(
      redactUrlsIn('cannot download https://a:b@h/x: Request cannot be constructed from a URL that includes credentials: https://a:b@h/x'),
    ).toBe('cannot download https://***@h/x: Request cannot be constructed from a URL that includes credentials: https://***@h/x');
  });
  it('redacts strings nested in plan values', () => {
    expect(redactSecretsInValue({ source: { url: 'http://u:p@h/i' }, list: ['ftp://x:y@z/'], n: 1 })).toEqual({
      source: { url: 'http://***@h/i' },
      list: ['ftp://***@z/'],
      n: 1,
    });
  });
  it('hasUserinfo sees a user, a password, or both', () => {
    expect(hasUserinfo('https://u@h/')).toBe(true);
    expect(hasUserinfo('https://:p@h/')).toBe(true);
    expect(hasUserinfo('https://h/@x')).toBe(false);
  });
});
