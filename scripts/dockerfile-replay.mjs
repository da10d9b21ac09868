#!/usr/bin/env node
// Replays the Dockerfile's build steps without a Docker engine (CI machines have none), so a broken
// COPY, build or prune step fails CI instead of the first real `docker build`.
//
// Each stage gets its own directory standing in for the image's filesystem. WORKDIR, COPY (also
// --from=stage), ENV and RUN are replayed; RUN in the final stage only installs OS packages and
// creates the user, which needs the base image, so it is listed and skipped. Then the ENTRYPOINT is
// run from the final stage's tree as an unprivileged user with smoke-test arguments.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, chmodSync, statSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dockerfile = readFileSync(path.join(repo, 'Dockerfile'), 'utf8');
const work = mkdtempSync(path.join(os.tmpdir(), 'vk-docker-replay-'));
const keep = process.env.KEEP_REPLAY === '1';

function fail(message) {
  console.error(`dockerfile-replay: ${message}`);
  if (!keep) rmSync(work, { recursive: true, force: true });
  process.exit(1);
}

// Join continuation lines, drop comments and blanks.
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op.toUpperCase(), args: rest.join(' ') };
  });

const stages = [];
let stage;
for (const ins of instructions) {
  if (ins.op === 'FROM') {
    const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
    if (!m) fail(`cannot read FROM ${ins.args}`);
    stage = {
      name: m[2] ?? String(stages.length),
      image: m[1],
      root: path.join(work, `stage-${stages.length}`),
      workdir: '/',
      env: {},
      steps: [],
    };
    mkdirSync(stage.root, { recursive: true });
    stages.push(stage);
  } else if (!stage) {
    fail(`${ins.op} before FROM`);
  } else {
    stage.steps.push(ins);
  }
}
if (stages.length === 0) fail('no FROM in Dockerfile');
const finalStage = stages[stages.length - 1];
const inStage = (s, p) => path.join(s.root, path.isAbsolute(p) ? p : path.join(s.workdir, p));

let user = 'nobody';
let entrypoint = [];
for (const s of stages) {
  console.log(`== stage ${s.name} (FROM ${s.image})`);
  for (const step of s.steps) {
    switch (step.op) {
      case 'WORKDIR':
        s.workdir = path.posix.resolve(s.workdir, step.args);
        mkdirSync(inStage(s, '.'), { recursive: true });
        break;
      case 'ENV': {
        for (const m of step.args.matchAll(/(\w+)=(\S+)/g)) s.env[m[1]] = m[2];
        break;
      }
      case 'COPY': {
        const parts = step.args.split(/\s+/);
        let from;
        if (parts[0].startsWith('--from=')) from = parts.shift().slice('--from='.length);
        const dest = parts.pop();
        const source = from === undefined ? null : stages.find((x) => x.name === from);
        if (from !== undefined && !source) fail(`COPY --from=${from}: no such stage`);
        for (const src of parts) {
          const srcPath = source ? path.join(source.root, src) : path.join(repo, src);
          try {
            statSync(srcPath);
          } catch {
            fail(`COPY ${src}: not found (${srcPath})`);
          }
          const destPath = dest.endsWith('/') || parts.length > 1 ? path.join(inStage(s, dest), path.basename(src)) : inStage(s, dest);
          mkdirSync(path.dirname(destPath), { recursive: true });
          cpSync(srcPath, destPath, { recursive: true });
        }
        console.log(`   COPY ${step.args}`);
        break;
      }
      case 'RUN': {
        if (s === finalStage) {
          console.log(`   RUN (skipped, needs the base image): ${step.args.slice(0, 100)}…`);
          break;
        }
        console.log(`   RUN ${step.args}`);
        const r = spawnSync('sh', ['-c', step.args], { cwd: inStage(s, '.'), stdio: 'inherit', env: { ...process.env, ...s.env } });
        if (r.status !== 0) fail(`RUN ${step.args} exited ${r.status}`);
        break;
      }
      case 'USER':
        if (s === finalStage) user = step.args;
        break;
      case 'ENTRYPOINT':
        entrypoint = JSON.parse(step.args);
        break;
      case 'EXPOSE':
      case 'CMD':
        break;
      default:
        fail(`unsupported instruction ${step.op}`);
    }
  }
}

// The image runs as a non-root user: prove the tree works for one. Our user may not exist here.
const runAs = spawnSync('id', ['-u', user]).status === 0 ? user : 'nobody';
for (const dir of [work, ...readdirSync(work).map((d) => path.join(work, d))]) chmodSync(dir, 0o755);
const entry = entrypoint.map((a) => (a.startsWith('/') && a !== entrypoint[0] ? path.join(finalStage.root, a) : a));
const smoke = [['--help'], ['schema', 'domain'], ['validate', path.join(finalStage.root, 'smoke-manifests')]];
cpSync(path.join(repo, 'examples/manifests'), path.join(finalStage.root, 'smoke-manifests'), { recursive: true });
for (const args of smoke) {
  const argv = [...entry, ...args];
  console.log(`== as ${runAs}: ${argv.join(' ')}`);
  const r = spawnSync('runuser', ['-u', runAs, '--', ...argv], {
    cwd: '/',
    env: { PATH: process.env.PATH, ...finalStage.env, XDG_STATE_HOME: path.join(work, 'state') },
    encoding: 'utf8',
  });
  if (r.status !== 0) fail(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  console.log(r.stdout.split('\n').slice(0, 3).join('\n'));
}
if (!keep) rmSync(work, { recursive: true, force: true });
console.log('dockerfile-replay: all build steps and smoke runs passed');
