import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manifestsOfKind } from '../../../src/manifests/desired-state.js';
import { formatError } from '../../../src/manifests/errors.js';
import { loadManifests } from '../../../src/manifests/loader.js';
import { ManifestRootError } from '../../../src/manifests/walk.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'vk-manifests-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(rel: string, content: string | Uint8Array): Promise<void> {
  const file = path.join(root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

const pool = (name = 'images') => `apiVersion: virtkeeper.io/v1
kind: StoragePool
metadata: {name: ${name}}
spec: {type: dir, path: /var/lib/libvirt/${name}}
`;
const domain = (name: string, spec = 'memory: 1GiB') => `apiVersion: virtkeeper.io/v1
kind: Domain
metadata:
  name: ${name}
spec:
  ${spec}
`;

async function errorsOf(dir = root): Promise<string[]> {
  return (await loadManifests(dir)).errors.map(formatError);
}

describe('loadManifests: files', () => {
  it('reads *.yaml and *.yml recursively, multi-document, and ignores other files', async () => {
    await put('pools.yaml', `${pool('a')}---\n${pool('b')}`);
    await put('vms/deep/web.yml', domain('web-1'));
    await put('README.md', 'not yaml: [');
    await put('notes.txt', 'kind: Domain');
    const result = await loadManifests(root);
    expect(result.errors).toEqual([]);
    expect(result.files).toEqual(['pools.yaml', 'vms/deep/web.yml']);
    expect(result.state.manifests.map((m) => m.key)).toEqual(['StoragePool/a', 'StoragePool/b', 'Domain/web-1']);
    expect(result.state.manifests[1].source).toEqual({ file: 'pools.yaml', line: 6, column: 1 });
  });

  it('skips hidden directories and files (.git, editor swap files)', async () => {
    await put('.git/config.yaml', 'garbage: [');
    await put('.web.yaml.swp.yaml', 'garbage: [');
    await put('ok.yaml', domain('web-1'));
    expect(await errorsOf()).toEqual([]);
  });

  it('follows a symlinked root, as git-sync creates, and reports paths relative to it', async () => {
    await put('rev-1/vms/web.yaml', domain('web-1', 'memory: lots'));
    const link = path.join(root, 'current');
    await symlink(path.join(root, 'rev-1'), link);
    expect(await errorsOf(link)).toEqual([
      'vms/web.yaml:6:11 spec.memory: must be a size like 2GiB (units B, KiB, MiB, GiB, TiB, PiB; a bare number is KiB)',
    ]);
  });

  it('follows symlinks inside the tree, survives loops, refuses links leaving the root', async () => {
    await put('real/web.yaml', domain('web-1'));
    await symlink('../real', path.join(root, 'real', 'loop'));
    await symlink('real/web.yaml', path.join(root, 'alias.yaml'));
    await symlink('/etc/passwd', path.join(root, 'passwd.yaml'));
    await symlink('missing.yaml', path.join(root, 'dangling.yaml'));
    // alias.yaml sorts first, so the file it points to is the duplicate; real/loop is not re-read.
    expect(await errorsOf()).toEqual([
      'dangling.yaml:1:1 is a broken symlink',
      'passwd.yaml:1:1 is a symlink to outside the manifest directory',
      'real/web.yaml:4:9 metadata.name: Domain "web-1" is already declared at alias.yaml:4:9',
    ]);
  });

  it('rejects files over 1 MiB by default without parsing them', async () => {
    await put('big.yaml', `# ${'x'.repeat(1024 * 1024)}\n`);
    await put('fits.yaml', `# ${'x'.repeat(1024 * 1024 - 10)}\n`);
    expect(await errorsOf()).toEqual([`big.yaml:1:1 file is too large (${1024 * 1024 + 3} bytes; limit 1048576)`]);
  });

  it('never opens a FIFO (reading one would block forever)', async () => {
    execFileSync('mkfifo', [path.join(root, 'pipe.yaml')]);
    expect(await errorsOf()).toEqual(['pipe.yaml:1:1 is not a regular file']);
  });

  it('throws ManifestRootError when the root is missing or not a directory', async () => {
    await expect(loadManifests(path.join(root, 'nope'))).rejects.toBeInstanceOf(ManifestRootError);
    await put('file.yaml', domain('x'));
    await expect(loadManifests(path.join(root, 'file.yaml'))).rejects.toThrow(/not a directory/);
  });

  it('accepts an empty directory, comment-only files, empty documents and a BOM', async () => {
    await put('empty.yaml', '# nothing yet\n---\n---\n');
    await put('bom.yaml', '\uFEFF' + domain('web-1'));
    const result = await loadManifests(root);
    expect(result.errors).toEqual([]);
    expect(result.state.manifests).toHaveLength(1);
  });
});

describe('loadManifests: positions and messages', () => {
  it('points at the value for bad values, at the key for unknown fields, at the parent for missing ones', async () => {
    await put(
      'a.yaml',
      `apiVersion: virtkeeper.io/v1
kind: Domain
metadata: {name: web-1}
spec:
  vcpus: 2
  disks:
    - {target: vda, file: /img, cache: sometimes}
  grafics: []
`,
    );
    expect(await errorsOf()).toEqual([
      'a.yaml:4:1 spec.memory: is required',
      'a.yaml:7:40 spec.disks[0].cache: must be one of: default, none, writethrough, writeback, directsync, unsafe',
      'a.yaml:8:3 spec.grafics: unknown field (did you mean "graphics"?)',
    ]);
  });

  it('reports every error of every file in one run, sorted', async () => {
    await put('b.yaml', domain('b', 'memory: 1GiB\n  vcpus: 0'));
    await put('a.yaml', domain('a', 'memory: 1GB'));
    await put('c.yaml', 'kind: [');
    const errors = await errorsOf();
    expect(errors.map((e) => e.split(' ')[0])).toEqual(['a.yaml:6:11', 'b.yaml:7:10', 'c.yaml:1:8']);
  });

  it('supports YAML merge keys and reports errors inside anchors at the anchor', async () => {
    await put(
      'a.yaml',
      `apiVersion: virtkeeper.io/v1
kind: Domain
metadata: {name: web-1}
spec:
  <<: {memory: 1GiB, vcpus: 2}
  state: running
`,
    );
    const result = await loadManifests(root);
    expect(result.errors).toEqual([]);
    expect(result.state.manifests[0].manifest.spec).toMatchObject({ memory: '1GiB', vcpus: 2 });
  });
});

describe('loadManifests: hostile input', () => {
  it("carries XML markup in free text verbatim (escaping is the mapper's job) but not in names", async () => {
    await put(
      'a.yaml',
      domain('web-1', `memory: 1GiB\n  title: "<b>web</b> & co"\n  description: "</description><devices/><description>"`),
    );
    const result = await loadManifests(root);
    expect(result.errors).toEqual([]);
    expect(result.state.manifests[0].manifest.spec).toMatchObject({ title: '<b>web</b> & co' });
  });

  it('rejects __proto__ keys without polluting prototypes', async () => {
    await put('a.yaml', domain('web-1', 'memory: 1GiB\n  __proto__: {polluted: true}'));
    await put(
      'b.yaml',
      `apiVersion: virtkeeper.io/v1
kind: Domain
metadata:
  name: web-2
  labels: {__proto__: x}
spec: {memory: 1GiB}
`,
    );
    const errors = await errorsOf();
    expect(errors).toEqual([
      'a.yaml:7:3 spec.__proto__: unknown field',
      'b.yaml:5:12 metadata.labels.__proto__: keys must look like "tier" or "example.com/tier" (letters, digits, "-", "_", ".")',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives nesting deep enough to exhaust the parser stack', async () => {
    await put('a.yaml', `spec: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    const errors = await errorsOf();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^a\.yaml:1:\d+ nesting is too deep \(limit 64 levels\)$/);
  });

  it('points at the first byte that is not UTF-8', async () => {
    await put('a.yaml', Buffer.concat([Buffer.from('kind: Domain\nmetadata: {name: caf'), Buffer.from([0xe9]), Buffer.from('}\n')]));
    expect(await errorsOf()).toEqual(['a.yaml:2:21 is not valid UTF-8 text']);
  });
});

describe('loadManifests: identities and references', () => {
  it('keys volumes by pool, so one name may live in two pools', async () => {
    const vol = (p: string) => `apiVersion: virtkeeper.io/v1
kind: StorageVolume
metadata: {name: disk.qcow2}
spec: {pool: ${p}, capacity: 1GiB, format: qcow2}
`;
    await put('a.yaml', [pool('fast'), pool('slow'), vol('fast'), vol('slow')].join('---\n'));
    const result = await loadManifests(root);
    expect(result.errors).toEqual([]);
    expect([...result.state.byKey.keys()]).toContain('StorageVolume/fast/disk.qcow2');
    expect([...result.state.byKey.keys()]).toContain('StorageVolume/slow/disk.qcow2');
    expect(manifestsOfKind(result.state, 'StorageVolume')).toHaveLength(2);
  });

  it('accepts an inline hostdev address without a NodeDevice manifest', async () => {
    await put('a.yaml', domain('gpu-vm', 'memory: 1GiB\n  hostdevs:\n    - pci: {bus: 0x06, slot: 0x00, function: 0}'));
    expect(await errorsOf()).toEqual([]);
  });

  it('does not call a reference missing when its target exists but is itself invalid', async () => {
    await put('net.yaml', 'apiVersion: virtkeeper.io/v1\nkind: Network\nmetadata: {name: lan}\nspec: {mtu: 1}\n');
    await put('vm.yaml', domain('web-1', 'memory: 1GiB\n  interfaces: [{network: lan}]'));
    expect(await errorsOf()).toEqual(['net.yaml:4:13 spec.mtu: must be at least 68']);
  });

  it('leaves duplicate and invalid documents out of the desired state', async () => {
    await put('a.yaml', domain('web-1'));
    await put('b.yaml', domain('web-1', 'memory: 2GiB'));
    await put('c.yaml', domain('bad', 'memory: x'));
    const result = await loadManifests(root);
    expect(result.errors).toHaveLength(2);
    expect(result.state.manifests.map((m) => m.key)).toEqual(['Domain/web-1']);
    expect(result.state.byKey.get('Domain/web-1')?.manifest.spec).toMatchObject({ memory: '1GiB' });
  });
});
