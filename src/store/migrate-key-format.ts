import { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { keys } from './keys.js';
import type { RedisClient } from './redis-client.js';
import { scanKeys } from './scan-keys.js';
import { LockBusyError, type Store } from './store.js';

/** '2': an account's keys carry its id as a hash tag (`portal:{123}:…`); before, `portal:123:…`. */
export const KEY_FORMAT = '2';
const LOCK_MS = 60_000;

/**
 * Each direction: which keys SCAN looks at, which of them move, their new names, and whether a key
 * that already has the new name is replaced (down: the tagged keys are what this version last
 * wrote) or kept (up: a tagged key was written by this version since).
 */
const DIRECTIONS = {
  up: { match: 'portal:*', old: /^portal:(\d{1,16}):(.+)$/s, to: 'portal:{$1}:$2', replace: false },
  down: { match: 'portal:{*', old: /^portal:\{(\d{1,16})\}:(.+)$/s, to: 'portal:$1:$2', replace: true },
} as const;
type Direction = keyof typeof DIRECTIONS;

/**
 * Moves the keys an install wrote before the hash tag to their new names, values and times to live
 * kept, once per Redis: the first process to start does it under a lock, the others wait for its
 * mark. Run before anything reads the store; stop every process of the older version first (one
 * still running would go on writing the old names, which nothing reads any more).
 */
export async function migrateKeyFormat(redis: RedisClient, store: Store, log: Logger, waitMs = 5 * 60_000): Promise<number> {
  const until = Date.now() + waitMs;
  for (let waited = false; ;) {
    if ((await store.get(keys.keyFormat())) === KEY_FORMAT) return 0;
    try {
      return await store.withLock(keys.keyFormatLock(), LOCK_MS, async () => {
        if ((await store.get(keys.keyFormat())) === KEY_FORMAT) return 0;
        const moved = await moveKeys(redis, 'up');
        await store.set(keys.keyFormat(), KEY_FORMAT);
        log.info({ moved, format: KEY_FORMAT }, 'account keys are in the hash-tagged format');
        return moved;
      });
    } catch (err) {
      if (!(err instanceof LockBusyError)) throw err;
      if (Date.now() > until) throw new Error(`another process has been moving Redis keys to the new format for over ${waitMs / 1000} s (lock ${keys.keyFormatLock()}); start again once it is done`, { cause: err });
      if (!waited) log.info('waiting for another process to move Redis keys to the new format');
      waited = true;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Gives the keys back the names versions before the hash tag read (rolling back to one of them),
 * and drops the mark, so this version moves them over again at its next start. One server only:
 * those versions never ran on a cluster. Stop every process of this version first.
 */
export async function revertKeyFormat(redis: RedisClient, store: Store): Promise<number> {
  if (redis instanceof Cluster) throw new Error('versions before the hash-tagged key format do not run on a Redis Cluster: there is nothing to roll back to');
  return store.withLock(keys.keyFormatLock(), LOCK_MS, async () => {
    const moved = await moveKeys(redis, 'down');
    await store.del(keys.keyFormat());
    return moved;
  });
}

async function moveKeys(redis: RedisClient, direction: Direction): Promise<number> {
  const { match, old, to, replace } = DIRECTIONS[direction];
  let moved = 0;
  for await (const found of scanKeys(redis, match)) {
    for (const key of found.filter((k) => old.test(k))) moved += (await moveKey(redis, key, key.replace(old, to), replace)) ? 1 : 0;
  }
  return moved;
}

/** RENAME keeps the value and its TTL atomically, but a cluster refuses it across slots: there, DUMP and RESTORE. */
async function moveKey(redis: RedisClient, from: string, to: string, replace: boolean): Promise<boolean> {
  if (!redis.isCluster) {
    const gone = (err: Error) => (/no such key/i.test(err.message) ? -1 : Promise.reject(err));
    if (replace) return (await redis.rename(from, to).catch(gone)) === 'OK';
    const renamed = await redis.renamenx(from, to).catch(gone);
    // 0: a newer value already has the new name (written since): it wins.
    if (renamed === 0) await redis.del(from);
    return renamed === 1;
  }
  const [value, pttl] = await Promise.all([redis.dumpBuffer(from), redis.pttl(from)]);
  if (!value || pttl === -2) return false;
  const restored = await redis.restore(to, Math.max(0, pttl), value).then(() => true, (err: Error) => (/BUSYKEY/.test(err.message) ? false : Promise.reject(err)));
  await redis.del(from);
  return restored;
}
