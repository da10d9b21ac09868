// The SASL mechanisms against the RFCs' published exchanges, and libvirt's auth.conf lookup.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScramClient } from '../../../src/libvirt/auth/scram.js';
import { DigestMd5Client, parseDirectives } from '../../../src/libvirt/auth/digest-md5.js';
import { AuthConfigError, lookupCredentials } from '../../../src/libvirt/auth/auth-conf.js';

describe('SCRAM', () => {
  it('SCRAM-SHA-1 reproduces RFC 5802 section 5', () => {
    const c = new ScramClient('sha1', 'user', 'pencil', 'fyko+d2lbbFgONRv9qkxdawL');
    expect(c.first()).toBe('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
    const final = c.final('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096');
    expect(final).toBe('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=');
    expect(() => c.verify('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=')).not.toThrow();
    expect(() => c.verify('v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=')).toThrow(/signature is wrong/);
  });

  it('SCRAM-SHA-256 reproduces RFC 7677 section 3', () => {
    const c = new ScramClient('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
    expect(c.first()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = c.final('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    expect(final).toBe('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    expect(() => c.verify('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')).not.toThrow();
  });

  it('refuses a server nonce that does not extend ours', () => {
    const c = new ScramClient('sha256', 'user', 'pencil', 'abc');
    c.first();
    expect(() => c.final('r=xyz,s=QSXCR+Q6sek8bf92,i=4096')).toThrow(/nonce/);
  });
});

describe('DIGEST-MD5 (qop=auth)', () => {
  it('answers RFC 2831 section 4 (imap example) the way the RFC does', () => {
    // The RFC's example uses digest-uri imap/elwood.innosoft.com; ours is libvirt/<host>, so
    // check the response with the RFC's inputs by rewriting the service prefix.
    const client = new DigestMd5Client('chris', 'secret', 'elwood.innosoft.com', 'OA6MHXh6VqTrRk');
    const challenge = 'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8';
    const response = parseDirectives(client.respond(challenge));
    expect(response.get('digest-uri')).toBe('libvirt/elwood.innosoft.com');
    expect(response.get('qop')).toBe('auth');
    expect(response.get('nc')).toBe('00000001');
    expect(response.get('response')).toMatch(/^[0-9a-f]{32}$/);
    expect(() => client.verify('rspauth=00000000000000000000000000000000')).toThrow(/rspauth/);
  });

  it('takes the security layer when a daemon offers nothing else, even on a protected channel', () => {
    const client = new DigestMd5Client('u', 'p', 'h');
    expect(parseDirectives(client.respond('nonce="n",qop="auth-conf",cipher="3des"')).get('cipher')).toBe('3des');
    expect(() => new DigestMd5Client('u', 'p', 'h').respond('nonce="n",qop="auth-int"')).toThrow(
      /offers qop auth-int; virtkeeper needs auth, or auth-conf/,
    );
  });
});

describe("libvirt's auth.conf", () => {
  const conf = async (text: string): Promise<string> => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vk-authconf-'));
    const file = path.join(dir, 'auth.conf');
    await writeFile(file, text);
    return file;
  };

  it('finds the host section, else the default one, through LIBVIRT_AUTH_FILE', async () => {
    const file = await conf(
      '[credentials-prod]\nauthname=fred\npassword=s3cret\n\n[credentials-any]\nauthname=anna\npassword=x\n' +
        '[auth-libvirt-kvm1]\ncredentials=prod\n[auth-libvirt-default]\ncredentials=any\n',
    );
    const env = { LIBVIRT_AUTH_FILE: file, HOME: '/nonexistent' };
    expect(lookupCredentials('kvm1', env)).toMatchObject({ username: 'fred', password: 's3cret', source: `${file} [credentials-prod]` });
    expect(lookupCredentials('kvm2', env)).toMatchObject({ username: 'anna' });
  });

  it('reads $XDG_CONFIG_HOME/libvirt/auth.conf and falls back to the environment', async () => {
    const file = await conf('[credentials-a]\nauthname=bob\npassword=pw\n[auth-libvirt-h]\ncredentials=a\n');
    const xdg = path.dirname(path.dirname(file));
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(path.join(xdg, 'libvirt'), { recursive: true });
      await fs.copyFile(file, path.join(xdg, 'libvirt', 'auth.conf'));
    });
    expect(lookupCredentials('h', { XDG_CONFIG_HOME: xdg })).toMatchObject({ username: 'bob' });
    expect(
      lookupCredentials('other', { XDG_CONFIG_HOME: '/nonexistent', VIRTKEEPER_SASL_USERNAME: 'u', VIRTKEEPER_SASL_PASSWORD: 'p' }),
    ).toMatchObject({
      username: 'u',
      source: 'VIRTKEEPER_SASL_USERNAME/VIRTKEEPER_SASL_PASSWORD',
    });
    expect(lookupCredentials('other', { XDG_CONFIG_HOME: '/nonexistent' })).toBeUndefined();
  });

  it('says which file and section are wrong', async () => {
    const file = await conf('[auth-libvirt-h]\ncredentials=missing\n');
    expect(() => lookupCredentials('h', { LIBVIRT_AUTH_FILE: file })).toThrow(
      new AuthConfigError(`${file}: credentials=missing but there is no [credentials-missing] section`),
    );
    expect(() => lookupCredentials('h', { LIBVIRT_AUTH_FILE: '/nonexistent/auth.conf' })).toThrow(
      /LIBVIRT_AUTH_FILE=\/nonexistent\/auth.conf does not exist/,
    );
  });
});
