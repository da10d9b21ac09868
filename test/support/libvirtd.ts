// Integration tests share one private libvirtd per test file: start-up takes ~100 ms, and the
// test driver resets its state whenever the last connection to it closes.
import { afterAll, beforeAll } from 'vitest';
import { startPrivateLibvirtd, type PrivateLibvirtd } from '../../src/sandbox/private-libvirtd.js';

export interface LibvirtdFixture {
  /** The running daemon; valid inside tests (after beforeAll). */
  readonly daemon: PrivateLibvirtd;
}

/** Registers beforeAll/afterAll hooks that start and stop a private libvirtd for this file. */
export function usePrivateLibvirtd(): LibvirtdFixture {
  let daemon: PrivateLibvirtd | undefined;
  beforeAll(async () => {
    daemon = await startPrivateLibvirtd();
  });
  afterAll(async () => {
    await daemon?.stop();
  });
  return {
    get daemon(): PrivateLibvirtd {
      if (!daemon) throw new Error('private libvirtd not started: use the fixture inside a test');
      return daemon;
    },
  };
}
