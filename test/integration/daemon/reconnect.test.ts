// libvirtd killed and restarted under a running daemon: it reconnects, resubscribes and
// re-creates what the restarted (empty) test driver lost.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { RpcConnection } from '../../../src/libvirt/connection.js';
import { startPrivateLibvirtd, type PrivateLibvirtd } from '../../../src/sandbox/private-libvirtd.js';
import {
  closeKeeper,
  domainState,
  domainYaml,
  fetchMetrics,
  keeper,
  sample,
  startController,
  tempDirs,
  until,
  virsh,
  writeManifest,
} from './harness.js';

let daemon: PrivateLibvirtd | undefined;
let keep: RpcConnection | undefined;
let libvirtDir: string | undefined;

afterAll(async () => {
  await closeKeeper(keep);
  await daemon?.stop();
  if (libvirtDir) await rm(libvirtDir, { recursive: true, force: true });
});

it('reconnects after libvirtd is killed and restarted, and converges again', async () => {
  libvirtDir = await mkdtemp(path.join(os.tmpdir(), 'virtkeeper-reconnect-'));
  daemon = await startPrivateLibvirtd({ dir: libvirtDir, removeDirOnStop: false });
  keep = await keeper(daemon.testUri);
  const uri = daemon.testUri;

  const dirs = await tempDirs();
  await writeManifest(dirs.manifests, 'r.yaml', domainYaml('survivor-1'));
  const c = await startController({ dir: dirs.manifests, uri, stateDir: dirs.state });
  try {
    await c.whenReady(20_000);
    expect(await domainState(uri, 'survivor-1')).toBe('running');
    const readyz = async () => (await fetch(`${c.url}/readyz`)).status;
    expect(await readyz()).toBe(200);

    // Kill it hard: no goodbye on the socket, state gone.
    process.kill(daemon.pid, 'SIGKILL');
    await until(() => !daemon!.isRunning(), 10_000, 'libvirtd exited');
    await closeKeeper(keep);
    keep = undefined;
    await until(() => !c.connected, 10_000, 'disconnect noticed');
    expect(sample(await fetchMetrics(c.url!), 'virtkeeper_libvirt_connection_up')).toBe(0);
    expect(await readyz()).toBe(503);
    expect(c.status().connection.up).toBe(false);

    // Same socket, fresh test driver (default objects only).
    await daemon.stop();
    daemon = await startPrivateLibvirtd({ dir: libvirtDir, removeDirOnStop: false });
    keep = await keeper(uri);
    await until(async () => (await readyz()) === 200, 20_000, 'ready again');
    await until(async () => (await domainState(uri, 'survivor-1')) === 'running', 10_000, 'domain re-created');
    expect(sample(await fetchMetrics(c.url!), 'virtkeeper_libvirt_connection_up')).toBe(1);

    // Events were subscribed again on the new connection.
    await virsh(uri, 'destroy', 'survivor-1');
    await until(async () => (await domainState(uri, 'survivor-1')) === 'running', 5_000, 'event after reconnect');
  } finally {
    await c.stop();
    await dirs.cleanup();
  }
});
