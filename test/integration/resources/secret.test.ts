// The Secret kind against libvirt's real secret driver (qemu:///system of the private libvirtd;
// the test driver has no secrets): created with its value, unchanged while the value is, a new
// value set when it changes (told by the salted digest in the state store), left alone when the
// value cannot be read here, and undefined by prune. The value never appears in what virtkeeper
// prints or stores.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { filesText, usePrivateQemuSystem } from '../../support/qemu-system.js';
import { apply, plan } from '../reconciler/support.js';

describe('Secret on the real secret driver', () => {
  const sandbox = usePrivateQemuSystem('vk-secret-');
  let manifests: string;
  let stateDir: string;
  let valueFile: string;
  const virsh = (...args: string[]) => execFileSync('virsh', ['-q', '-c', sandbox.uri, ...args], { encoding: 'utf8' }).trim();
  const uuidOf = (usage: string) =>
    virsh('secret-list')
      .split('\n')
      .find((l) => l.includes(usage))
      ?.trim()
      .split(/\s+/)[0];
  const secretManifest = (extra: Record<string, unknown> = {}) => `apiVersion: virtkeeper.io/v1
kind: Secret
metadata: {name: ceph-client}
spec:
  usage: {ceph: client.vk-test secret}
  valueFrom: {file: ${valueFile}}
  private: false
  description: ${JSON.stringify(extra.description ?? 'rbd pool key')}
`;
  beforeAll(async () => {
    manifests = path.join(sandbox.work, 'manifests');
    stateDir = path.join(sandbox.work, 'state');
    valueFile = path.join(sandbox.work, 'ceph.key');
    await mkdir(manifests, { recursive: true });
  });

  it('sets the value, tells a changed value by its digest, never prints or stores it, and prune undefines the secret', async (ctx) => {
    sandbox.requireDriver(ctx);
    const { uri } = sandbox;
    const first = `first-${randomBytes(12).toString('hex')}`;
    const second = `second-${randomBytes(12).toString('hex')}`;
    await writeFile(valueFile, `${first}\n`); // the trailing newline is dropped
    await writeFile(path.join(manifests, 'secret.yaml'), secretManifest());
    const outputs: string[] = [];
    const run = async (what: 'plan' | 'apply', extra: Record<string, unknown> = {}) => {
      const r =
        what === 'plan'
          ? await plan(manifests, { connect: uri, stateDir, detailedExitcode: true, ...extra })
          : await apply(manifests, { connect: uri, stateDir, autoApprove: true, ...extra });
      outputs.push(r.stdout, r.stderr);
      return r;
    };

    const created = await run('apply');
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const uuid = uuidOf('client.vk-test secret');
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.from(virsh('secret-get-value', uuid!), 'base64').toString()).toBe(first);
    {
      const again = await run('plan');
      expect(again.code, again.stdout + again.stderr).toBe(0);
    }

    await writeFile(valueFile, second);
    const changed = await run('plan');
    expect(changed.code).toBe(2);
    expect(changed.stdout).toContain('~ value: "(sensitive)" → "(sensitive, changed)"');
    for (const format of [{ json: true }, { markdown: true }]) await run('plan', format);
    expect((await run('apply')).code).toBe(0);
    expect(Buffer.from(virsh('secret-get-value', uuid!), 'base64').toString()).toBe(second);
    expect(uuidOf('client.vk-test secret')).toBe(uuid); // the same secret: domains refer to it by uuid
    {
      const again = await run('plan');
      expect(again.code, again.stdout + again.stderr).toBe(0);
    }

    // A plan where the value cannot be read (CI without the secret) compares nothing and fails nothing.
    await rm(valueFile);
    const blind = await run('plan', { json: true });
    expect(blind.code).toBe(0);
    expect(blind.stdout).toContain('value not compared: secret file');
    await writeFile(valueFile, second);

    await writeFile(path.join(manifests, 'secret.yaml'), '');
    await writeFile(
      path.join(manifests, 'other.yaml'),
      'apiVersion: virtkeeper.io/v1\nkind: Secret\nmetadata: {name: keep}\nspec: {usage: {tls: vk-keep}, valueFrom: {file: ' +
        valueFile +
        '}}\n',
    );
    const pruned = await run('apply', { prune: true, pruneMax: 1 });
    expect(pruned.code, pruned.stdout + pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain('Secret/ceph-client: delete done');
    expect(uuidOf('client.vk-test secret')).toBeUndefined();

    const everything = outputs.join('\n') + (await filesText(stateDir));
    for (const value of [first, second]) expect(everything).not.toContain(value);
  });
});
