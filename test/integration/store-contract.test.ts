import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { connectRedis, type RedisClient } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { LockBusyError, type Store } from '../../src/store/store.js';
import { clusterPorts, startRedisCluster, type TestCluster } from '../support/redis-cluster.js';
import { flushTestRedis, testKeyPrefix, testRedis } from '../support/redis.js';

let redis: Redis;
// A three-node Redis Cluster of this file's own: the same contract holds there.
const clusterDir = mkdtempSync(join(tmpdir(), 'portal-autopilot-contract-'));
let cluster: TestCluster;
let clusterClient: RedisClient;
beforeAll(async () => {
  await flushTestRedis();
  redis = testRedis();
  cluster = await startRedisCluster(await clusterPorts(3), clusterDir);
  clusterClient = connectRedis({ url: cluster.url, cluster: true }, 'cli', testKeyPrefix);
}, 60_000);
afterAll(async () => {
  await redis.quit();
  clusterClient?.disconnect();
  await cluster?.stop();
  rmSync(clusterDir, { recursive: true, force: true });
});

const stores: [string, () => Store][] = [
  ['memory', () => new MemoryStore()],
  ['redis', () => new RedisStore(redis)],
  ['redis cluster', () => new RedisStore(clusterClient)],
];

describe.each(stores)('%s store (one contract for both)', (_name, make) => {
  const k = (s: string) => `contract:${_name}:${s}:${Math.random()}`;

  it('creates a key only once with setIfAbsent', async () => {
    const store = make();
    const key = k('once');
    expect(await store.setIfAbsent(key, 'a', 60)).toBe(true);
    expect(await store.setIfAbsent(key, 'b', 60)).toBe(false);
    expect(await store.get(key)).toBe('a');
  });

  it('reads many keys in order, with null for the missing ones', async () => {
    const store = make();
    const [a, b, c] = [k('a'), k('b'), k('c')];
    await store.setMany([[a, '1'], [c, '3']], 60);
    expect(await store.getMany([a, b, c])).toEqual(['1', null, '3']);
  });

  it('forgets a key after its TTL', async () => {
    const store = make();
    const key = k('ttl');
    await store.set(key, 'v', 1);
    expect(await store.get(key)).toBe('v');
    await expect.poll(() => store.get(key), { timeout: 3000, interval: 100 }).toBeNull();
  });

  it('reads, writes and claims keys of many accounts and global keys in one call each (a webhook batch mixes accounts)', async () => {
    const store = make();
    const id = `${_name}-${Math.random()}`;
    const mixed = [keys.eventSeen(11, id), keys.eventSeen(12, id), keys.oauthState(id), keys.eventSeen(13, id), keys.eventSeen(11, `${id}-b`)];
    await store.set(mixed[3]!, 'before');
    expect(await store.claimMany(mixed, 'claimed', 60)).toEqual([true, true, true, false, true]);
    await store.setMany([[mixed[0]!, 'queued'], [mixed[2]!, 'queued'], [mixed[4]!, 'queued']], 60);
    expect(await store.getMany([...mixed].reverse())).toEqual(['queued', 'before', 'queued', 'claimed', 'queued']);
  });

  it('claims many keys in one call, each only once', async () => {
    const store = make();
    const [a, b] = [k('claim-a'), k('claim-b')];
    await store.set(b, 'taken');
    expect(await store.claimMany([a, b], 'mine', 60)).toEqual([true, false]);
    expect(await store.claimMany([a], 'again', 60)).toEqual([false]);
    expect(await store.get(a)).toBe('mine');
  });

  it('takes a single-use value once', async () => {
    const store = make();
    const key = k('take');
    await store.set(key, 'state', 60);
    expect(await store.take(key)).toBe('state');
    expect(await store.take(key)).toBeNull();
  });

  it('counts up', async () => {
    const store = make();
    const key = k('count');
    expect(await store.increment(key, 60)).toBe(1);
    expect(await store.increment(key, 60)).toBe(2);
  });

  it('keeps a capped list newest first and removes entries from it', async () => {
    const store = make();
    const key = k('list');
    for (const v of ['1', '2', '3', '4']) await store.pushCapped(key, v, 3);
    expect(await store.range(key, 0, -1)).toEqual(['4', '3', '2']);
    expect(await store.removeFromList(key, '3')).toBe(true);
    expect(await store.removeFromList(key, '3')).toBe(false);
    expect(await store.range(key, 0, -1)).toEqual(['4', '2']);
  });

  it('writes keys and capped lists of many accounts together, each as its own call would, TTLs and caps kept', async () => {
    const store = make();
    const id = `${_name}-${Math.random()}`;
    const [kept, fading, list, fadingList, other] = [keys.oidcModel('Session', id), keys.oidcModel('Grant', id), keys.contactData(11, id), keys.oidcGrantIndex(id), keys.contactData(12, id)];
    await store.pushCapped(list, 'old-1', 2);
    await store.writeMany([
      { set: kept, value: 'v1' },
      { set: fading, value: 'v2', ttlSeconds: 1 },
      { push: list, value: 'new', cap: 2 },
      { push: fadingList, value: 'x', cap: 5, ttlSeconds: 1 },
      { push: other, value: 'y', cap: 1 },
      { push: other, value: 'z', cap: 1 },
    ]);
    expect(await store.getMany([kept, fading])).toEqual(['v1', 'v2']);
    expect(await store.range(list, 0, -1)).toEqual(['new', 'old-1']);
    expect(await store.range(other, 0, -1)).toEqual(['z']);
    expect(await store.range(fadingList, 0, -1)).toEqual(['x']);
    await expect.poll(async () => [await store.get(fading), await store.range(fadingList, 0, -1)], { timeout: 3000, interval: 100 }).toEqual([null, []]);
    expect(await store.get(kept)).toBe('v1');
    expect(await store.range(list, 0, -1)).toEqual(['new', 'old-1']);
  });

  it('lets only one holder run under a lock at a time, and frees it afterwards', async () => {
    const store = make();
    const key = k('lock');
    let release!: () => void;
    let held!: () => void;
    const holding = new Promise<void>((r) => { held = r; });
    const first = store.withLock(key, 5000, () => new Promise<string>((r) => { release = () => r('first'); held(); }));
    await holding;
    await expect(store.withLock(key, 5000, async () => 'second')).rejects.toBeInstanceOf(LockBusyError);
    release();
    expect(await first).toBe('first');
    expect(await store.withLock(key, 5000, async () => 'third')).toBe('third');
  });
});
