// spec.cloudInit at load time: fromFile read relative to the manifest and only inside the tree,
// the seed's volume and cdrom added to the desired state, problems named by file, line and field.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedManifestLoader, loadManifests } from '../../../src/manifests/loader.js';
import { renderValidation } from '../../../src/cli/commands/validate.js';
import { volumeKey } from '../../../src/resources/storage-volume/key.js';
import type { DomainManifest } from '../../../src/resources/domain/schema.js';
import type { StorageVolumeManifest } from '../../../src/resources/storage-volume/schema.js';

const pool = `apiVersion: virtkeeper.io/v1
kind: StoragePool
metadata: {name: seeds}
spec: {type: dir, path: /var/lib/seeds}
`;

const domain = (cloudInit: string) => `apiVersion: virtkeeper.io/v1
kind: Domain
metadata: {name: web-1}
spec:
  memory: 256MiB
  cloudInit:
${cloudInit
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;

describe('cloudInit in the loader', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vk-ci-load-'));
    await mkdir(path.join(dir, 'hosts'));
    await writeFile(path.join(dir, 'pool.yaml'), pool);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads fromFile relative to the manifest, adds the seed volume and cdrom, and does not take the file for a manifest', async () => {
    await writeFile(path.join(dir, 'hosts', 'web-1.yaml'), domain('pool: seeds\nuserData: {fromFile: web-1.user-data.yaml}'));
    await writeFile(path.join(dir, 'hosts', 'web-1.user-data.yaml'), '#cloud-config\npackages: [nginx]\n');
    const { state, errors } = await loadManifests(dir);
    expect(errors).toEqual([]);
    const web = state.byKey.get('Domain/web-1')!.manifest as DomainManifest;
    expect(web.spec.cloudInit).toBeUndefined();
    const cdrom = web.spec.disks!.at(-1)!;
    expect(cdrom).toMatchObject({ device: 'cdrom', target: 'hda', bus: 'ide', readonly: true, volume: { pool: 'seeds' } });
    const volume = state.byKey.get(volumeKey('seeds', cdrom.volume!.name))!.manifest as StorageVolumeManifest;
    expect(volume.metadata.name).toMatch(/^web-1-cidata-[0-9a-f]{12}\.iso$/);
    const userData = volume.spec.source!.seed!.files.find((f) => f.name === 'user-data');
    expect(userData?.text).toBe('#cloud-config\npackages: [nginx]\n');
  });

  it('validate counts the derived seed apart from the manifests', async () => {
    await writeFile(path.join(dir, 'web-1.yaml'), domain('pool: seeds'));
    const out = renderValidation('m', await loadManifests(dir), { json: false });
    expect(out.stdout).toBe('m: 2 manifests in 2 files, all valid (1 cloud-init seed derived from them)\n');
  });

  it('names the manifest, line and field when fromFile is missing or leaves the tree', async () => {
    await writeFile(path.join(os.tmpdir(), 'vk-outside-user-data'), '#cloud-config\n');
    await symlink(path.join(os.tmpdir(), 'vk-outside-user-data'), path.join(dir, 'hosts', 'escape'));
    await writeFile(path.join(dir, 'hosts', 'a.yaml'), domain('pool: seeds\nuserData: {fromFile: nope.yaml}'));
    await writeFile(path.join(dir, 'hosts', 'b.yaml'), domain('pool: seeds\nuserData: {fromFile: escape}').replace('web-1', 'web-2'));
    await writeFile(
      path.join(dir, 'hosts', 'c.yaml'),
      domain('pool: seeds\nuserData: {fromFile: /etc/hostname}').replace('web-1', 'web-3'),
    );
    const { errors } = await loadManifests(dir);
    const lines = errors.map((e) => `${e.file}:${e.line} ${e.path}: ${e.message}`);
    expect(lines).toEqual([
      `hosts/a.yaml:8 spec.cloudInit.userData.fromFile: "nope.yaml" does not exist (paths are relative to the manifest's directory)`,
      `hosts/b.yaml:8 spec.cloudInit.userData.fromFile: "escape" is outside the manifest directory; keep included files in the manifest tree`,
      `hosts/c.yaml:8 spec.cloudInit.userData.fromFile: "/etc/hostname" is an absolute path; give a path relative to the manifest's directory`,
      'hosts/escape:1 : is a symlink to outside the manifest directory', // the tree walk says so too
    ]);
  });

  it('reports user-data cloud-init would ignore, a missing pool and a taken target at their fields', async () => {
    await writeFile(path.join(dir, 'a.yaml'), domain('pool: seeds\nuserData: "packages: [nginx]"'));
    await writeFile(path.join(dir, 'b.yaml'), domain('userData: {packages: [nginx]}').replace('web-1', 'web-2'));
    await writeFile(path.join(dir, 'c.yaml'), domain('pool: nowhere').replace('web-1', 'web-3'));
    await writeFile(
      path.join(dir, 'd.yaml'),
      domain('pool: seeds\ntarget: hdc')
        .replace('web-1', 'web-4')
        .replace('memory: 256MiB', 'memory: 256MiB\n  disks: [{device: cdrom, target: hdc, bus: ide}]'),
    );
    const { errors } = await loadManifests(dir);
    const byFile = Object.fromEntries(errors.map((e) => [e.file, `${e.path}: ${e.message}`]));
    expect(byFile['a.yaml']).toMatch(/^spec\.cloudInit\.userData: starts with "packages: \[nginx\]", which cloud-init does not recognise/);
    expect(byFile['b.yaml']).toBe(
      'spec.cloudInit.pool: is not set and no disk has a volume to take the pool from; name the StoragePool the seed volume goes into',
    );
    expect(byFile['c.yaml']).toBe('spec.cloudInit.pool: refers to StoragePool "nowhere", which no manifest declares');
    expect(byFile['d.yaml']).toBe('spec.cloudInit.target: hdc is already a disk of this domain; choose a free device name');
  });

  it('reads sshAuthorizedKeys from .pub files (one key per line) into the user-data', async () => {
    await mkdir(path.join(dir, 'keys'));
    await writeFile(
      path.join(dir, 'keys', 'ops.pub'),
      '# ops team\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA1 alice\n\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA2 bob\n',
    );
    await writeFile(path.join(dir, 'keys', 'empty.pub'), '\n');
    await writeFile(
      path.join(dir, 'web-1.yaml'),
      domain('pool: seeds\nsshAuthorizedKeys: [{fromFile: keys/ops.pub}, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA3 carol"]'),
    );
    await writeFile(
      path.join(dir, 'web-2.yaml'),
      domain('pool: seeds\nsshAuthorizedKeys: [{fromFile: keys/empty.pub}]').replace('web-1', 'web-2'),
    );
    const { state, errors } = await loadManifests(dir);
    expect(errors.map((e) => `${e.file}:${e.line} ${e.path}: ${e.message}`)).toEqual([
      'web-2.yaml:8 spec.cloudInit.sshAuthorizedKeys[0].fromFile: "keys/empty.pub" holds no key',
    ]);
    const web = state.byKey.get('Domain/web-1')!.manifest as DomainManifest;
    const seed = (state.byKey.get(volumeKey('seeds', web.spec.disks!.at(-1)!.volume!.name))!.manifest as StorageVolumeManifest).spec.source!
      .seed!;
    expect(seed.files.find((f) => f.name === 'user-data')!.text).toBe(
      '#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA1 alice\n  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA2 bob\n  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA3 carol\n',
    );
  });

  it('reports secretRefs whose placeholder is in no seed file, or whose Secret no manifest declares, at their lines', async () => {
    const secret = 'apiVersion: virtkeeper.io/v1\nkind: Secret\nmetadata: {name: pw}\nspec: {valueFrom: {env: PW}}\n';
    await writeFile(path.join(dir, 'secret.yaml'), secret);
    await writeFile(
      path.join(dir, 'a.yaml'),
      domain(
        'pool: seeds\nuserData: "#cloud-config\\npassword: \'@PW@\'\\n"\nsecretRefs:\n  - {placeholder: "@PW@", secret: pw}\n  - {placeholder: "@TYPO@", secret: pw}',
      ),
    );
    await writeFile(
      path.join(dir, 'b.yaml'),
      domain('pool: seeds\nuserData: "#cloud-config\\npassword: \'@PW@\'\\n"\nsecretRefs: [{placeholder: "@PW@", secret: nope}]').replace(
        'web-1',
        'web-2',
      ),
    );
    await writeFile(
      path.join(dir, 'c.yaml'),
      domain('pool: seeds\nuserData: "#cloud-config\\npassword: \'@PW@\'\\n"\nsecretRefs: [{placeholder: "@PW@", secret: pw}]').replace(
        'web-1',
        'web-3',
      ),
    );
    const { state, errors } = await loadManifests(dir);
    expect(errors.map((e) => `${e.file}:${e.line} ${e.path}: ${e.message}`)).toEqual([
      'a.yaml:11 spec.cloudInit.secretRefs[1].placeholder: "@TYPO@" appears in none of the seed\'s files (meta-data, user-data); write it where the value of Secret pw goes',
      'b.yaml:9 spec.cloudInit.secretRefs[0].secret: refers to Secret "nope", which no manifest declares',
    ]);
    const web = state.byKey.get('Domain/web-3')!.manifest as DomainManifest;
    const seed = (state.byKey.get(volumeKey('seeds', web.spec.disks!.at(-1)!.volume!.name))!.manifest as StorageVolumeManifest).spec.source!
      .seed!;
    expect(seed.secretRefs).toEqual([{ placeholder: '@PW@', secret: 'pw' }]);
    expect(seed.files.find((f) => f.name === 'user-data')!.text).toBe("#cloud-config\npassword: '@PW@'\n");
  });

  it('still reports a .yaml file without apiVersion and kind that no manifest includes', async () => {
    await writeFile(path.join(dir, 'stray.yaml'), 'packages: [nginx]\n');
    const { errors } = await loadManifests(dir);
    expect(errors.map((e) => `${e.file} ${e.path}: ${e.message}`)).toEqual([
      'stray.yaml apiVersion: is required',
      'stray.yaml kind: is required',
    ]);
  });

  it('a cached load sees an edit of an included file as a change', async () => {
    const file = path.join(dir, 'user-data.txt');
    await writeFile(path.join(dir, 'web-1.yaml'), domain('pool: seeds\nuserData: {fromFile: user-data.txt}'));
    await writeFile(file, '#cloud-config\npackages: [nginx]\n');
    const load = cachedManifestLoader();
    const seedName = async () =>
      ((await load(dir)).state.byKey.get('Domain/web-1')!.manifest as DomainManifest).spec.disks!.at(-1)!.volume!.name;
    const before = await seedName();
    expect(await seedName()).toBe(before);
    await writeFile(file, '#cloud-config\npackages: [apache2]\n');
    expect(await seedName()).not.toBe(before);
  });
});
