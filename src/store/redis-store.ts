import { randomUUID } from 'node:crypto';
import { groupBySlot, type RedisClient } from './redis-client.js';
import { LockBusyError, type Store, type WriteOp } from './store.js';

// Deletes the lock only if we still own it, so a lock that expired and was taken by
// another process is never released by us.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const INCR_TTL = `local v = redis.call('incr', KEYS[1]) if v == 1 then redis.call('expire', KEYS[1], ARGV[1]) end return v`;
// Many keys in one command (the webhook edge claims and marks 100 events a request): one request
// and one reply for Redis and for the client instead of one per key. Each key's write is the same
// SET as before; the keys of one call share a slot (perSlot), as a script's keys must on a cluster.
const CLAIM_MANY = `local out = {} for i, k in ipairs(KEYS) do out[i] = redis.call('set', k, ARGV[1], 'EX', ARGV[2], 'NX') and 1 or 0 end return out`;
const SET_MANY = `for i, k in ipairs(KEYS) do redis.call('set', k, ARGV[i + 1], 'EX', ARGV[1]) end return #KEYS`;

// Writes of one slot in one command (a SET, or a push onto a capped list: LPUSH, LTRIM and, with a
// TTL, EXPIRE), atomic as a transaction is, and one request and reply instead of one per command
// plus MULTI and EXEC (a sign-in stores its codes, tokens and their indexes this way). ARGV holds
// four values per key: the kind (s or p), the value, the TTL ('' for none) and the list's cap.
const WRITE_MANY = `for i, k in ipairs(KEYS) do
  local a = (i - 1) * 4
  local value, ttl = ARGV[a + 2], ARGV[a + 3]
  if ARGV[a + 1] == 's' then
    if ttl == '' then redis.call('set', k, value) else redis.call('set', k, value, 'EX', ttl) end
  else
    redis.call('lpush', k, value)
    redis.call('ltrim', k, 0, tonumber(ARGV[a + 4]) - 1)
    if ttl ~= '' then redis.call('expire', k, ttl) end
  end
end
return #KEYS`;

/** One write's four script arguments (a SET's TTL of 0 means none, as in `set`; a push's is used as given). */
function writeArgs(op: WriteOp): string[] {
  if ('set' in op) return ['s', op.value, op.ttlSeconds ? String(op.ttlSeconds) : '', ''];
  return ['p', op.value, op.ttlSeconds !== undefined ? String(op.ttlSeconds) : '', String(op.cap)];
}

type WithWriteMany = RedisClient & { paWriteMany(keyCount: number, ...args: string[]): Promise<number> };

/**
 * The store on one Redis server or a Redis Cluster. Multi-key calls go out one command per slot
 * (on a single server, one command): a webhook batch can mix accounts, whose keys live in
 * different slots; each key's own write stays atomic.
 */
export class RedisStore implements Store {
  constructor(private readonly redis: RedisClient) {
    // EVALSHA, falling back to EVAL once per node that has not seen the script.
    if (!('paWriteMany' in redis)) redis.defineCommand('paWriteMany', { lua: WRITE_MANY });
  }

  /** Runs `each` once per slot group and puts the answers back in the order of `keys`. */
  private async perSlot<T>(keys: string[], each: (group: number[]) => Promise<T[]>): Promise<T[]> {
    const out = new Array<T>(keys.length);
    await Promise.all(groupBySlot(this.redis, keys).map(async (group) => {
      const answers = await each(group);
      group.forEach((at, i) => { out[at] = answers[i]!; });
    }));
    return out;
  }

  get(key: string) { return this.redis.get(key); }
  async getMany(keys: string[]) {
    return keys.length ? this.perSlot(keys, (group) => this.redis.mget(group.map((i) => keys[i]!))) : [];
  }
  async set(key: string, value: string, ttlSeconds?: number) {
    if (ttlSeconds) await this.redis.set(key, value, 'EX', ttlSeconds);
    else await this.redis.set(key, value);
  }
  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    return (await this.redis.set(key, value, 'EX', ttlSeconds, 'NX')) === 'OK';
  }
  async setMany(entries: [string, string][], ttlSeconds: number) {
    if (!entries.length) return;
    await this.perSlot(entries.map(([k]) => k), async (group) => {
      await this.redis.eval(SET_MANY, group.length, ...group.map((i) => entries[i]![0]), ttlSeconds, ...group.map((i) => entries[i]![1]));
      return group.map(() => undefined);
    });
  }
  async writeMany(ops: WriteOp[]) {
    if (!ops.length) return;
    const keys = ops.map((op) => ('set' in op ? op.set : op.push));
    await this.perSlot(keys, async (group) => {
      await (this.redis as WithWriteMany).paWriteMany(group.length, ...group.map((i) => keys[i]!), ...group.flatMap((i) => writeArgs(ops[i]!)));
      return group.map(() => undefined);
    });
  }
  async claimMany(keys: string[], value: string, ttlSeconds: number) {
    if (!keys.length) return [];
    return this.perSlot(keys, async (group) => {
      const claimed = await this.redis.eval(CLAIM_MANY, group.length, ...group.map((i) => keys[i]!), value, ttlSeconds) as number[];
      return claimed.map((c) => c === 1);
    });
  }
  async del(key: string) { await this.redis.del(key); }
  async expire(key: string, ttlSeconds: number) { await this.redis.expire(key, ttlSeconds); }
  take(key: string) { return this.redis.getdel(key); }
  async increment(key: string, ttlSeconds: number) {
    return Number(await this.redis.eval(INCR_TTL, 1, key, ttlSeconds));
  }
  async pushCapped(key: string, value: string, cap: number, ttlSeconds?: number) {
    await this.writeMany([{ push: key, value, cap, ttlSeconds }]);
  }
  range(key: string, start: number, stop: number) { return this.redis.lrange(key, start, stop); }
  async removeFromList(key: string, value: string) { return (await this.redis.lrem(key, 1, value)) > 0; }
  async withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
    const owner = randomUUID();
    if ((await this.redis.set(key, owner, 'PX', ttlMs, 'NX')) !== 'OK') throw new LockBusyError(key);
    try { return await fn(); } finally { await this.redis.eval(RELEASE, 1, key, owner); }
  }
  /** A cluster is ready only when it serves every slot (else each command may meet CLUSTERDOWN). */
  async ping() {
    if (!this.redis.isCluster) { await this.redis.ping(); return; }
    // CLUSTER INFO is answered before ioredis has the slot map; every other command is refused until then.
    if (this.redis.status !== 'ready') throw new Error(`the Redis Cluster connection is ${this.redis.status}, not ready`);
    const state = /cluster_state:(\w+)/.exec(String(await this.redis.cluster('INFO')))?.[1];
    if (state !== 'ok') throw new Error(`Redis Cluster state is ${state ?? 'unknown'}: not every slot is served`);
  }
  async close() { await this.redis.quit().catch(() => undefined); }
}
