import { describe, expect, it } from 'vitest';
import { runOidcKeysCli } from '../../src/server/cli/oidc-keys-cli.js';
import { flushTestRedis, testKeyPrefix, testRedisUrl } from '../support/redis.js';

const env = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: testKeyPrefix, HUBSPOT_CLIENT_SECRET: 'test-client-secret-0123456789', HUBSPOT_ACCESS_TOKEN: 't', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32) };

describe('npm run oidc-keys', () => {
  it('shows the signing key, rotates it keeping the previous one published, and refuses without Redis', async () => {
    await flushTestRedis();
    const lines: string[] = [];
    expect(await runOidcKeysCli(['show'], env, (l) => lines.push(l))).toBe(0);
    const first = /kid (\S+)/.exec(lines[0]!)![1];
    lines.length = 0;
    expect(await runOidcKeysCli(['rotate'], env, (l) => lines.push(l))).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^signs {6}kid \S+ \(RS256\)$/);
    expect(lines[1]).toBe(`published  kid ${first} (RS256)`);
    expect(await runOidcKeysCli(['show'], { ...env, REDIS_URL: '' }, (l) => lines.push(l))).toBe(2);
  });
});
