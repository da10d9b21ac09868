// Secret values in a cloud-init seed, against the private libvirtd's real storage driver (a dir
// pool in a temp dir) and QEMU driver (the domain is defined, not started): the seed uploaded with
// the value in place of its placeholder (read back by isoinfo, an independent ISO reader), plans
// that show the placeholder and "(sensitive)", a changed value told by its digest and written
// again into the same volume, a value that would break the YAML refused by the Secret's name with
// the seed left as it was — and no value in anything virtkeeper prints or stores.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesText, usePrivateQemuSystem } from '../../support/qemu-system.js';
import { apply, plan } from '../reconciler/support.js';

describe('cloud-init seed with Secret values', () => {
  const sandbox = usePrivateQemuSystem('vk-seed-secret-');
  it('writes the value into the seed only, rewrites the seed when the value changes, and refuses a value that breaks the YAML', async (ctx) => {
    sandbox.requireDriver(ctx);
    const { uri, work } = sandbox;
    const manifests = path.join(work, 'manifests');
    const stateDir = path.join(work, 'state');
    const poolDir = path.join(work, 'pool');
    const valueFile = path.join(work, 'password');
    await mkdir(manifests, { recursive: true });
    await mkdir(poolDir, { recursive: true });
    const values = {
      first: `first-${randomBytes(8).toString('hex')}`,
      second: `second-é-${randomBytes(16).toString('hex')}`,
      broken: `br"oken: [${randomBytes(4).toString('hex')}`,
    };
    await writeFile(valueFile, `${values.first}\n`);
    const userData = (v: string) => `#cloud-config\nchpasswd:\n  expire: false\n  users: [{name: ubuntu, password: "${v}"}]\n`;
    await writeFile(
      path.join(manifests, 'host.yaml'),
      `apiVersion: virtkeeper.io/v1
kind: StoragePool
metadata: {name: seeds}
spec: {type: dir, path: ${poolDir}}
---
apiVersion: virtkeeper.io/v1
kind: Secret
metadata: {name: ubuntu-password}
spec: {valueFrom: {file: ${valueFile}}}
---
apiVersion: virtkeeper.io/v1
kind: Domain
metadata: {name: seeded}
spec:
  type: qemu
  state: stopped
  memory: 64MiB
  os: {type: hvm, arch: x86_64, machine: pc}
  cloudInit:
    pool: seeds
    userData: ${JSON.stringify(userData('@UBUNTU_PASSWORD@'))}
    secretRefs: [{placeholder: "@UBUNTU_PASSWORD@", secret: ubuntu-password}]
`,
    );
    const outputs: string[] = [];
    const run = async (what: 'plan' | 'apply', extra: Record<string, unknown> = {}) => {
      const r =
        what === 'plan'
          ? await plan(manifests, { connect: uri, stateDir, detailedExitcode: true, ...extra })
          : await apply(manifests, { connect: uri, stateDir, autoApprove: true, ...extra });
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    const seedVolumes = async () => (await readdir(poolDir)).filter((f) => f.startsWith('seeded-cidata-'));
    const userDataOnDisk = async () => {
      const [volume] = await seedVolumes();
      return execFileSync('isoinfo', ['-J', '-x', '/user-data', '-i', path.join(poolDir, volume!)], { encoding: 'utf8' });
    };

    const planned = await run('plan');
    expect(planned.code, planned.stdout + planned.stderr).toBe(2);
    expect(planned.stdout).toContain('+ seed.secrets[ubuntu-password]: "(sensitive)"');
    expect(planned.stdout).toContain('@UBUNTU_PASSWORD@'); // the plan shows the placeholder
    for (const format of [{ json: true }, { markdown: true }]) await run('plan', format);

    const created = await run('apply');
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(await userDataOnDisk()).toBe(userData(values.first));
    const [volume] = await seedVolumes();
    // The volume is padded to its capacity: room for the largest value, and nothing of an older image.
    const capacity = Number(
      /<capacity unit='bytes'>(\d+)</.exec(
        execFileSync('virsh', ['-c', uri, 'vol-dumpxml', '--pool', 'seeds', volume!], { encoding: 'utf8' }),
      )?.[1],
    );
    expect((await stat(path.join(poolDir, volume!))).size).toBe(capacity);
    const settled = await run('plan');
    expect(settled.code, settled.stdout + settled.stderr).toBe(0);

    await writeFile(valueFile, values.second);
    const changed = await run('plan');
    expect(changed.code, changed.stdout + changed.stderr).toBe(2);
    expect(changed.stdout).toContain('~ seed.secrets[ubuntu-password]: "(sensitive)" → "(sensitive, changed)"');
    expect(changed.stdout).toContain('the seed is written again in place');
    expect(changed.stdout).not.toContain('Domain/seeded update'); // same volume, same cdrom
    const rewritten = await run('apply');
    expect(rewritten.code, rewritten.stdout + rewritten.stderr).toBe(0);
    expect(await seedVolumes()).toEqual([volume]);
    expect(await userDataOnDisk()).toBe(userData(values.second));
    const again = await run('plan');
    expect(again.code, again.stdout + again.stderr).toBe(0);

    // A value that would break the YAML: refused by the Secret's name, the seed left as it was.
    await writeFile(valueFile, values.broken);
    const refused = await run('apply');
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain(
      "the value of Secret ubuntu-password breaks the YAML of the seed's user-data (line 4)",
    );
    expect(refused.stdout + refused.stderr).toContain('the volume existed before this change and was left as it is');
    expect(await userDataOnDisk()).toBe(userData(values.second));

    // A plan that cannot read the value (CI without the secret) compares nothing and fails nothing.
    await rm(valueFile);
    const blind = await run('plan');
    expect(blind.code, blind.stdout + blind.stderr).toBe(0);

    const stored = await filesText(stateDir);
    const libvirt = execFileSync('virsh', ['-c', uri, 'dumpxml', '--security-info', 'seeded'], { encoding: 'utf8' });
    const everything = [...outputs, stored, libvirt].join('\n');
    for (const v of Object.values(values)) expect(everything).not.toContain(v);
  }, 180_000);
});
