import { defineConfig } from 'vitest/config';

// The tests that exercise the modules mutation testing looks at (no browser: the browser suite's
// flows are the same requests the browserless portal tests make, and passkeys are answered by a
// software authenticator in test/security/passkey-ceremonies.test.ts).
export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.{ts,tsx}',
      'test/security/card-caller.test.ts', 'test/security/signed-origin.test.ts', 'test/security/rule-cost.test.ts',
      'test/integration/webhook-edge.test.ts', 'test/integration/portal-sign-in.test.ts', 'test/integration/portal-temporary-password.test.ts',
      'test/integration/portal-accounts.test.ts', 'test/integration/personal-passwords.test.ts', 'test/integration/oidc-discovery.test.ts',
      'test/integration/portal-cards-api.test.ts', 'test/integration/support-contacts.test.ts', 'test/integration/key-rotation.test.ts',
      'test/integration/email-delivery.test.ts', 'test/integration/privacy-deletion.test.ts',
      'test/security/portal-rules.test.ts', 'test/security/forwarded-headers.test.ts', 'test/security/account-scope.test.ts', 'test/security/roles.test.ts',
      'test/integration/sign-in-limiter.test.ts', 'test/integration/portal-access.test.ts', 'test/integration/support-contacts-store.test.ts',
      'test/integration/portal-self-registration.test.ts', 'test/integration/portal-sign-in-code.test.ts', 'test/integration/portal-reset.test.ts',
      'test/integration/oidc-keys-cli.test.ts', 'test/security/passkeys.test.ts',
      'test/integration/provider-pages.test.ts', 'test/integration/redis-unanswered.test.ts', 'test/security/passkey-ceremonies.test.ts',
      'test/integration/signing-keys.test.ts', 'test/integration/store-adapter.test.ts', 'test/integration/oidc-clients.test.ts',
      'test/integration/sign-in-codes.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    setupFiles: ['test/support/setup.ts'],
  },
});
