// Secrets planted everywhere one can enter — a VNC password in xml.merge, Secret values from a
// file, an environment variable and a command, a value in a cloud-init seed — must reach libvirt
// (and the seed's cdrom) and appear nowhere else: not in the plan (human, JSON, Markdown), the
// apply output, the daemon's JSON logs, /status and /metrics, exported manifests, the state
// store's files, nor in what libvirt gives clients back without VIR_DOMAIN_XML_SECURE
// (`virsh -r dumpxml`, `virsh dumpxml`), where virtkeeper's own metadata used to copy xml.merge
// verbatim. Real daemon: qemu:///system of the private libvirtd (the secret driver; the domain
// is defined, not started).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesText, usePrivateQemuSystem } from '../../support/qemu-system.js';
import { apply, exportManifests, plan } from '../reconciler/support.js';
import { until } from '../daemon/harness.js';

const BIN = path.resolve(import.meta.dirname, '../../../bin/virtkeeper.js');

describe('no secret leaves the manifests', () => {
  const sandbox = usePrivateQemuSystem('vk-leak-');

  /** `virtkeeper run` with JSON logs at debug level until `during` is done; its output and what `during` fetched. */
  const runDaemon = async (manifests: string, stateDir: string, during: (url: string, resync: () => void) => Promise<string>) => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'run',
        manifests,
        '--connect',
        sandbox.uri,
        '--listen',
        '127.0.0.1:0',
        '--state-dir',
        stateDir,
        '--log-format',
        'json',
        '--log-level',
        'debug',
        '--resync-interval',
        '0',
      ],
      {
        env: process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const url = String(await until(() => /"url":"(http:[^"]+)"/.exec(stdout)?.[1], 30_000, `the daemon URL (stderr: ${stderr})`));
      await until(async () => (await fetch(`${url}/readyz`)).status === 200, 60_000, 'the daemon to be ready');
      const fetched = await during(url, () => child.kill('SIGHUP'));
      return { stdout: `${stdout}\n${fetched}`, stderr };
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  };

  it('plants unique secrets and finds them only where libvirt keeps them', async (ctx) => {
    sandbox.requireDriver(ctx);
    const { uri, work } = sandbox;
    const planted = {
      vnc: `vnc${randomBytes(3).toString('hex')}`.slice(0, 8), // VNC passwords are at most 8 characters
      vncNext: `m${randomBytes(3).toString('hex')}`.slice(0, 8),
      file: `file-${randomBytes(12).toString('hex')}`,
      env: `env-${randomBytes(12).toString('hex')}`,
      command: `cmd-${randomBytes(12).toString('hex')}`,
      graphics: `g${randomBytes(3).toString('hex')}`.slice(0, 8),
      graphicsNext: `n${randomBytes(3).toString('hex')}`.slice(0, 8),
      graphicsDaemon: `d${randomBytes(3).toString('hex')}`.slice(0, 8),
      seed: `seed-${randomBytes(12).toString('hex')}`,
    };
    const manifests = path.join(work, 'manifests');
    const stateDir = path.join(work, 'state');
    await mkdir(manifests, { recursive: true });
    await writeFile(path.join(work, 'value'), planted.file);
    await writeFile(path.join(work, 'vnc'), `${planted.graphics}\n`);
    await writeFile(path.join(work, 'seed-value'), planted.seed);
    await mkdir(path.join(work, 'pool'), { recursive: true });
    process.env.VK_LEAK_TEST_VALUE = planted.env;
    const allYaml = (vnc: string) =>
      `apiVersion: virtkeeper.io/v1
kind: Domain
metadata: {name: leak-1}
spec:
  type: qemu
  state: stopped
  memory: 64MiB
  os: {type: hvm, arch: x86_64, machine: pc}
  xml:
    merge: |
      <devices><graphics type="vnc" port="-1" autoport="yes" passwd="${vnc}"/></devices>
---
apiVersion: virtkeeper.io/v1
kind: Domain
metadata: {name: leak-2}
spec:
  type: qemu
  state: stopped
  memory: 64MiB
  os: {type: hvm, arch: x86_64, machine: pc}
  graphics:
    - {type: vnc, passwordFrom: {secret: vnc-leak-2}}
  cloudInit:
    pool: seeds
    userData: "#cloud-config\\nwrite_files: [{path: /etc/token, content: '@SEED_TOKEN@'}]\\n"
    secretRefs: [{placeholder: "@SEED_TOKEN@", secret: seed-token}]
---
apiVersion: virtkeeper.io/v1
kind: StoragePool
metadata: {name: seeds}
spec: {type: dir, path: ${path.join(work, 'pool')}}
---
apiVersion: virtkeeper.io/v1
kind: Secret
metadata: {name: seed-token}
spec: {valueFrom: {file: ${path.join(work, 'seed-value')}}}
---
apiVersion: virtkeeper.io/v1
kind: Secret
metadata: {name: vnc-leak-2}
spec: {valueFrom: {file: ${path.join(work, 'vnc')}}}
---
apiVersion: virtkeeper.io/v1
kind: Secret
metadata: {name: from-file}
spec: {usage: {ceph: leak file}, valueFrom: {file: ${path.join(work, 'value')}}}
---
apiVersion: virtkeeper.io/v1
kind: Secret
metadata: {name: from-env}
spec: {usage: {ceph: leak env}, valueFrom: {env: VK_LEAK_TEST_VALUE}}
---
apiVersion: virtkeeper.io/v1
kind: Secret
metadata: {name: from-command}
spec: {usage: {tls: leak command}, valueFrom: {command: [printf, "${planted.command}"]}}
`;
    await writeFile(path.join(manifests, 'all.yaml'), allYaml(planted.vnc));
    const outputs: string[] = [];
    const virshSecure = (name: string) => execFileSync('virsh', ['-c', uri, 'dumpxml', '--security-info', name], { encoding: 'utf8' });
    const keep = <R extends { stdout: string; stderr: string }>(r: R): R => {
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    try {
      for (const format of [{}, { json: true }, { markdown: true }]) keep(await plan(manifests, { connect: uri, stateDir, ...format }));
      const applied = keep(await apply(manifests, { connect: uri, stateDir, autoApprove: true }));
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);
      keep(await apply(manifests, { connect: uri, stateDir, autoApprove: true, json: true }));
      for (const format of [{}, { json: true }, { markdown: true }])
        keep(await plan(manifests, { connect: uri, stateDir, detailedExitcode: true, ...format }));
      expect(outputs.join('\n')).toContain('(sensitive)');
      // The seed's value did reach the guest's cdrom (and only there).
      const [seed] = (await readdir(path.join(work, 'pool'))).filter((f) => f.startsWith('leak-2-cidata-'));
      expect(execFileSync('isoinfo', ['-J', '-x', '/user-data', '-i', path.join(work, 'pool', seed!)], { encoding: 'utf8' })).toContain(
        planted.seed,
      );
      // A graphics password from a Secret: set at define, changed when the Secret's value changes.
      expect(virshSecure('leak-2')).toContain(`passwd='${planted.graphics}'`);
      await writeFile(path.join(work, 'vnc'), planted.graphicsNext);
      const changed = keep(await plan(manifests, { connect: uri, stateDir, detailedExitcode: true }));
      expect(changed.code, changed.stdout).toBe(2);
      expect(changed.stdout).toContain('~ spec.graphics[0].password: "(sensitive)" → "(sensitive, changed)"');
      expect(keep(await apply(manifests, { connect: uri, stateDir, autoApprove: true })).code).toBe(0);
      expect(virshSecure('leak-2')).toContain(`passwd='${planted.graphicsNext}'`);
      const settled = keep(await plan(manifests, { connect: uri, stateDir, detailedExitcode: true }));
      expect(settled.code, settled.stdout).toBe(0);
      // A password written in xml.merge: only its digest tells that it changed.
      expect(virshSecure('leak-1')).toContain(`passwd='${planted.vnc}'`);
      await writeFile(path.join(manifests, 'all.yaml'), allYaml(planted.vncNext));
      const mergeChanged = keep(await plan(manifests, { connect: uri, stateDir, detailedExitcode: true }));
      expect(mergeChanged.code, mergeChanged.stdout).toBe(2);
      expect(mergeChanged.stdout).toContain('~ spec.xml.merge (passwd): "(sensitive)" → "(sensitive, changed)"');
      expect(keep(await apply(manifests, { connect: uri, stateDir, autoApprove: true })).code).toBe(0);
      expect(virshSecure('leak-1')).toContain(`passwd='${planted.vncNext}'`);
      const mergeSettled = keep(await plan(manifests, { connect: uri, stateDir, detailedExitcode: true }));
      expect(mergeSettled.code, mergeSettled.stdout).toBe(0);
      // The daemon: its JSON log lines (debug level), /status and /metrics, through a reconcile
      // that sets a new graphics password.
      keep(
        await runDaemon(manifests, stateDir, async (url, resync) => {
          const status = await (await fetch(`${url}/status`)).text();
          await writeFile(path.join(work, 'vnc'), planted.graphicsDaemon);
          resync(); // a changed value is news only to a full sync (SIGHUP, or the resync timer)
          await until(
            async () => virshSecure('leak-2').includes(`passwd='${planted.graphicsDaemon}'`),
            60_000,
            'the daemon to set the new password',
          );
          return [status, await (await fetch(`${url}/status`)).text(), await (await fetch(`${url}/metrics`)).text()].join('\n');
        }),
      );
      // Export: what it writes on stdout is what a user commits to git.
      const exported = keep(await exportManifests({ connect: uri, stateDir }));
      expect(exported.stdout).toContain('name: leak-1');
    } finally {
      delete process.env.VK_LEAK_TEST_VALUE;
    }

    const virsh = (...args: string[]) => execFileSync('virsh', ['-c', uri, ...args], { encoding: 'utf8' });
    const virshRo = (...args: string[]) => execFileSync('virsh', ['-r', '-c', uri, ...args], { encoding: 'utf8' });
    // The password did reach libvirt: only a client asking for secure XML sees it.
    expect(virsh('dumpxml', '--security-info', 'leak-1')).toContain(`passwd='${planted.vncNext}'`);
    const libvirtViews = ['leak-1', 'leak-2'].flatMap((d) => [
      virsh('dumpxml', d),
      virshRo('dumpxml', d),
      virsh('dumpxml', '--inactive', d),
    ]);
    for (const line of virsh('secret-list').split('\n').slice(2)) {
      const uuid = line.trim().split(/\s+/)[0];
      if (uuid) libvirtViews.push(virsh('secret-dumpxml', uuid));
    }
    const stored = await filesText(stateDir);

    const places = { outputs: outputs.join('\n'), libvirt: libvirtViews.join('\n'), 'state store': stored };
    const hits = Object.entries(places).flatMap(([where, text]) =>
      Object.entries(planted)
        .filter(([, v]) => text.includes(v))
        .map(([what]) => `${what} in ${where}`),
    );
    expect(hits).toEqual([]);
  }, 180_000);
});
