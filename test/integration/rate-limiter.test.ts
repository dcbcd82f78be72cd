import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '../../src/hubspot/rate-limiter.js';
import { testRedis } from '../support/redis.js';

let redis: Redis;
let redis2: Redis;
beforeAll(() => { redis = testRedis(); redis2 = testRedis(); });
afterAll(async () => { await redis.quit(); await redis2.quit(); });

describe('rolling-window rate limiter', () => {
  it('lets `limit` calls through per window and tells the next how long to wait (memory, fake clock)', async () => {
    let now = 1_000_000;
    const limiter = new MemoryRateLimiter(() => now);
    for (let i = 0; i < 3; i++) expect(await limiter.tryAcquire('k', 3, 10_000)).toBe(0);
    now += 4000;
    expect(await limiter.tryAcquire('k', 3, 10_000)).toBe(6000);
    now += 6001;
    expect(await limiter.tryAcquire('k', 3, 10_000)).toBe(0);
  });

  it('is shared by every process through Redis: two connections share one budget', async () => {
    const key = `rl:${Math.random()}`;
    const a: RateLimiter = new RedisRateLimiter(redis);
    const b: RateLimiter = new RedisRateLimiter(redis2);
    const answers = await Promise.all([a, b, a, b, a, b].map((l) => l.tryAcquire(key, 4, 10_000)));
    expect(answers.filter((w) => w === 0)).toHaveLength(4);
    for (const w of answers.filter((w) => w > 0)) expect(w).toBeGreaterThan(9000);
  });

  it('holds every caller back after a 429 pause', async () => {
    const key = `rl:${Math.random()}`;
    const limiter = new RedisRateLimiter(redis);
    await limiter.pause(key, 5000);
    const wait = await new RedisRateLimiter(redis2).tryAcquire(key, 100, 10_000);
    expect(wait).toBeGreaterThan(4000);
    expect(wait).toBeLessThanOrEqual(5000);
  });

  it('keeps one budget per account for every process: 429s lower it, passing calls raise it, never past the maximum (Redis and memory agree)', async () => {
    const key = `rl:${Math.random()}`;
    for (const [a, b] of [[new RedisRateLimiter(redis), new RedisRateLimiter(redis2)], [new MemoryRateLimiter(), undefined]] as const) {
      const other = b ?? a;
      const k = `${key}:${b ? 'redis' : 'memory'}`;
      expect(await a.budget(k, 100)).toBe(100);
      expect(await a.adjustBudget(k, 100, 'limited')).toBe(70);
      expect(await other.budget(k, 100)).toBe(70);
      for (let i = 0; i < 20; i++) await other.adjustBudget(k, 100, 'limited');
      expect(await a.budget(k, 100)).toBe(10); // the floor: a tenth of the maximum
      for (let i = 0; i < 10; i++) await a.adjustBudget(k, 100, 'ok');
      expect(await other.budget(k, 100)).toBe(12); // 0.2 % of the maximum per passing call
      for (let i = 0; i < 2000; i++) await other.adjustBudget(k, 100, 'ok');
      expect(await a.budget(k, 100)).toBe(100);
    }
  });

  it('says how long until the oldest call leaves the window', async () => {
    const key = `rl:${Math.random()}`;
    const limiter = new RedisRateLimiter(redis);
    expect(await limiter.untilFree(key, 10_000)).toBe(0);
    await limiter.tryAcquire(key, 5, 10_000);
    const wait = await limiter.untilFree(key, 10_000);
    expect(wait).toBeGreaterThan(9_000);
    expect(wait).toBeLessThanOrEqual(10_000);
  });
});
