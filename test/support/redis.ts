import { Redis } from 'ioredis';

/** One Redis database per test worker, so parallel files never see each other's keys. */
export function testRedisUrl(): string {
  const db = 1 + (Number(process.env.VITEST_POOL_ID ?? 0) % 15);
  return `redis://127.0.0.1:6379/${db}`;
}

export async function flushTestRedis(): Promise<void> {
  const redis = new Redis(testRedisUrl());
  await redis.flushdb();
  await redis.quit();
}
