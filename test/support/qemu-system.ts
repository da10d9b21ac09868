// A test file's private libvirtd reached as qemu:///system — the real secret, storage, network
// and QEMU drivers (the test driver has no secrets and no uploads) — with a temp work dir. Without
// root and unshare there is no private qemu:///system: tests then skip, saying why.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, type TestContext } from 'vitest';
import { usePrivateLibvirtd } from './libvirtd.js';

export interface PrivateQemuSystem {
  /** qemu+unix:///system?socket=… of the private daemon; valid inside tests. */
  readonly uri: string;
  /** A temp dir of this file's tests, removed after them. */
  readonly work: string;
  /** Skips the test (visibly) where no private qemu:///system can be had. */
  requireDriver(ctx: TestContext): void;
}

export function usePrivateQemuSystem(workPrefix: string): PrivateQemuSystem {
  const fixture = usePrivateLibvirtd();
  let skipReason: string | undefined;
  let uri = '';
  let work = '';
  beforeAll(async () => {
    if (fixture.daemon.isolation !== 'namespaces')
      skipReason = `needs root and unshare for a private qemu:///system (isolation is ${fixture.daemon.isolation})`;
    else uri = fixture.daemon.uri('qemu', '/system');
    work = await mkdtemp(path.join(os.tmpdir(), workPrefix));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });
  return {
    get uri() {
      return uri;
    },
    get work() {
      return work;
    },
    requireDriver(ctx) {
      if (skipReason) ctx.skip(skipReason);
    },
  };
}

/** Every file under `dir` as text: what a state store holds, for tests that no secret is in it. */
export async function filesText(dir: string): Promise<string> {
  const files = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(files.filter((f) => f.isFile()).map((f) => readFile(path.join(f.parentPath, f.name), 'latin1')));
  return texts.join('\n');
}
