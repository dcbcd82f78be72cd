import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // The load-and-faults suite has its own command (npm run test:reliability).
    exclude: ['test/reliability/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Each worker gets its own Redis database (test/support/redis.ts); 2 cores, 4 workers.
    maxWorkers: 4,
    setupFiles: ['test/support/setup.ts'],
  },
});
