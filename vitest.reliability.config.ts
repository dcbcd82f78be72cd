import { defineConfig } from 'vitest/config';

// npm run test:reliability: the production topology under load and faults (test/reliability).
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 20 * 60_000,
    pool: 'forks',
    setupFiles: ['test/support/setup.ts'],
  },
});
