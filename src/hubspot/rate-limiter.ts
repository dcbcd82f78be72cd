import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Answers 0 when a call may go now, else how many ms to wait. Shared by every process via Redis. */
export interface RateLimiter {
  tryAcquire(key: string, limit: number, windowMs: number): Promise<number>;
  /** Holds every caller of `key` back for `ms` (after a 429 from HubSpot). */
  pause(key: string, ms: number): Promise<void>;
}

// A rolling window like HubSpot's own TEN_SECONDLY_ROLLING policy: a sorted set of call times.
// Redis' clock is used so that processes on machines with skewed clocks agree.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

export class RedisRateLimiter implements RateLimiter {
  constructor(private readonly redis: Redis) {}
  async tryAcquire(key: string, limit: number, windowMs: number): Promise<number> {
    return Number(await this.redis.eval(ACQUIRE, 2, key, `${key}:pause`, limit, windowMs, randomUUID()));
  }
  async pause(key: string, ms: number): Promise<void> {
    await this.redis.set(`${key}:pause`, '1', 'PX', Math.max(1, Math.round(ms)));
  }
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly calls = new Map<string, number[]>();
  private readonly pausedUntil = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}
  async tryAcquire(key: string, limit: number, windowMs: number): Promise<number> {
    const now = this.now();
    const paused = (this.pausedUntil.get(key) ?? 0) - now;
    if (paused > 0) return paused;
    const calls = (this.calls.get(key) ?? []).filter((t) => t > now - windowMs);
    this.calls.set(key, calls);
    if (calls.length < limit) { calls.push(now); return 0; }
    return Math.max(1, calls[0]! + windowMs - now);
  }
  async pause(key: string, ms: number): Promise<void> {
    this.pausedUntil.set(key, this.now() + ms);
  }
}

/** Waits (sleeping as told) until the limiter lets a call go. */
export async function acquire(
  limiter: RateLimiter, key: string, limit: number, windowMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  for (;;) {
    const wait = await limiter.tryAcquire(key, limit, windowMs);
    if (wait === 0) return;
    await sleep(wait);
  }
}
