import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisClient } from '../../src/store/redis-client.js';
import { SignInLimiter, SIGN_IN_LIMITS, type SignInLimits } from '../../src/portal/sign-in-limiter.js';
import { Redis } from 'ioredis';
import { flushTestRedis, testKeyPrefix, testRedisUrl } from '../support/redis.js';

const small: SignInLimits = {
  perAccount: { points: 2, duration: 600 }, perIp: { points: 3, duration: 900 }, forgotPerIp: { points: 2, duration: 900 },
  registerPerIp: { points: 2, duration: 3600 }, registerPerAddress: { points: 1, duration: 86_400 },
  codePerIp: { points: 2, duration: 900 }, codePerAddress: { points: 1, duration: 3600 },
};

let redis: RedisClient;
beforeAll(async () => {
  await flushTestRedis();
  redis = connectRedis({ url: testRedisUrl(), cluster: false }, 'store', testKeyPrefix);
  if (redis.status !== 'ready') await new Promise((r) => redis.once('ready', r));
});
afterAll(async () => { redis.disconnect(); await flushTestRedis(); });

describe.each([['memory', () => new SignInLimiter(undefined, small)], ['Redis', () => new SignInLimiter(redis, small)]] as const)('the sign-in limits (%s)', (kind, make) => {
  const key = (name: string) => `${kind}-${name}`;

  it('stops an account after its wrong passwords, for the rest of the window, and a right one clears the count', async () => {
    const limiter = make();
    expect(await limiter.attempt(key('ip-a'), key('ada'))).toEqual({ limited: false, retryAfterMs: 0, failures: 0 });
    await limiter.failed(key('ada'));
    // One wrong password of two: still let in, and the page knows there is a count to clear on success.
    expect(await limiter.attempt(key('ip-a'), key('ada'))).toEqual({ limited: false, retryAfterMs: 0, failures: 1 });
    await limiter.failed(key('ada'));
    const stopped = await limiter.attempt(key('ip-b'), key('ada'));
    expect(stopped.limited).toBe(true);
    expect(stopped.retryAfterMs).toBeGreaterThan(590_000);
    expect(stopped.retryAfterMs).toBeLessThanOrEqual(600_000);
    // Another account from the same address is not stopped by Ada's count.
    expect((await limiter.attempt(key('ip-c'), key('grace'))).limited).toBe(false);
    await limiter.succeeded(key('ada'));
    expect((await limiter.attempt(key('ip-c'), key('ada'))).limited).toBe(false);
  });

  it('stops an address after its attempts, whatever the accounts', async () => {
    const limiter = make();
    for (let i = 0; i < 3; i++) expect((await limiter.attempt(key('ip-d'), key(`user${i}`))).limited).toBe(false);
    const stopped = await limiter.attempt(key('ip-d'), key('user9'));
    expect(stopped.limited).toBe(true);
    expect(stopped.retryAfterMs).toBeGreaterThan(890_000);
    expect((await limiter.attempt(key('ip-e'), key('user9'))).limited).toBe(false);
  });

  it('limits forgot-password requests per address', async () => {
    const limiter = make();
    expect(await limiter.forgotRequest(key('ip-f'))).toEqual({ limited: false, retryAfterMs: 0 });
    expect((await limiter.forgotRequest(key('ip-f'))).limited).toBe(false);
    const stopped = await limiter.forgotRequest(key('ip-f'));
    expect(stopped.limited).toBe(true);
    expect(stopped.retryAfterMs).toBeGreaterThan(890_000);
  });

  it('limits requests for access per client address first, then per address asked for (which a refused request does not spend)', async () => {
    const limiter = make();
    expect(await limiter.registerRequest(key('ip-g'), key('x@acme.example'))).toEqual({ limited: false, retryAfterMs: 0 });
    // The same address asked for again: its daily budget (one) is spent.
    const again = await limiter.registerRequest(key('ip-h'), key('x@acme.example'));
    expect(again.limited).toBe(true);
    expect(again.retryAfterMs).toBeGreaterThan(86_000_000);
    expect((await limiter.registerRequest(key('ip-g'), key('y@acme.example'))).limited).toBe(false);
    // ip-g's hour (two) is spent by its two requests: a third is refused by it, and z's budget is never touched.
    const byIp = await limiter.registerRequest(key('ip-g'), key('z@acme.example'));
    expect(byIp).toMatchObject({ limited: true });
    expect(byIp.retryAfterMs).toBeGreaterThan(3_500_000);
    expect((await limiter.registerRequest(key('ip-i'), key('z@acme.example'))).limited).toBe(false);
  });

  it('counts sign-in code requests per client address and per address asked for, each on its own budget', async () => {
    const limiter = make();
    expect(await limiter.codeRequest(key('ip-c1'), key('c@acme.example'))).toEqual({ limited: false, retryAfterMs: 0 });
    const again = await limiter.codeRequest(key('ip-c2'), key('c@acme.example'));
    expect(again.limited).toBe(true);
    expect(again.retryAfterMs).toBeGreaterThan(3_500_000);
    expect((await limiter.codeRequest(key('ip-c1'), key('d@acme.example'))).limited).toBe(false);
    const byIp = await limiter.codeRequest(key('ip-c1'), key('e@acme.example'));
    expect(byIp.limited).toBe(true);
    expect(byIp.retryAfterMs).toBeLessThanOrEqual(900_000);
    expect((await limiter.codeRequest(key('ip-c3'), key('e@acme.example'))).limited).toBe(false);
  });
});

describe('the sign-in limits across processes', () => {
  it('are shared through Redis under the app\'s portal-rate keys, so a second process sees the first one\'s count', async () => {
    const one = new SignInLimiter(redis, small);
    const two = new SignInLimiter(redis, small);
    await one.failed('shared-ada');
    await two.failed('shared-ada');
    expect((await one.attempt('shared-ip', 'shared-ada')).limited).toBe(true);
    await one.forgotRequest('shared-ip');
    await two.registerRequest('shared-ip', 'shared-x@acme.example');
    await one.codeRequest('shared-ip', 'shared-c@acme.example');
    const raw = new Redis(testRedisUrl());
    const keys = (await raw.keys(`${testKeyPrefix}app:portal-rate:*`)).map((k) => k.slice(testKeyPrefix.length));
    await raw.quit();
    expect(keys.sort()).toEqual(expect.arrayContaining([
      'app:portal-rate:account:shared-ada', 'app:portal-rate:forgot:shared-ip', 'app:portal-rate:ip:shared-ip',
      'app:portal-rate:register-address:shared-x@acme.example', 'app:portal-rate:register-ip:shared-ip',
      'app:portal-rate:code-ip:shared-ip', 'app:portal-rate:code-address:shared-c@acme.example',
    ]));
  });

  it('fails, never says "limited", when Redis cannot answer (a customer is told to try again, not to wait 15 minutes)', async () => {
    const away = connectRedis({ url: 'redis://127.0.0.1:1', cluster: false }, 'store', testKeyPrefix);
    away.on('error', () => undefined);
    const limiter = new SignInLimiter(away, small);
    await expect(limiter.attempt('ip-away', 'ada')).rejects.toThrow();
    await expect(limiter.forgotRequest('ip-away')).rejects.toThrow();
    await expect(limiter.registerRequest('ip-away', 'x@acme.example')).rejects.toThrow();
    await expect(limiter.codeRequest('ip-away', 'x@acme.example')).rejects.toThrow();
    away.disconnect();
  });

  it('ship with the budgets the docs state: 5 wrong passwords per account and 300 attempts per address in 15 minutes, 20 forgot requests, 10 access requests an hour, 3 a day per address, 30 code requests per client address in 15 minutes and 5 an hour per address', () => {
    expect(SIGN_IN_LIMITS).toEqual({
      perAccount: { points: 5, duration: 900 }, perIp: { points: 300, duration: 900 }, forgotPerIp: { points: 20, duration: 900 },
      registerPerIp: { points: 10, duration: 3600 }, registerPerAddress: { points: 3, duration: 86_400 },
      codePerIp: { points: 30, duration: 900 }, codePerAddress: { points: 5, duration: 3600 },
    });
  });
});
