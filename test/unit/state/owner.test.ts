// The default owner of a source: git remote + path inside the repo, stable across git-sync
// worktree swaps; else the path (a symlink's own path).
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rename, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceOwner } from '../../../src/state/index.js';
import { remoteUrl, withoutCredentials } from '../../../src/state/owner.js';

let tmp: string;
beforeAll(async () => {
  tmp = await realpath(await mkdtemp(path.join(os.tmpdir(), 'vk-owner-')));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('sourceOwner', () => {
  it('is the origin URL plus the path inside the repository', async () => {
    const repo = path.join(tmp, 'repo');
    await mkdir(path.join(repo, 'hosts', 'kvm01'), { recursive: true });
    git(repo, 'init', '-q');
    git(repo, 'remote', 'add', 'origin', 'https://user:s3cret@git.example.com/infra/hosts.git');
    expect(await sourceOwner(path.join(repo, 'hosts', 'kvm01'))).toBe('https://git.example.com/infra/hosts.git//hosts/kvm01');
    expect(await sourceOwner(repo)).toBe('https://git.example.com/infra/hosts.git');
  });

  it('stays the same across git-sync style swaps of a symlink between worktrees', async () => {
    const repo = path.join(tmp, 'synced');
    await mkdir(path.join(repo, 'manifests'), { recursive: true });
    git(repo, 'init', '-q');
    git(repo, 'remote', 'add', 'origin', 'git@git.example.com:infra/hosts.git');
    execFileSync('sh', ['-c', 'echo x > manifests/a.yaml'], { cwd: repo });
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'one');
    git(repo, 'worktree', 'add', '-q', '--detach', path.join(tmp, 'rev-1'));
    git(repo, 'worktree', 'add', '-q', '--detach', path.join(tmp, 'rev-2'));
    const link = path.join(tmp, 'current');
    await symlink(path.join(tmp, 'rev-1'), link);
    const before = await sourceOwner(path.join(link, 'manifests'));
    await symlink(path.join(tmp, 'rev-2'), `${link}.new`);
    await rename(`${link}.new`, link);
    expect(await sourceOwner(path.join(link, 'manifests'))).toBe(before);
    expect(before).toBe('git@git.example.com:infra/hosts.git//manifests');
  });

  it("is the real path outside git, and a symlink's own path", async () => {
    const plain = path.join(tmp, 'plain');
    await mkdir(path.join(plain, 'v1'), { recursive: true });
    expect(await sourceOwner(path.join(plain, 'v1', '..', 'v1'))).toBe(path.join(plain, 'v1'));
    await symlink(path.join(plain, 'v1'), path.join(plain, 'live'));
    expect(await sourceOwner(path.join(plain, 'live'))).toBe(path.join(plain, 'live'));
  });
});

describe('git config and URLs', () => {
  it('reads the url of one remote', () => {
    const config =
      '[core]\n\tbare = false\n[remote "upstream"]\n\turl = a\n[remote "origin"]\n\turl = https://h/r.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n';
    expect(remoteUrl(config, 'origin')).toBe('https://h/r.git');
    expect(remoteUrl(config, 'missing')).toBeUndefined();
  });

  it('never keeps a password or token', () => {
    expect(withoutCredentials('https://oauth2:tok@gitlab.example/a/b.git')).toBe('https://gitlab.example/a/b.git');
    expect(withoutCredentials('https://ghp_token@github.com/a/b.git')).toBe('https://github.com/a/b.git');
    expect(withoutCredentials('ssh://git@h/a.git')).toBe('ssh://git@h/a.git');
    expect(withoutCredentials('git@h:a.git')).toBe('git@h:a.git');
  });
});
