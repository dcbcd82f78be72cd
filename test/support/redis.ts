import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * The Redis the tests use: TEST_REDIS_URL (default redis://127.0.0.1:6379). Nothing is flushed:
 * every test file writes under a key prefix of its own (the app's REDIS_KEY_PREFIX), so parallel
 * files, and anything else that uses the same Redis, never see each other's keys.
 */
export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

export const testKeyPrefix = `test-${process.pid}-${randomBytes(4).toString('hex')}:`;

/** A client that sees this file's keys by their app names (the prefix is added to every key). */
export function testRedis(): Redis {
  return new Redis(testRedisUrl(), { keyPrefix: testKeyPrefix });
}

/** Removes this file's keys, and only those (SCAN under the prefix, never FLUSHDB). */
export async function flushTestRedis(): Promise<void> {
  const redis = new Redis(testRedisUrl());
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${testKeyPrefix}*`, 'COUNT', 1000);
    if (found.length) await redis.del(...found);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

/** Every key of this file under its app name (for tests that scan what the app wrote). */
export async function testKeys(pattern: string): Promise<string[]> {
  const redis = new Redis(testRedisUrl());
  const found = await redis.keys(`${testKeyPrefix}${pattern}`);
  await redis.quit();
  return found.map((k) => k.slice(testKeyPrefix.length));
}
