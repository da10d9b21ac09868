// Rendering of the NoCloud seed's files: defaults, YAML 1.1 as cloud-init reads it, the
// instance-id rule, and one-line errors for what cloud-init would silently ignore.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { NoCloudInputError, renderNoCloud, type NoCloudInput } from '../../../src/cloud-init/nocloud.js';

const decode = (b: Uint8Array) => new TextDecoder().decode(b);
function filesOf(input: NoCloudInput): Record<string, string> {
  return Object.fromEntries(renderNoCloud(input).files.map((f) => [f.name, decode(f.data)]));
}
/** Parse as cloud-init does: PyYAML is YAML 1.1. */
const parse11 = (text: string) => parse(text, { version: '1.1' }) as unknown;

describe('renderNoCloud files', () => {
  it('always writes user-data and meta-data (cloud-init needs both), defaulting local-hostname to the domain name', () => {
    const seed = renderNoCloud({ domainName: 'web-1' });
    expect(seed.files.map((f) => f.name)).toEqual(['meta-data', 'user-data']);
    const files = filesOf({ domainName: 'web-1' });
    expect(files['user-data']).toBe('');
    expect(parse11(files['meta-data'])).toEqual({ 'instance-id': seed.instanceId, 'local-hostname': 'web-1' });
    expect(files['meta-data'].startsWith('instance-id: ')).toBe(true);
  });

  it('renders a cloud-config mapping as #cloud-config YAML that reads back equal', () => {
    const userData = {
      users: [{ name: 'ops', ssh_authorized_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG' + 'x'.repeat(60) + ' ops@host'] }],
      runcmd: [['echo', 'hi']],
    };
    const text = filesOf({ domainName: 'web-1', userData })['user-data'];
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(parse11(text)).toEqual(userData);
    // lineWidth 0: a long key stays on one line.
    expect(text).toContain(userData.users[0].ssh_authorized_keys[0]);
  });

  it('quotes strings YAML 1.1 would read as booleans or octal, so the guest sees strings', () => {
    const userData = { write_files: [{ path: '/etc/x', permissions: '0644', content: 'on' }], a: 'yes', b: 'no', c: 'off' };
    const text = filesOf({ domainName: 'web-1', userData })['user-data'];
    expect(parse11(text)).toEqual(userData);
  });

  it('keeps user-data text exactly as given (a script, a cloud-config document)', () => {
    const script = '#!/bin/sh\necho "hello"\n';
    expect(filesOf({ domainName: 'web-1', userData: script })['user-data']).toBe(script);
    const doc = '#cloud-config\n# a comment that must survive\npackages: [nginx]\n';
    expect(filesOf({ domainName: 'web-1', userData: doc })['user-data']).toBe(doc);
  });

  it('keeps extra meta-data keys after instance-id and local-hostname, and honours given values', () => {
    const files = filesOf({
      domainName: 'web-1',
      metaData: { 'public-keys': ['k'], 'local-hostname': 'web-one.example', 'instance-id': 'i-123' },
    });
    expect(files['meta-data']).toBe('instance-id: i-123\nlocal-hostname: web-one.example\npublic-keys:\n  - k\n');
  });

  it('writes network-config (version 1 or 2, also under network:) and vendor-data only when given', () => {
    const v2 = { version: 2, ethernets: { eth0: { dhcp4: true } } };
    const files = filesOf({ domainName: 'web-1', networkConfig: v2, vendorData: { packages: ['htop'] } });
    expect(parse11(files['network-config'])).toEqual(v2);
    expect(parse11(files['vendor-data'])).toEqual({ packages: ['htop'] });
    expect(files['vendor-data'].startsWith('#cloud-config\n')).toBe(true);
    const wrapped = 'network:\n  version: 1\n  config: [{type: physical, name: eth0, subnets: [{type: dhcp}]}]\n';
    expect(filesOf({ domainName: 'web-1', networkConfig: wrapped })['network-config']).toBe(wrapped);
  });
});

describe('renderNoCloud sshAuthorizedKeys', () => {
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFfA ops@laptop';
  const other = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY= ci';

  it('adds the keys after those user-data lists, as a mapping or as text whose comments stay', () => {
    expect(parse11(filesOf({ domainName: 'web-1', sshAuthorizedKeys: [key] })['user-data'])).toEqual({ ssh_authorized_keys: [key] });
    const mapped = filesOf({
      domainName: 'web-1',
      userData: { ssh_authorized_keys: [other], packages: ['nginx'] },
      sshAuthorizedKeys: [key],
    })['user-data'];
    expect(parse11(mapped)).toEqual({ ssh_authorized_keys: [other, key], packages: ['nginx'] });
    const text = '#cloud-config\n# the web tier\npackages: [nginx]\n';
    const merged = filesOf({ domainName: 'web-1', userData: text, sshAuthorizedKeys: [key, other] })['user-data'];
    expect(merged.startsWith('#cloud-config\n# the web tier\n')).toBe(true);
    expect(parse11(merged)).toEqual({ packages: ['nginx'], ssh_authorized_keys: [key, other] });
  });

  it('refuses a private key, a line that is no public key, and user-data that is not cloud-config', () => {
    const fails = (input: Partial<NoCloudInput>) => {
      try {
        renderNoCloud({ domainName: 'web-1', ...input });
      } catch (err) {
        return err instanceof NoCloudInputError ? err.message : `unexpected ${String(err)}`;
      }
      return 'no error';
    };
    expect(fails({ sshAuthorizedKeys: ['-----BEGIN OPENSSH PRIVATE KEY-----'] })).toBe(
      'cloudInit.sshAuthorizedKeys: holds a private key, which must never go into a seed; give the public key (the .pub file)',
    );
    expect(fails({ sshAuthorizedKeys: ['hello world'] })).toMatch(
      /^cloudInit\.sshAuthorizedKeys: "hello world…" is not an OpenSSH public key/,
    );
    expect(fails({ userData: '#!/bin/sh\necho hi\n', sshAuthorizedKeys: [key] })).toMatch(
      /^cloudInit\.sshAuthorizedKeys: can only be added to cloud-config user-data/,
    );
    expect(fails({ userData: { ssh_authorized_keys: 'one' }, sshAuthorizedKeys: [key] })).toMatch(
      /^cloudInit\.userData\.ssh_authorized_keys: is not a list/,
    );
  });
});

describe('renderNoCloud instance-id', () => {
  const base: NoCloudInput = { domainName: 'web-1', userData: { packages: ['nginx'] } };
  const id = (input: NoCloudInput) => renderNoCloud(input).instanceId;

  it('by default derives it from the domain name only: editing user-data keeps it (no re-provisioning)', () => {
    expect(id(base)).toMatch(/^iid-vk-[0-9a-f]{16}$/);
    expect(id({ ...base, userData: { packages: ['apache2'] } })).toBe(id(base));
    expect(id({ ...base, domainName: 'web-2' })).not.toBe(id(base));
  });

  it('with instanceIdFrom: content, any change of a file gives a new one, and the same content the same one', () => {
    const content: NoCloudInput = { ...base, instanceIdFrom: 'content' };
    expect(id(content)).toBe(id({ ...content }));
    expect(id(content)).not.toBe(id(base));
    expect(id({ ...content, userData: { packages: ['apache2'] } })).not.toBe(id(content));
    expect(id({ ...content, networkConfig: { version: 2 } })).not.toBe(id(content));
    expect(id({ ...content, vendorData: '' })).not.toBe(id(content)); // an empty vendor-data file is still a change
    expect(id({ ...content, metaData: { 'public-keys': ['k'] } })).not.toBe(id(content));
    expect(id({ ...content, domainName: 'web-2' })).not.toBe(id(content));
  });

  it('an explicit instance-id wins over both rules', () => {
    expect(id({ ...base, instanceIdFrom: 'content', metaData: { 'instance-id': 'i-abc' } })).toBe('i-abc');
  });
});

describe('renderNoCloud input errors: one line with the field, the problem and the fix', () => {
  const cases: [string, NoCloudInput, RegExp][] = [
    [
      'user-data cloud-init would ignore',
      { domainName: 'w', userData: 'packages: [nginx]\n' },
      /^cloudInit\.userData: starts with "packages: \[nginx\]", which cloud-init does not recognise and would ignore; begin with "#cloud-config"/,
    ],
    [
      'broken cloud-config YAML, with its line',
      { domainName: 'w', userData: '#cloud-config\npackages:\n  - a\n b: [\n' },
      /^cloudInit\.userData: line 4, column \d+: .*; fix the YAML$/,
    ],
    [
      'a cloud-config that is not a mapping',
      { domainName: 'w', userData: '#cloud-config\n- a\n' },
      /^cloudInit\.userData: is YAML but not a mapping/,
    ],
    ['bad vendor-data', { domainName: 'w', vendorData: 'hello' }, /^cloudInit\.vendorData: starts with "hello"/],
    [
      'network-config without a version',
      { domainName: 'w', networkConfig: { ethernets: {} } },
      /^cloudInit\.networkConfig: has version null; cloud-init reads network configuration version 1 or 2/,
    ],
    ['network-config version 3', { domainName: 'w', networkConfig: 'version: 3\n' }, /^cloudInit\.networkConfig: has version 3;/],
    [
      'an instance-id with a slash',
      { domainName: 'w', metaData: { 'instance-id': 'a/b' } },
      /^cloudInit\.metaData\.instance-id: "a\/b" cannot be an instance-id/,
    ],
    [
      'a bad local-hostname',
      { domainName: 'w', metaData: { 'local-hostname': 'under_score' } },
      /^cloudInit\.metaData\.local-hostname: "under_score" is not a host name/,
    ],
    [
      'a domain name that is no host name',
      { domainName: 'web_1' },
      /^cloudInit\.metaData\.local-hostname: not set, and the domain name "web_1" is not a valid host name to default it from; set metaData\.local-hostname$/,
    ],
  ];
  for (const [what, input, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(() => renderNoCloud(input)).toThrow(NoCloudInputError);
      expect(() => renderNoCloud(input)).toThrow(message);
    });
  }

  it('a domain name that is no host name is fine when local-hostname is given', () => {
    expect(filesOf({ domainName: 'web_1', metaData: { 'local-hostname': 'web-1' } })['meta-data']).toContain('local-hostname: web-1\n');
  });
});
