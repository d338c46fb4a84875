import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/network-guard.ts'],
    globalSetup: ['test/setup/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll() gives up after 1 s by default: far too short on a busy machine (a sign-in hashes a password,
    // a page renders). A bound, not a speed claim; the browser tests' other waits use the same 20 s.
    expect: { poll: { timeout: 20_000 } },
    // Test files are isolated (own schema / own PGlite clone) but the machine has 2 cores and
    // PGlite instances are memory-hungry: keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
