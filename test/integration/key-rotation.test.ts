import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsCipher } from '../../src/auth/secrets-cipher.js';
import { TokenCipher } from '../../src/auth/token-cipher.js';
import { TokenVault } from '../../src/auth/token-vault.js';
import { createEmail } from '../../src/email/create-email.js';
import { OidcClients } from '../../src/portal/oidc/oidc-clients.js';
import { loadCookieKeys, loadSigningKeys } from '../../src/portal/oidc/signing-keys.js';
import { createLogger } from '../../src/platform/logger.js';
import { runReencryptCli } from '../../src/server/cli/reencrypt-cli.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { keys } from '../../src/store/keys.js';
import { flushTestRedis, testKeyPrefix, testRedis, testRedisUrl } from '../support/redis.js';
import { startTestApp, TEST_SECRET } from '../support/test-app.js';

const OLD = 'a1'.repeat(32);
const NEW = 'b2'.repeat(32);
const OTHER = 'c3'.repeat(32);
const key = (hex: string) => Buffer.from(hex, 'hex');
const redisEnv = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: testKeyPrefix, HUBSPOT_CLIENT_SECRET: TEST_SECRET, HUBSPOT_ACCESS_TOKEN: 'test-static-token', HUBSPOT_PORTAL_ID: '4242' };

const redis = testRedis();
const store = new RedisStore(redis);
afterAll(async () => { await store.close(); });

/** Every kind of secret the app keeps, written the way the app writes it, under `hex`. */
async function writeEverySecret(hex: string) {
  const tokens = new TokenCipher(key(hex));
  const portal = secretsCipher([key(hex)], TEST_SECRET);
  await new TokenVault(store, tokens).save(31337, { accessToken: 'acc-31337', refreshToken: 'ref-31337', expiresAt: Date.now() + 1_800_000, scopes: ['oauth'] });
  await createEmail(store, undefined as never, tokens).saveSmtpPassword(4242, 'smtp-password-4242');
  const client = await new OidcClients(store, portal).save(4242, ['https://portal.example/sso/callback']);
  const signing = await loadSigningKeys(store, portal);
  const cookies = await loadCookieKeys(store, portal);
  return { client, signing, cookies };
}

/** What the app reads with only `hex` configured (each reader is the app's own). */
async function readEverySecret(hex: string) {
  const tokens = new TokenCipher(key(hex));
  const portal = secretsCipher([key(hex)], TEST_SECRET);
  return {
    oauth: (await new TokenVault(store, tokens).load(31337))?.accessToken,
    smtp: tokens.decrypt((await store.get(keys.smtpPassword(4242)))!, 'smtp:4242'),
    client: (await new OidcClients(store, portal).get(4242))?.clientSecret,
    signing: (await loadSigningKeys(store, portal)).map((k) => k.kid),
    cookies: await loadCookieKeys(store, portal),
  };
}

const runMain = (env: Record<string, string>) => promisify(execFile)('npx', ['tsx', 'src/server/main.ts'], {
  cwd: resolve(import.meta.dirname, '../..'), timeout: 30_000, env: { ...process.env, ...redisEnv, PORT: '0', LOG_LEVEL: 'silent', ...env },
}).then(() => ({ code: 0, stderr: '' }), (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }));

describe('a TOKEN_ENCRYPTION_KEY that opens nothing stored', () => {
  beforeAll(async () => { await flushTestRedis(); await writeEverySecret(OLD); });

  it('ends the start with one line naming TOKEN_ENCRYPTION_KEY and what to do, exit code 78, no stack trace', async () => {
    const result = await runMain({ TOKEN_ENCRYPTION_KEY: NEW });
    expect(result.code).toBe(78);
    const lines = result.stderr.split('\n').filter((l) => l.trim() && !l.includes('oidc-provider WARNING'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Portal Autopilot cannot start: TOKEN_ENCRYPTION_KEY opens none of the secrets stored in Redis .*TOKEN_ENCRYPTION_KEY=<new>,<old>.*npm run reencrypt$/);
  });

  it('says which key of a list is malformed', async () => {
    const result = await runMain({ TOKEN_ENCRYPTION_KEY: `${NEW},not-a-key` });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('TOKEN_ENCRYPTION_KEY (key 2 of 2) must be 32 bytes');
  });
});

describe('rotating TOKEN_ENCRYPTION_KEY', () => {
  let before: Awaited<ReturnType<typeof writeEverySecret>>;
  beforeAll(async () => { await flushTestRedis(); before = await writeEverySecret(OLD); });

  it('starts with the new key first and the old one after it, reads what the old one wrote, and says a re-encryption is due', async () => {
    const lines: string[] = [];
    const app = await startTestApp({ ...redisEnv, TOKEN_ENCRYPTION_KEY: `${NEW},${OLD}`, LOG_LEVEL: 'info' }, { log: createLogger('info', new Writable({ write(c, _e, done) { lines.push(String(c)); done(); } })) });
    try {
      expect(lines.some((l) => l.includes('run npm run reencrypt'))).toBe(true);
      const jwks = await (await fetch(`${app.url}/oidc/jwks`)).json() as { keys: { kid: string }[] };
      expect(jwks.keys.map((k) => k.kid)).toEqual(before.signing.map((k) => k.kid));
      expect((await app.portal.clients.get(4242))?.clientSecret).toBe(before.client.clientSecret);
    } finally { await app.stop(); }
  });

  it('npm run reencrypt rewrites every stored secret under the new key, TTLs kept; afterwards the new key alone reads them all', async () => {
    const ttlBefore = await redis.ttl(keys.oidcSigningKeys());
    const out: string[] = [];
    expect(await runReencryptCli({ ...redisEnv, TOKEN_ENCRYPTION_KEY: `${NEW},${OLD}` }, (l) => out.push(l))).toBe(0);
    expect(out[0]).toBe('re-encrypted under the newest key: 5; already under it: 0');
    expect(await readEverySecret(NEW)).toEqual({
      oauth: 'acc-31337', smtp: 'smtp-password-4242', client: before.client.clientSecret, signing: before.signing.map((k) => k.kid), cookies: before.cookies,
    });
    expect(Math.abs((await redis.ttl(keys.oidcSigningKeys())) - ttlBefore)).toBeLessThan(5);
    // The old key alone opens nothing any more.
    await expect(readEverySecret(OLD)).rejects.toThrow();
  });

  it('goes on where a stopped run left off: a second run finds nothing left to do', async () => {
    const out: string[] = [];
    expect(await runReencryptCli({ ...redisEnv, TOKEN_ENCRYPTION_KEY: NEW }, (l) => out.push(l))).toBe(0);
    expect(out[0]).toBe('re-encrypted under the newest key: 0; already under it: 5');
  });

  it('names a secret no configured key opens, leaves it as it is, and exits 1', async () => {
    await store.set(keys.smtpPassword(777), new TokenCipher(key(OTHER)).encrypt('other', 'smtp:777'));
    const out: string[] = [];
    expect(await runReencryptCli({ ...redisEnv, TOKEN_ENCRYPTION_KEY: NEW }, (l) => out.push(l))).toBe(1);
    expect(out[1]).toBe('not opened by any key in TOKEN_ENCRYPTION_KEY (1), left as they are: portal:{777}:smtp-password');
    expect(new TokenCipher(key(OTHER)).decrypt((await store.get(keys.smtpPassword(777)))!, 'smtp:777')).toBe('other');
  });

  it('moves an install without TOKEN_ENCRYPTION_KEY (secrets under a key from the client secret) to one', async () => {
    await flushTestRedis();
    const portal = secretsCipher([], TEST_SECRET);
    const client = await new OidcClients(store, portal).save(4242, ['https://portal.example/sso/callback']);
    expect(await runReencryptCli({ ...redisEnv, TOKEN_ENCRYPTION_KEY: NEW }, () => undefined)).toBe(0);
    expect(new TokenCipher(key(NEW)).isCurrent(JSON.parse((await store.get(keys.oidcClient(4242)))!).secret)).toBe(true);
    expect((await new OidcClients(store, secretsCipher([key(NEW)], TEST_SECRET)).get(4242))?.clientSecret).toBe(client.clientSecret);
  });
});
