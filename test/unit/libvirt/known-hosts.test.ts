import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  fingerprint,
  knownHostsName,
  parseKnownHosts,
  patternsMatch,
  verifyHostKey,
  wireKeyType,
} from '../../../src/libvirt/ssh/known-hosts.js';

/** An SSH wire-format key: string type, then random bytes standing in for the key material. */
function wireKey(type: string): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, randomBytes(32)]);
}

const ed = wireKey('ssh-ed25519');
const ed2 = wireKey('ssh-ed25519');
const rsa = wireKey('ssh-rsa');
const line = (patterns: string, key: Buffer) => `${patterns} ${wireKeyType(key)} ${key.toString('base64')}`;

describe('known_hosts', () => {
  it('names hosts as OpenSSH does', () => {
    expect(knownHostsName('kvm1', 22)).toBe('kvm1');
    expect(knownHostsName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
  });

  it('matches plain, wildcard, negated and hashed patterns', () => {
    expect(patternsMatch(['kvm1', 'kvm2'], 'kvm2')).toBe(true);
    expect(patternsMatch(['*.lab'], 'kvm1.lab')).toBe(true);
    expect(patternsMatch(['*.lab', '!kvm9.lab'], 'kvm9.lab')).toBe(false);
    expect(patternsMatch(['[kvm1]:2222'], 'kvm1')).toBe(false);
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[kvm1]:2222').digest('base64')}`;
    expect(patternsMatch([hashed], '[kvm1]:2222')).toBe(true);
    expect(patternsMatch([hashed], 'kvm1')).toBe(false);
  });

  it('known, unknown, changed, other key type, revoked', () => {
    const entries = parseKnownHosts(
      [
        '# comment',
        line('kvm1,kvm1.lab', ed),
        '@cert-authority *.lab ' + line('', rsa).trim(),
        `@revoked * ${wireKeyType(ed2)} ${ed2.toString('base64')}`,
        '',
      ].join('\n'),
    );
    expect(verifyHostKey(entries, 'kvm1', ed)).toEqual({ status: 'known', line: 2 });
    expect(verifyHostKey(entries, 'kvm2', ed)).toEqual({ status: 'unknown' });
    expect(verifyHostKey(entries, 'kvm1', rsa)).toEqual({ status: 'unknown' });
    expect(verifyHostKey(entries, 'kvm1', ed2)).toEqual({ status: 'revoked', line: 4 });
    const changed = parseKnownHosts(line('kvm1', ed2));
    expect(verifyHostKey(changed, 'kvm1', ed)).toEqual({ status: 'mismatch', lines: [1] });
  });

  it('fingerprints as ssh-keygen -l prints them', () => {
    expect(fingerprint(ed)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
