import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretKeyError, TokenCipher } from '../../src/auth/token-cipher.js';
import { loadCookieKeys, loadSigningKeys, rotateSigningKeys, signingKeysState } from '../../src/portal/oidc/signing-keys.js';
import { keys } from '../../src/store/keys.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { flushTestRedis, testRedis } from '../support/redis.js';

// The identity provider's keys as every web process finds them in Redis: made once, encrypted,
// kept for years, shared, rotated; and what a start says when the configured key opens none.
let redis: Redis;
let store: RedisStore;
const key = randomBytes(32);
const cipher = new TokenCipher(key);
const TEN_YEARS = 10 * 365 * 24 * 3600;

beforeAll(() => { redis = testRedis(); store = new RedisStore(redis); });
beforeEach(async () => { await flushTestRedis(); });
afterAll(async () => { await redis.quit(); });

describe('the provider\'s signing keys', () => {
  it('are made once as one RS256 key, stored encrypted for ten years, and every process that starts at the same time gets the same', async () => {
    const sets = await Promise.all(Array.from({ length: 4 }, () => loadSigningKeys(store, cipher)));
    expect(new Set(sets.map((s) => JSON.stringify(s))).size).toBe(1);
    const [signing] = sets[0]!;
    expect(sets[0]).toHaveLength(1);
    expect(signing).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(signing!.kid).toMatch(/^[\w-]{11}$/);
    expect(signing!.d).toBeTruthy();
    const stored = (await redis.get(keys.oidcSigningKeys()))!;
    expect(stored).not.toContain(signing!.d!);
    expect(stored.startsWith('v2.')).toBe(true);
    expect(await redis.ttl(keys.oidcSigningKeys())).toBeGreaterThan(TEN_YEARS - 60);
    expect(await loadSigningKeys(store, cipher)).toEqual(sets[0]);
  });

  it('rotate: a new key signs, the previous one is still published, and a later start reads both', async () => {
    const [before] = await loadSigningKeys(store, cipher);
    const rotated = await rotateSigningKeys(store, cipher);
    expect(rotated).toHaveLength(2);
    expect(rotated[0]!.kid).not.toBe(before!.kid);
    expect(rotated[1]).toEqual(before);
    expect(await loadSigningKeys(store, cipher)).toEqual(rotated);
  });
});

describe('the provider\'s cookie keys', () => {
  it('are one random 256-bit key, made once for every process, stored encrypted for ten years', async () => {
    const sets = await Promise.all(Array.from({ length: 4 }, () => loadCookieKeys(store, cipher)));
    expect(new Set(sets.map((s) => JSON.stringify(s))).size).toBe(1);
    expect(sets[0]).toHaveLength(1);
    expect(sets[0]![0]).toMatch(/^[\w-]{43}$/);
    expect(await redis.get(keys.oidcCookieKeys())).not.toContain(sets[0]![0]);
    expect(await redis.ttl(keys.oidcCookieKeys())).toBeGreaterThan(TEN_YEARS - 60);
    expect(await loadCookieKeys(store, cipher)).toEqual(sets[0]);
  });
});

describe('the key check at start', () => {
  it('says none before the first start, current when the newest key wrote the keys, older when a re-encryption is due', async () => {
    expect(await signingKeysState(store, cipher)).toBe('none');
    await loadSigningKeys(store, cipher);
    expect(await signingKeysState(store, cipher)).toBe('current');
    expect(await signingKeysState(store, new TokenCipher([randomBytes(32), key]))).toBe('older');
  });

  it('refuses a key list that opens nothing with one sentence naming TOKEN_ENCRYPTION_KEY and what to do', async () => {
    await loadSigningKeys(store, cipher);
    const check = signingKeysState(store, new TokenCipher(randomBytes(32)));
    await expect(check).rejects.toBeInstanceOf(SecretKeyError);
    await expect(signingKeysState(store, new TokenCipher(randomBytes(32)))).rejects.toThrow(
      'TOKEN_ENCRYPTION_KEY opens none of the secrets stored in Redis (the OIDC signing keys: written with a key that is not among the configured ones); put the key they were written with back in the list after the new one (TOKEN_ENCRYPTION_KEY=<new>,<old>), start again, then run npm run reencrypt',
    );
  });
});
