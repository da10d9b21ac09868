// The Secret kind's pure parts and its value sources: XML both ways, plans that never carry the
// value, and reading a value from a file, the environment or a command.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDesiredState } from '../../../../src/manifests/desired-state.js';
import type { SecretManifest, SecretSpec } from '../../../../src/resources/secret/schema.js';
import { newSecretDigest, sameSecretValue } from '../../../../src/resources/secret/digest.js';
import { planSecret } from '../../../../src/resources/secret/plan.js';
import { usageKey } from '../../../../src/resources/secret/usage.js';
import { readSecretValue, SecretValueError } from '../../../../src/resources/secret/value-source.js';
import { secretFromXml, secretToXml } from '../../../../src/resources/secret/xml.js';
import type { LiveResource, PlanContext, SecretValueState } from '../../../../src/resources/types.js';
import { payloadOf } from '../common/payload-of.js';

const spec = (extra: Partial<SecretSpec> = {}): SecretSpec => ({
  usage: { ceph: 'client.admin secret' },
  valueFrom: { env: 'CEPH_KEY' },
  ...extra,
});
const manifest = (s: SecretSpec): SecretManifest => ({
  apiVersion: 'virtkeeper.io/v1',
  kind: 'Secret',
  metadata: { name: 'ceph' },
  spec: s,
});

describe('Secret XML', () => {
  it('writes usage, description and private, keeps the live uuid, and reads them back (never a value)', () => {
    const xml = secretToXml(spec({ description: 'rbd key' }), '2ea9a0f0-7c7c-4a7a-9d4b-5b0a3c7e1f21');
    expect(xml).toContain('<secret ephemeral="no" private="yes">');
    expect(xml).toContain('<usage type="ceph">\n    <name>client.admin secret</name>\n  </usage>');
    expect(secretFromXml(xml)).toEqual({
      usage: { ceph: 'client.admin secret' },
      valueFrom: {},
      private: true,
      uuid: '2ea9a0f0-7c7c-4a7a-9d4b-5b0a3c7e1f21',
      description: 'rbd key',
    });
    const volume = secretToXml(spec({ usage: { volume: '/var/lib/x.img' }, private: false }), undefined);
    expect(volume).toContain('private="no"');
    expect(volume).toContain('<volume>/var/lib/x.img</volume>');
    expect(volume).not.toContain('<uuid>');
  });
});

describe('planSecret', () => {
  const loaded = (s: SecretSpec) => ({ key: 'Secret/ceph', manifest: manifest(s), source: { file: 'a.yaml', line: 1, column: 1 } });
  const live = (s: Partial<SecretSpec> = {}): LiveResource<'Secret'> => ({
    key: usageKey({ type: 'ceph', id: 'client.admin secret' }),
    kind: 'Secret',
    name: 'client.admin secret',
    xml: '',
    active: true,
    persistent: true,
    markedOwned: false,
    spec: { usage: { ceph: 'client.admin secret' }, valueFrom: {}, private: true, uuid: 'u-1', ...s },
  });
  const ctx = (value?: SecretValueState, withLive = true): PlanContext => ({
    desired: createDesiredState('/m', []),
    live: new Map<string, LiveResource>(withLive ? [[live().key, live() as LiveResource]] : []),
    ...(value ? { secretValues: new Map([['Secret/ceph', value]]) } : {}),
  });

  it('creates with define and setValue; the step says where the value is read, never what it is', () => {
    const change = planSecret(loaded(spec()), undefined, ctx({ state: 'unrecorded' }, false));
    expect(change.action).toBe('create');
    expect(change.steps.map((s) => s.op)).toEqual(['define', 'setValue']);
    expect(change.steps[1]!.payload).toEqual({
      usageType: 'ceph',
      usageId: 'client.admin secret',
      valueFrom: { env: 'CEPH_KEY' },
      encoding: 'raw',
    });
    expect(change.liveKey).toBe('Secret/ceph:client.admin secret');
  });

  it('finds the live secret by usage: same value is a no-op, a changed one sets it, an unreadable one is not compared', () => {
    expect(planSecret(loaded(spec()), undefined, ctx({ state: 'same' })).action).toBe('no-op');
    const changed = planSecret(loaded(spec()), undefined, ctx({ state: 'changed' }));
    expect(changed.action).toBe('update');
    expect(changed.changes).toEqual([{ path: 'value', before: '(sensitive)', after: '(sensitive, changed)', class: 'live' }]);
    expect(changed.steps.map((s) => s.op)).toEqual(['setValue']);
    const blind = planSecret(
      loaded(spec()),
      undefined,
      ctx({ state: 'unreadable', reason: 'environment variable CEPH_KEY is not set (or empty)' }),
    );
    expect(blind.action).toBe('no-op');
    expect(blind.reason).toBe('in sync; value not compared: environment variable CEPH_KEY is not set (or empty)');
  });

  it('redefines a new description in place and replaces for private (libvirt will not flip it), keeping the uuid', () => {
    const described = planSecret(loaded(spec({ description: 'new' })), undefined, ctx({ state: 'same' }));
    expect(described.steps.map((s) => s.op)).toEqual(['define']);
    expect(payloadOf(described.steps[0]!).xml).toContain('<uuid>u-1</uuid>');
    const flipped = planSecret(loaded(spec({ private: false })), undefined, ctx({ state: 'same' }));
    expect(flipped.action).toBe('replace');
    expect(flipped.steps.map((s) => s.op)).toEqual(['undefine', 'define', 'setValue']);
    expect(payloadOf(flipped.steps[1]!).xml).toContain('<uuid>u-1</uuid>');
    // Without the value at hand, undefining would lose it: refused.
    const blind = planSecret(
      loaded(spec({ private: false })),
      undefined,
      ctx({ state: 'unreadable', reason: 'environment variable CEPH_KEY is not set (or empty)' }),
    );
    expect(blind.refused).toBe(
      'replacing the secret needs its value, which cannot be read here (environment variable CEPH_KEY is not set (or empty))',
    );
  });
});

describe('readSecretValue', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vk-secret-value-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const read = (valueFrom: SecretSpec['valueFrom'], extra: Partial<SecretSpec> = {}, env: NodeJS.ProcessEnv = {}) =>
    readSecretValue(spec({ valueFrom, ...extra }), env).then((b) => b.toString('latin1'));

  it('drops one trailing newline from a file or a command, none from the environment, and decodes base64', async () => {
    await writeFile(path.join(dir, 'unix'), 'pa ss\n\n');
    await writeFile(path.join(dir, 'dos'), 'pass\r\n');
    await writeFile(path.join(dir, 'b64'), `${Buffer.from([0, 255, 1]).toString('base64')}\n`);
    expect(await read({ file: path.join(dir, 'unix') })).toBe('pa ss\n');
    expect(await read({ file: path.join(dir, 'dos') })).toBe('pass');
    expect(await read({ command: ['printf', 'from-command\\n'] })).toBe('from-command');
    expect(await read({ env: 'K' }, {}, { K: 'env-value\n' })).toBe('env-value\n');
    expect([...(await readSecretValue(spec({ valueFrom: { file: path.join(dir, 'b64') }, encoding: 'base64' }), {}))]).toEqual([0, 255, 1]);
  });

  it('names the source when it fails, never a value', async () => {
    const fails = (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: unknown) => (e instanceof SecretValueError ? e.message : `unexpected: ${String(e)}`),
      );
    expect(await fails(read({ file: path.join(dir, 'missing') }))).toBe(`secret file ${path.join(dir, 'missing')} does not exist`);
    expect(await fails(read({ env: 'NOPE' }))).toBe('environment variable NOPE is not set (or empty)');
    expect(await fails(read({ command: ['sh', '-c', 'echo denied >&2; exit 3'] }))).toBe('sh exited with status 3: denied');
    expect(await fails(read({ command: ['/nonexistent/prog'] }))).toBe('cannot run /nonexistent/prog: ENOENT');
    await writeFile(path.join(dir, 'notb64'), 'not base64!');
    expect(await fails(read({ file: path.join(dir, 'notb64') }, { encoding: 'base64' }))).toMatch(/is not base64 text/);
  });
});

describe('secret digests', () => {
  it('match the same value only, and differ between records of one value (salted)', () => {
    const a = newSecretDigest(Buffer.from('hunter2'));
    const b = newSecretDigest(Buffer.from('hunter2'));
    expect(a.digest).not.toBe(b.digest);
    expect(sameSecretValue(Buffer.from('hunter2'), a)).toBe(true);
    expect(sameSecretValue(Buffer.from('hunter3'), a)).toBe(false);
  });
});

describe('Secret manifests at validation', () => {
  it('refuses an inline value with the fix, naming file, line and field', async () => {
    const { loadFromSources } = await import('../../../../src/manifests/load-sources.js');
    const text =
      'apiVersion: virtkeeper.io/v1\nkind: Secret\nmetadata: {name: s}\nspec:\n  usage: {ceph: c}\n  valueFrom: {env: K}\n  value: hunter2\n';
    const { errors } = loadFromSources('/m', [{ file: 's.yaml', bytes: Buffer.from(text) }]);
    expect(errors.map((e) => `${e.file}:${e.line} ${e.path}: ${e.message}`)).toEqual([
      's.yaml:7 spec.value: a secret value must not be written in a manifest (it would be in git and in every plan); give valueFrom: {file|env|command} instead',
    ]);
  });
});

describe('graphics passwordFrom at validation', () => {
  it('must name a declared Secret', async () => {
    const { loadFromSources } = await import('../../../../src/manifests/load-sources.js');
    const text =
      'apiVersion: virtkeeper.io/v1\nkind: Domain\nmetadata: {name: d}\nspec:\n  memory: 64MiB\n  graphics:\n    - {type: vnc, passwordFrom: {secret: nope}}\n';
    const { errors } = loadFromSources('/m', [{ file: 'd.yaml', bytes: Buffer.from(text) }]);
    expect(errors.map((e) => `${e.file}:${e.line} ${e.path}: ${e.message}`)).toEqual([
      'd.yaml:7 spec.graphics[0].passwordFrom.secret: refers to Secret "nope", which no manifest declares',
    ]);
  });
});

describe('graphics passwords from Secrets', () => {
  it('a Secret without usage only holds a value: never defined in libvirt', () => {
    const change = planSecret(
      {
        key: 'Secret/vnc',
        manifest: { ...manifest({ valueFrom: { file: '/run/vnc' } }), metadata: { name: 'vnc' } },
        source: { file: 'a.yaml', line: 1, column: 1 },
      },
      undefined,
      { desired: createDesiredState('/m', []), live: new Map() },
    );
    expect(change.action).toBe('no-op');
    expect(change.reason).toMatch(/not defined in libvirt/);
  });

  it('the generated XML holds a placeholder, the define step where the value is read, and a changed value redefines', async () => {
    const { planDomain } = await import('../../../../src/resources/domain/plan.js');
    const { passwordDigestKey } = await import('../../../../src/resources/domain/passwords.js');
    const secret: SecretManifest = {
      apiVersion: 'virtkeeper.io/v1',
      kind: 'Secret',
      metadata: { name: 'vnc' },
      spec: { valueFrom: { env: 'VNC_PW' } },
    };
    const domain = {
      apiVersion: 'virtkeeper.io/v1' as const,
      kind: 'Domain' as const,
      metadata: { name: 'web-1' },
      spec: {
        type: 'test' as const,
        state: 'stopped' as const,
        memory: '64MiB',
        graphics: [{ type: 'vnc' as const, passwordFrom: { secret: 'vnc' } }],
      },
    };
    const desired = createDesiredState('/m', [
      { manifest: secret, source: { file: 's.yaml', line: 1, column: 1 } },
      { manifest: domain, source: { file: 'd.yaml', line: 1, column: 1 } },
    ]);
    const loaded = desired.byKey.get('Domain/web-1')! as Parameters<typeof planDomain>[0] & object;
    const created = planDomain(loaded, undefined, { desired, live: new Map() });
    const define = created.steps.find((s) => s.op === 'define')!;
    expect(payloadOf(define).xml).toContain('passwd="virtkeeper-secret:vnc"');
    expect(payloadOf(define).passwords).toEqual([{ secret: 'vnc', valueFrom: { env: 'VNC_PW' }, encoding: 'raw' }]);

    // On the host as defined: the same graphics, its password unknown to the plan (libvirt hides it).
    const { domainSpecFromXml: domainFromXml } = await import('../../../../src/resources/domain/from-xml.js');
    const xml = String(payloadOf(define).xml).replace('passwd="virtkeeper-secret:vnc"', '');
    const live: LiveResource<'Domain'> = {
      key: 'Domain/web-1',
      kind: 'Domain',
      name: 'web-1',
      xml,
      spec: domainFromXml(xml, { active: false, state: 'shutoff' }),
      active: false,
      persistent: true,
      markedOwned: true,
    };
    const ctx = (state: SecretValueState): PlanContext => ({
      desired,
      live: new Map([['Domain/web-1', live as LiveResource]]),
      secretValues: new Map([[passwordDigestKey('Domain/web-1', 'vnc'), state]]),
    });
    const same = planDomain(loaded, live, ctx({ state: 'same' }));
    expect(same.action, JSON.stringify(same.changes)).toBe('no-op');
    const changed = planDomain(loaded, live, ctx({ state: 'changed' }));
    expect(changed.changes).toEqual([
      { path: 'spec.graphics[0].password', before: '(sensitive)', after: '(sensitive, changed)', class: 'redefine' },
    ]);
    expect(changed.steps.map((s) => s.op)).toContain('define');
  });
});
