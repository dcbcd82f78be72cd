import { defineConfig } from 'vitest/config';

// A mutation run of a few modules with only the tests written for them (STRYKER_TESTS, comma
// separated): every mutant runs a handful of fast tests instead of the portal's whole suite, so a
// module's run takes minutes. A mutant only other tests would catch counts as survived here: the
// score is a lower bound of what the full set (vitest.stryker.config.ts) gives.
const tests = (process.env.STRYKER_TESTS ?? '').split(',').map((t) => t.trim()).filter(Boolean);
if (!tests.length) throw new Error('STRYKER_TESTS must name the test files of the focused run');

export default defineConfig({
  test: {
    include: tests,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    setupFiles: ['test/support/setup.ts'],
  },
});
