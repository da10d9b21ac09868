// Secrets in anything shown: URL userinfo and secure XML attributes, in plain and JSON text.
import { describe, expect, it } from 'vitest';
import { redactSecretsIn, redactSecretsInValue } from '../../../src/manifests/redact.js';

describe('redactSecretsIn', () => {
  it('hides graphics passwords in XML text, in both quotes and inside JSON strings', () => {
    expect(redactSecretsIn(`<graphics type="vnc" passwd="s3cret" port='-1'/>`)).toBe(
      `<graphics type="vnc" passwd="(sensitive)" port='-1'/>`,
    );
    expect(redactSecretsIn(`<graphics passwd='s3cret'/>`)).toBe(`<graphics passwd='(sensitive)'/>`);
    expect(redactSecretsIn(JSON.stringify({ xml: '<graphics passwd="s3cret"/>' }))).toBe('{"xml":"<graphics passwd=\\"(sensitive)\\"/>"}');
    expect(redactSecretsIn('passwdValidTo="2026-01-01"')).toBe('passwdValidTo="2026-01-01"');
  });

  it('hides URL userinfo too, and walks JSON-like values', () => {
    expect(redactSecretsIn('https://ops:pw@example.com/a.img')).toBe('https://***@example.com/a.img');
    expect(redactSecretsInValue({ a: ['<graphics passwd="x"/>', 1], b: 'http://u:p@h/' })).toEqual({
      a: ['<graphics passwd="(sensitive)"/>', 1],
      b: 'http://***@h/',
    });
  });
});
