import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { holdsSecret } from '../support/test-log.js';

/** What the app's logger writes for `fields`, as one line. */
function lineFor(fields: Record<string, unknown>): string {
  let out = '';
  createLogger('info', new Writable({ write(c, _e, done) { out += String(c); done(); } })).info(fields, 'something happened');
  return out;
}

describe('the suite-wide log check (every test app logs through it)', () => {
  it('flags a set-password link, a test secret, an OIDC code in a URL and a bearer token', () => {
    expect(holdsSecret(lineFor({ url: 'https://a.example/portal/4242/set-password/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ' }))).toBe(true);
    expect(holdsSecret(lineFor({ note: 'secret test-client-secret-0123456789' }))).toBe(true);
    expect(holdsSecret(lineFor({ redirect: 'https://portal.example/cb?code=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5' }))).toBe(true);
    expect(holdsSecret(lineFor({ header: 'Bearer pat-na1-1234abcd' }))).toBe(true);
  });

  it('flags a credential nested deeper than the logger\'s redaction reaches, and passes what it redacted', () => {
    expect(holdsSecret(lineFor({ a: { b: { password: 'hunter2-hunter2' } } }))).toBe(true);
    expect(holdsSecret(lineFor({ password: 'hunter2-hunter2', account: { accessToken: 'x' } }))).toBe(false);
    expect(holdsSecret(lineFor({ portalId: 4242, contactId: '17', outcome: 'signed-in', err: { code: 'ECONNREFUSED' } }))).toBe(false);
  });
});
