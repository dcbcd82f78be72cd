import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LockBusyError, type Store } from './store.js';

// Deletes the lock only if we still own it, so a lock that expired and was taken by
// another process is never released by us.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const INCR_TTL = `local v = redis.call('incr', KEYS[1]) if v == 1 then redis.call('expire', KEYS[1], ARGV[1]) end return v`;

export class RedisStore implements Store {
  constructor(private readonly redis: Redis) {}

  get(key: string) { return this.redis.get(key); }
  async getMany(keys: string[]) { return keys.length ? this.redis.mget(keys) : []; }
  async set(key: string, value: string, ttlSeconds?: number) {
    if (ttlSeconds) await this.redis.set(key, value, 'EX', ttlSeconds);
    else await this.redis.set(key, value);
  }
  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    return (await this.redis.set(key, value, 'EX', ttlSeconds, 'NX')) === 'OK';
  }
  async setMany(entries: [string, string][], ttlSeconds: number) {
    if (!entries.length) return;
    const pipeline = this.redis.multi();
    for (const [k, v] of entries) pipeline.set(k, v, 'EX', ttlSeconds);
    await pipeline.exec();
  }
  async claimMany(keys: string[], value: string, ttlSeconds: number) {
    if (!keys.length) return [];
    const pipeline = this.redis.pipeline();
    for (const k of keys) pipeline.set(k, value, 'EX', ttlSeconds, 'NX');
    const answers = (await pipeline.exec()) ?? [];
    return answers.map(([err, ok]) => { if (err) throw err; return ok === 'OK'; });
  }
  async del(key: string) { await this.redis.del(key); }
  async expire(key: string, ttlSeconds: number) { await this.redis.expire(key, ttlSeconds); }
  take(key: string) { return this.redis.getdel(key); }
  async increment(key: string, ttlSeconds: number) {
    return Number(await this.redis.eval(INCR_TTL, 1, key, ttlSeconds));
  }
  async pushCapped(key: string, value: string, cap: number) {
    await this.redis.multi().lpush(key, value).ltrim(key, 0, cap - 1).exec();
  }
  range(key: string, start: number, stop: number) { return this.redis.lrange(key, start, stop); }
  async removeFromList(key: string, value: string) { return (await this.redis.lrem(key, 1, value)) > 0; }
  async withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    const owner = randomUUID();
    if ((await this.redis.set(key, owner, 'PX', ttlMs, 'NX')) !== 'OK') throw new LockBusyError(key);
    try { return await fn(); } finally { await this.redis.eval(RELEASE, 1, key, owner); }
  }
  async ping() { await this.redis.ping(); }
  async close() { await this.redis.quit().catch(() => undefined); }
}
