// One fresh sandbox per measured run: a private libvirtd serving the test driver, with the
// keeper connection startSandbox holds (the test driver forgets everything when its last
// connection closes, so without it the python peer's work would vanish between calls) and a
// state directory of its own, so no run sees an inventory left by another.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type RunningSandbox } from '../../src/cli/commands/sandbox.js';

export interface FreshHost {
  uri: string;
  /** Fresh, empty --state-dir for virtkeeper on this host. */
  stateDir: string;
  stop(): Promise<void>;
}

export async function freshHost(): Promise<FreshHost> {
  const sandbox: RunningSandbox = await startSandbox();
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'vk-peers-state-'));
  return {
    uri: sandbox.uri,
    stateDir,
    async stop() {
      await sandbox.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` on a fresh host and always stops it. */
export async function withFreshHost<T>(fn: (host: FreshHost) => Promise<T>): Promise<T> {
  const host = await freshHost();
  try {
    return await fn(host);
  } finally {
    await host.stop();
  }
}
