import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**', 'dist/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites start real processes (IdP, browser, Redis, CLI children); two cores.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
