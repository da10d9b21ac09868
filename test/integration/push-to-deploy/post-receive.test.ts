// The push-to-deploy hook, driven by a real `git push` into a bare repository.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync, cpSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();
}

describe('examples/git-hooks/post-receive', () => {
  let work: string;
  let deployRoot: string;
  let clone: string;

  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'vk-push-'));
    const bare = path.join(work, 'host.git');
    deployRoot = path.join(work, 'deploy');
    clone = path.join(work, 'clone');
    git(work, 'init', '-q', '--bare', '-b', 'main', bare);
    // The hook runs with the pusher's environment; a wrapper pins its settings for this test.
    const hook = path.join(bare, 'hooks', 'post-receive');
    const real = path.join(bare, 'hooks', 'post-receive.real');
    copyFileSync(path.join(repoRoot, 'examples/git-hooks/post-receive'), real);
    const bin = path.join(work, 'virtkeeper');
    writeFileSync(bin, `#!/bin/sh\nexec node ${path.join(repoRoot, 'bin/virtkeeper.js')} "$@"\n`);
    chmodSync(bin, 0o755);
    // No daemon runs in this file: the hook must not wait for one (VIRTKEEPER_WAIT_SECONDS=0).
    writeFileSync(
      hook,
      `#!/bin/sh\nVIRTKEEPER_DEPLOY_ROOT=${deployRoot} VIRTKEEPER_BIN=${bin} VIRTKEEPER_KEEP_REVISIONS=2 VIRTKEEPER_WAIT_SECONDS=0 exec ${real}\n`,
    );
    chmodSync(hook, 0o755);
    chmodSync(real, 0o755);
    git(work, 'init', '-q', '-b', 'main', clone);
    git(clone, 'remote', 'add', 'host', bare);
  });

  function commitAndPush(message: string): { sha: string; status: number; output: string } {
    git(clone, 'add', '-A');
    git(clone, 'commit', '-q', '-m', message);
    const sha = git(clone, 'rev-parse', 'HEAD');
    const push = spawnSync('git', ['push', '-q', 'host', 'main'], { cwd: clone, env: gitEnv, encoding: 'utf8' });
    return { sha, status: push.status ?? -1, output: push.stdout + push.stderr };
  }

  it('deploys a valid push by swapping current to a worktree named after the commit', () => {
    cpSync(path.join(repoRoot, 'examples/sandbox'), clone, { recursive: true });
    const { sha, output } = commitAndPush('first host');
    expect(output).toContain(`accepted ${sha} into ${deployRoot}/current (not waiting for the daemon)`);
    expect(readlinkSync(path.join(deployRoot, 'current'))).toBe(`revs/${sha}`);
    expect(readFileSync(path.join(deployRoot, 'current', 'network.yaml'), 'utf8')).toContain('name: lan');
  });

  it('keeps the previous revision in force when a push has invalid manifests', () => {
    const before = readlinkSync(path.join(deployRoot, 'current'));
    writeFileSync(
      path.join(clone, 'broken.yaml'),
      'apiVersion: virtkeeper.io/v1\nkind: Domain\nmetadata: {name: x}\nspec: {memory: lots}\n',
    );
    const { sha, output } = commitAndPush('broken');
    expect(output).toContain('broken.yaml:4:');
    expect(output).toContain(`revision ${sha} has invalid manifests; not deployed`);
    expect(readlinkSync(path.join(deployRoot, 'current'))).toBe(before);
  });

  it('deploys the fix and prunes old revisions beyond the keep count', () => {
    execFileSync('rm', [path.join(clone, 'broken.yaml')]);
    const first = commitAndPush('fixed');
    mkdirSync(path.join(clone, 'more'), { recursive: true });
    writeFileSync(path.join(clone, 'more', 'README.txt'), 'not a manifest\n');
    const second = commitAndPush('another');
    expect(readlinkSync(path.join(deployRoot, 'current'))).toBe(`revs/${second.sha}`);
    expect(existsSync(path.join(deployRoot, 'revs', first.sha))).toBe(true);
    // Keep count 2: of the four revisions checked out so far only the newest two remain.
    const revs = execFileSync('ls', [path.join(deployRoot, 'revs')], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(revs.sort()).toEqual([first.sha, second.sha].sort());
  });

  it('says so when the virtkeeper binary is missing, instead of "invalid manifests"', () => {
    const hook = path.join(work, 'host.git', 'hooks', 'post-receive');
    const saved = readFileSync(hook, 'utf8');
    writeFileSync(hook, saved.replace(/VIRTKEEPER_BIN=\S+/, `VIRTKEEPER_BIN=${path.join(work, 'no-such-virtkeeper')}`));
    try {
      writeFileSync(path.join(clone, 'note.txt'), 'x\n');
      const { output } = commitAndPush('with a missing binary');
      expect(output).toMatch(
        /virtkeeper: '\S*no-such-virtkeeper' not found on the host .*nothing deployed — install virtkeeper or set VIRTKEEPER_BIN/,
      );
      expect(output).not.toContain('invalid manifests');
    } finally {
      writeFileSync(hook, saved);
    }
  });

  it('with VIRTKEEPER_MANIFESTS_SUBDIR deploys exactly the validated subdirectory', () => {
    const hook = path.join(work, 'host.git', 'hooks', 'post-receive');
    const saved = readFileSync(hook, 'utf8');
    writeFileSync(hook, saved.replace('exec ', 'VIRTKEEPER_MANIFESTS_SUBDIR=manifests exec '));
    try {
      mkdirSync(path.join(clone, 'manifests'), { recursive: true });
      cpSync(path.join(repoRoot, 'examples/sandbox/network.yaml'), path.join(clone, 'manifests/network.yaml'));
      // Outside the subdirectory: not a manifest of this host, and invalid as one.
      mkdirSync(path.join(clone, 'docs'), { recursive: true });
      writeFileSync(path.join(clone, 'docs', 'example.yaml'), 'kind: Domain\nspec: {memory: lots}\n');
      const { sha, output } = commitAndPush('manifests in a subdirectory');
      expect(output).toContain(`accepted ${sha}`);
      expect(readlinkSync(path.join(deployRoot, 'current'))).toBe(`revs/${sha}`);
      expect(
        execFileSync('ls', [path.join(deployRoot, 'current')], { encoding: 'utf8' })
          .trim()
          .split('\n'),
      ).toEqual(['network.yaml']);
    } finally {
      writeFileSync(hook, saved);
    }
  });
});
