// Push to deploy end to end: the daemon starts before anything was pushed (its manifests
// directory does not exist yet), a real `git push` runs the post-receive hook, and the hook says
// "deployed" only once the daemon's /status reports the pushed revision applied.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useDaemonTest, useKeptPrivateLibvirtd, virsh } from './harness.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.invalid',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.invalid',
};
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();

const fx = useKeptPrivateLibvirtd();
const daemon = useDaemonTest();

describe('git push to a host running virtkeeper run', () => {
  it('deploys only once the daemon, started before the first push, has applied the revision', async () => {
    const dirs = await daemon.dirs();
    const deployRoot = path.join(dirs.base, 'deploy');
    const current = path.join(deployRoot, 'current');
    const c = await daemon.start({
      dir: current,
      uri: fx.daemon.testUri,
      stateDir: dirs.state,
      inventory: { stateDir: dirs.state, source: current },
    });
    expect(c.ready).toBe(false);
    expect(c.status().source.errors[0]?.message).toContain('does not exist yet');

    const bare = path.join(dirs.base, 'host.git');
    const clone = path.join(dirs.base, 'clone');
    git(dirs.base, 'init', '-q', '--bare', '-b', 'main', bare);
    const real = path.join(bare, 'hooks', 'post-receive.real');
    copyFileSync(path.join(repoRoot, 'examples/git-hooks/post-receive'), real);
    chmodSync(real, 0o755);
    const bin = path.join(dirs.base, 'virtkeeper');
    writeFileSync(bin, `#!/bin/sh\nexec node ${path.join(repoRoot, 'bin/virtkeeper.js')} "$@"\n`);
    chmodSync(bin, 0o755);
    const hook = path.join(bare, 'hooks', 'post-receive');
    writeFileSync(
      hook,
      `#!/bin/sh\nVIRTKEEPER_DEPLOY_ROOT=${deployRoot} VIRTKEEPER_BIN=${bin} VIRTKEEPER_STATUS_URL=${c.url}/status VIRTKEEPER_WAIT_SECONDS=60 exec ${real}\n`,
    );
    chmodSync(hook, 0o755);
    git(dirs.base, 'init', '-q', '-b', 'main', clone);
    git(clone, 'remote', 'add', 'host', bare);

    // The daemon runs in this process: the push must not block its event loop (no spawnSync).
    const push = async (message: string) => {
      git(clone, 'add', '-A');
      git(clone, 'commit', '-q', '-m', message);
      const sha = git(clone, 'rev-parse', 'HEAD');
      return new Promise<{ sha: string; status: number; output: string }>((resolve) => {
        execFile('git', ['push', '-q', 'host', 'main'], { cwd: clone, env: gitEnv, encoding: 'utf8' }, (err, stdout, stderr) =>
          resolve({ sha, status: err ? Number((err as { code?: unknown }).code ?? 1) : 0, output: stdout + stderr }),
        );
      });
    };

    cpSync(path.join(repoRoot, 'examples/sandbox'), clone, { recursive: true });
    const first = await push('first host');
    expect(first.output).toContain(`virtkeeper: deployed ${first.sha}`);
    expect(first.status).toBe(0);
    expect(c.status().appliedRevision).toBe(first.sha);
    expect(await virsh(fx.daemon.testUri, 'net-list', '--all', '--name')).toMatch(/^lan$/m);

    writeFileSync(
      path.join(clone, 'extra.yaml'),
      'apiVersion: virtkeeper.io/v1\nkind: Network\nmetadata: {name: pushed}\nspec: {bridge: virbr91}\n',
    );
    const second = await push('one more network');
    expect(second.output).toContain(`virtkeeper: deployed ${second.sha}`);
    expect(c.status().appliedRevision).toBe(second.sha);
    expect(await virsh(fx.daemon.testUri, 'net-list', '--all', '--name')).toMatch(/^pushed$/m);
  });
});
