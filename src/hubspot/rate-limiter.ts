import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../store/redis-client.js';

/** Answers 0 when a call may go now, else how many ms to wait. Shared by every process via Redis. */
export interface RateLimiter {
  tryAcquire(key: string, limit: number, windowMs: number): Promise<number>;
  /** Holds every caller of `key` back for `ms` (after a 429 from HubSpot). */
  pause(key: string, ms: number): Promise<void>;
  /** How long until the oldest call in the window leaves it (0 when there is room or none). */
  untilFree(key: string, windowMs: number): Promise<number>;
  /**
   * The account's shared budget, lowered when HubSpot keeps answering 429 (multiplicative
   * decrease) and raised back slowly with every call that passes (additive increase).
   */
  budget(key: string, max: number): Promise<number>;
  adjustBudget(key: string, max: number, outcome: 'ok' | 'limited'): Promise<number>;
}

/**
 * AIMD: a spent-window 429 takes the budget to 70 %; each passing call gives back 0.2 % of the
 * maximum (from the floor to the full limit in 450 calls, whatever the limit); never below a tenth.
 */
export const BUDGET = { decrease: 0.7, increase: 0.002, floor: 0.1, ttlS: 15 * 60 } as const;
/** Whole calls of a fractional budget (tenths add up to 10.999… in floating point). */
const whole = (b: number) => Math.floor(b + 1e-6);

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

const UNTIL_FREE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if not oldest[2] then return 0 end
return math.max(0, tonumber(oldest[2]) + tonumber(ARGV[1]) - now)
`;
const ADJUST = `
local max = tonumber(ARGV[1])
local b = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if ARGV[2] == 'limited' then b = math.max(max * tonumber(ARGV[5]), b * tonumber(ARGV[3])) else b = math.min(max, b + max * tonumber(ARGV[4])) end
redis.call('SET', KEYS[1], tostring(b), 'EX', ARGV[6])
return tostring(b)
`;

export class RedisRateLimiter implements RateLimiter {
  constructor(private readonly redis: RedisClient) {}
  async untilFree(key: string, windowMs: number): Promise<number> {
    return Number(await this.redis.eval(UNTIL_FREE, 1, key, windowMs));
  }
  async budget(key: string, max: number): Promise<number> {
    const b = await this.redis.get(`${key}:budget`);
    return b === null ? max : Math.min(max, whole(Number(b)));
  }
  async adjustBudget(key: string, max: number, outcome: 'ok' | 'limited'): Promise<number> {
    return whole(Number(await this.redis.eval(ADJUST, 1, `${key}:budget`, max, outcome, BUDGET.decrease, BUDGET.increase, BUDGET.floor, BUDGET.ttlS)));
  }
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
  private readonly budgets = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}
  async untilFree(key: string, windowMs: number): Promise<number> {
    const oldest = (this.calls.get(key) ?? []).find((t) => t > this.now() - windowMs);
    return oldest === undefined ? 0 : Math.max(0, oldest + windowMs - this.now());
  }
  async budget(key: string, max: number): Promise<number> {
    return Math.min(max, whole(this.budgets.get(key) ?? max));
  }
  async adjustBudget(key: string, max: number, outcome: 'ok' | 'limited'): Promise<number> {
    const b = this.budgets.get(key) ?? max;
    const next = outcome === 'limited' ? Math.max(max * BUDGET.floor, b * BUDGET.decrease) : Math.min(max, b + max * BUDGET.increase);
    this.budgets.set(key, next);
    return whole(next);
  }
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
