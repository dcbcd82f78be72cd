import { defineConfig } from 'vitest/config';

// The tests that exercise the trust modules mutation testing looks at (fast ones: no browser).
export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.{ts,tsx}',
      'test/security/card-caller.test.ts', 'test/security/signed-origin.test.ts', 'test/security/rule-cost.test.ts',
      'test/integration/webhook-edge.test.ts', 'test/integration/portal-sign-in.test.ts', 'test/integration/portal-temporary-password.test.ts',
      'test/integration/portal-accounts.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    setupFiles: ['test/support/setup.ts'],
  },
});
