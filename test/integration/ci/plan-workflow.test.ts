// examples/ci/plan-on-pull-request.yml, its Validate and Plan steps run as GitHub Actions runs them
// (bash -eo pipefail), with `virtkeeper` on PATH, against a real private libvirtd.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';

const repo = path.resolve(import.meta.dirname, '../../..');
interface Step {
  name?: string;
  run?: string;
}
const workflow = parse(readFileSync(path.join(repo, 'examples/ci/plan-on-pull-request.yml'), 'utf8')) as {
  env: Record<string, string>;
  jobs: { plan: { steps: Step[] } };
};
const steps = workflow.jobs.plan.steps;
const step = (name: string): string => steps.find((s) => s.name === name)?.run ?? '';

describe('examples/ci/plan-on-pull-request.yml', () => {
  const fixture = usePrivateLibvirtd();
  const work = mkdtempSync(path.join(os.tmpdir(), 'vk-ci-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  // A checkout of a manifests repository, and an installed `virtkeeper`.
  const checkout = path.join(work, 'checkout');
  cpSync(path.join(repo, 'examples/sandbox'), path.join(checkout, 'manifests'), { recursive: true });
  const binDir = path.join(work, 'bin');
  mkdirSync(binDir);
  writeFileSync(path.join(binDir, 'virtkeeper'), `#!/bin/sh\nexec ${process.execPath} ${path.join(repo, 'bin/virtkeeper.js')} "$@"\n`);
  chmodSync(path.join(binDir, 'virtkeeper'), 0o755);

  function runStep(name: string, uri: string): { status: number | null; output: string; githubOutput: string } {
    const githubOutput = path.join(work, `output-${name}`);
    writeFileSync(githubOutput, '');
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step(name)], {
      cwd: checkout,
      encoding: 'utf8',
      env: {
        PATH: `${binDir}:${process.env.PATH}`,
        HOME: work,
        MANIFESTS: workflow.env.MANIFESTS,
        LIBVIRT_URI: uri,
        GITHUB_OUTPUT: githubOutput,
        XDG_STATE_HOME: path.join(work, 'state'),
      },
    });
    return { status: r.status, output: r.stdout + r.stderr, githubOutput: readFileSync(githubOutput, 'utf8') };
  }

  it('installs from the release tarball, which npm pack fills with the compiled CLI', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    expect(step('Install virtkeeper')).toBe('npm install -g "${{ vars.VIRTKEEPER_TARBALL_URL }}"');
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo, encoding: 'utf8' }),
    ) as [{ files: { path: string }[] }];
    const files = packed[0].files.map((f) => f.path);
    for (const needed of ['bin/virtkeeper.js', 'dist/cli/main.js', 'dist/manifests/schema/validators.cjs', 'schemas/domain.schema.json'])
      expect(files).toContain(needed);
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
  });

  it('validates, then comments the Markdown plan of a host with changes (exit 2 is success)', () => {
    expect(runStep('Validate', fixture.daemon.testUri).status).toBe(0);
    const plan = runStep('Plan', fixture.daemon.testUri);
    expect(plan.status).toBe(0);
    expect(plan.githubOutput).toBe('exitcode=2\n');
    const comment = readFileSync(path.join(checkout, 'comment.md'), 'utf8');
    expect(comment).toContain('Network/lan');
    expect(comment).not.toContain('plan failed');
  });

  it('puts the error in the comment and fails the job when the plan fails', () => {
    const uri = `test+unix:///default?socket=${path.join(work, 'no-such-sock')}`;
    const plan = runStep('Plan', uri);
    expect(plan.status).toBe(1);
    expect(plan.githubOutput).toBe('exitcode=1\n');
    const comment = readFileSync(path.join(checkout, 'comment.md'), 'utf8');
    expect(comment).toMatch(/^### virtkeeper plan failed \(exit 1\)$/m);
    expect(comment).toMatch(/plan failed: .*no-such-sock/);
  });
});
