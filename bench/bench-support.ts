import { Redis } from 'ioredis';

/** Removes one run's keys (its prefix) and nothing else: the Redis may serve others. */
export async function dropKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  for (let cursor = '0'; ;) {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (found.length) await redis.unlink(...found);
    if ((cursor = next) === '0') break;
  }
  await redis.quit();
}
