// Secrets that other objects refer to, against the private libvirtd's real secret, storage and
// QEMU drivers (the domain is defined, not started): a LUKS volume that libvirt formats with the
// passphrase of a Secret with usage volume (qemu-img sees a luks image), a domain whose volume
// disk takes that encryption and whose rbd disk logs in with a Secret with usage ceph, plans that
// are empty once applied, and prune taking everything away users first, secrets last.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { usePrivateQemuSystem } from '../../support/qemu-system.js';
import { apply, plan } from '../reconciler/support.js';

describe('Secrets referred to by volumes and disks', () => {
  const sandbox = usePrivateQemuSystem('vk-secret-refs-');
  it("creates a LUKS volume with a Secret's passphrase, refers to secrets by usage in the domain, converges, and prunes users before secrets", async (ctx) => {
    sandbox.requireDriver(ctx);
    const { uri, work } = sandbox;
    const manifests = path.join(work, 'manifests');
    const stateDir = path.join(work, 'state');
    const poolDir = path.join(work, 'pool');
    await mkdir(manifests, { recursive: true });
    await mkdir(poolDir, { recursive: true });
    await writeFile(path.join(work, 'passphrase'), 'correct horse battery staple\n');
    process.env.VK_TEST_CEPH_KEY = Buffer.from('ceph-key-bytes').toString('base64');
    const volumePath = path.join(poolDir, 'enc.img');
    const secrets = `apiVersion: virtkeeper.io/v1
kind: Secret
metadata: {name: enc-pass}
spec: {usage: {volume: ${volumePath}}, valueFrom: {file: ${path.join(work, 'passphrase')}}}
---
apiVersion: virtkeeper.io/v1
kind: Secret
metadata: {name: ceph-admin}
spec: {usage: {ceph: client.admin secret}, valueFrom: {env: VK_TEST_CEPH_KEY}, encoding: base64}
`;
    const storage = `apiVersion: virtkeeper.io/v1
kind: StoragePool
metadata: {name: vault}
spec: {type: dir, path: ${poolDir}}
---
apiVersion: virtkeeper.io/v1
kind: StorageVolume
metadata: {name: enc.img}
spec: {pool: vault, capacity: 8MiB, format: raw, encryption: {secret: enc-pass}}
`;
    const domain = (username: string) => `apiVersion: virtkeeper.io/v1
kind: Domain
metadata: {name: sealed}
spec:
  type: qemu
  state: stopped
  memory: 64MiB
  os: {type: hvm, arch: x86_64, machine: pc}
  disks:
    - {target: vda, bus: virtio, volume: {pool: vault, name: enc.img}}
    - target: vdb
      bus: virtio
      network: {protocol: rbd, name: rbd/sealed, hosts: [{name: mon1.example, port: 6789}], auth: {username: ${username}, secret: ceph-admin}}
`;
    await writeFile(path.join(manifests, 'secrets.yaml'), secrets);
    await writeFile(path.join(manifests, 'storage.yaml'), storage);
    await writeFile(path.join(manifests, 'domain.yaml'), domain('admin'));
    const virsh = (...args: string[]) => execFileSync('virsh', ['-q', '-c', uri, ...args], { encoding: 'utf8' });
    try {
      const created = await apply(manifests, { connect: uri, stateDir, autoApprove: true });
      expect(created.code, created.stdout + created.stderr).toBe(0);
      // libvirt formatted the volume as LUKS with the Secret's passphrase.
      expect(execFileSync('qemu-img', ['info', volumePath], { encoding: 'utf8' })).toMatch(/file format: luks[\s\S]*encrypted: yes/);
      // Opening it takes that passphrase (without the file's trailing newline) and no other.
      const open = (passphrase: string) =>
        execFileSync(
          'qemu-img',
          [
            'convert',
            '--object',
            `secret,id=s0,data=${passphrase}`,
            '--image-opts',
            '-O',
            'raw',
            `driver=luks,key-secret=s0,file.filename=${volumePath}`,
            path.join(work, 'plain.img'),
          ],
          { stdio: 'pipe' },
        );
      open('correct horse battery staple');
      expect(() => open('wrong')).toThrow(/Invalid password/);
      const xml = virsh('dumpxml', '--inactive', 'sealed');
      expect(xml).toContain(`<secret type='passphrase' usage='${volumePath}'/>`);
      expect(xml).toContain("<auth username='admin'>");
      expect(xml).toContain("<secret type='ceph' usage='client.admin secret'/>");
      const settled = await plan(manifests, { connect: uri, stateDir, detailedExitcode: true });
      expect(settled.code, settled.stdout + settled.stderr).toBe(0);

      await writeFile(path.join(manifests, 'domain.yaml'), domain('operator'));
      const changed = await plan(manifests, { connect: uri, stateDir, detailedExitcode: true });
      expect(changed.code, changed.stdout).toBe(2);
      expect(changed.stdout).toContain('~ spec.disks[1].network.auth.username: "admin" → "operator"');
      expect((await apply(manifests, { connect: uri, stateDir, autoApprove: true })).code).toBe(0);
      expect(virsh('dumpxml', '--inactive', 'sealed')).toContain("<auth username='operator'>");

      // Everything but the pool leaves the manifests: users go before the secrets they use, and
      // a secret whose user stays (its delete refused) stays too.
      const pool = (annotations: string) =>
        `apiVersion: virtkeeper.io/v1\nkind: StoragePool\nmetadata: {name: vault${annotations}}\nspec: {type: dir, path: ${poolDir}}\n`;
      for (const f of ['secrets.yaml', 'domain.yaml']) await writeFile(path.join(manifests, f), '');
      await writeFile(path.join(manifests, 'storage.yaml'), pool(''));
      const held = await apply(manifests, { connect: uri, stateDir, autoApprove: true, prune: true, pruneMax: 10 });
      expect(held.code).toBe(1);
      expect(held.stdout).toContain('StorageVolume/vault/enc.img: delete REFUSED');
      expect(held.stdout).toContain('Secret/enc-pass: delete SKIPPED: dependency StorageVolume/vault/enc.img was refused');
      expect(held.stdout.indexOf('Secret/ceph-admin: delete done')).toBeGreaterThan(held.stdout.indexOf('Domain/sealed: delete done'));
      expect(virsh('secret-list')).toContain(volumePath);
      expect(virsh('secret-list')).not.toContain('client.admin secret');

      await writeFile(path.join(manifests, 'storage.yaml'), pool(', annotations: {virtkeeper.io/allow-delete: "true"}'));
      const pruned = await apply(manifests, { connect: uri, stateDir, autoApprove: true, prune: true, pruneMax: 10 });
      expect(pruned.code, pruned.stdout + pruned.stderr).toBe(0);
      const volumeDone = pruned.stdout.indexOf('StorageVolume/vault/enc.img: delete done');
      expect(volumeDone).toBeGreaterThanOrEqual(0);
      expect(pruned.stdout.indexOf('Secret/enc-pass: delete done')).toBeGreaterThan(volumeDone);
      expect(virsh('secret-list')).not.toContain(volumePath);
    } finally {
      delete process.env.VK_TEST_CEPH_KEY;
    }
  }, 180_000);
});
