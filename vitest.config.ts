import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{apps,packages,clients,device-farm,bench,scripts}/**/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['./scripts/test-global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Two test files and their agents share the cores, so nearly every measurement would count as
    // contended and every gate would be inconclusive. Contention flagging is off for the suite;
    // test/e2e-contention.test.ts turns it on for itself with the defaults.
    env: { CONTENTION_RUNNABLE_PER_CORE: '1000000', CONTENTION_STEAL_PCT: '100', CONTENTION_OTHER_BUSY_PCT: '100' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
