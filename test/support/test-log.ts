import { Writable } from 'node:stream';
import { createLogger } from '../../src/platform/logger.js';

/**
 * The logger every test app runs with: the app's own (its redaction included) at trace level, so
 * every line the suite's code paths write is produced, and each line is checked as it is written
 * (then dropped): no test secret, no set-password link, no credential field that escaped redaction.
 * test/support/setup.ts fails the file when any line did.
 */
const SECRETS = ['test-client-secret-0123456789', 'test-static-token', 'sandbox-test-token', 'ab'.repeat(32)];
const PATTERNS = [
  /\/set-password\/[\w-]{43}/,
  /[?&]code=[\w-]{20,}/,
  /"(password|accessToken|refreshToken|access_token|refresh_token|clientSecret|client_secret)":"(?!\[redacted\])/,
  /"code":"[\w-]{20,}"/,
  /Bearer [\w.-]{8,}/,
];

/** Whether a log line holds a test secret, a set-password link, an OIDC code or a credential redaction missed. */
export const holdsSecret = (line: string) => SECRETS.some((s) => line.includes(s)) || PATTERNS.some((p) => p.test(line));

const violations: string[] = [];

export const testLog = createLogger('trace', new Writable({
  write(chunk, _encoding, done) {
    const line = String(chunk);
    if (holdsSecret(line)) violations.push(line.slice(0, 500));
    done();
  },
}));

/** Lines that held a secret (empty when none did). */
export const logViolations = (): readonly string[] => violations;
