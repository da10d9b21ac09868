import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/build-once.ts', 'test/support/private-state-home.ts'],
    // Integration tests each start a private libvirtd; run files one at a time so two daemons
    // never compete for the 2 cores we have, and give daemon start-up room.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
