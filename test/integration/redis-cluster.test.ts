/**
 * The app on a three-node Redis Cluster of this file's own (loopback): an account's keys share a
 * slot and accounts spread over the nodes; a webhook batch that mixes accounts on different nodes
 * is claimed, queued and processed once per event; the rate limiter's and the sign-in limiter's
 * scripts run; keys of an install from before the hash tag are moved over; readiness follows the
 * cluster's own state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisRateLimiter } from '../../src/hubspot/rate-limiter.js';
import { SignInLimiter } from '../../src/portal/sign-in-limiter.js';
import { keys } from '../../src/store/keys.js';
import { KEY_FORMAT, migrateKeyFormat, revertKeyFormat } from '../../src/store/migrate-key-format.js';
import { connectRedis, hashedPart } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis-store.js';
import type { HubSpotEvent } from '../../src/webhooks/event-schema.js';
import { deliver, event } from '../support/hubspot-client.js';
import { clusterPorts, keysOnNodes, startRedisCluster, type TestCluster } from '../support/redis-cluster.js';
import { testKeyPrefix } from '../support/redis.js';
import { testLog } from '../support/test-log.js';
import { startTestApp } from '../support/test-app.js';

const dir = mkdtempSync(join(tmpdir(), 'portal-autopilot-cluster-'));
let cluster: TestCluster;
let client: Cluster;
let store: RedisStore;

beforeAll(async () => {
  // Append-only, so a node killed and started again comes back with its keys (the queue's among them).
  cluster = await startRedisCluster(await clusterPorts(3), dir, ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always']);
  client = connectRedis({ url: cluster.url, cluster: true }, 'cli', testKeyPrefix) as Cluster;
  store = new RedisStore(client);
  await vi.waitFor(() => store.ping(), { timeout: 10_000, interval: 100 });
}, 60_000);
afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Account ids whose keys land on each of the three nodes (found, not assumed). */
async function accountsPerNode(): Promise<number[]> {
  const found: number[] = [];
  for (let id = 1000; found.filter(Boolean).length < 3 && id < 1300; id++) {
    const node = await cluster.nodeOf(`${testKeyPrefix}${keys.settings(id)}`);
    found[node] ??= id;
  }
  return found;
}

describe('Redis Cluster: keys', () => {
  it('keeps every key of an account in one slot, and spreads accounts over all three nodes', async () => {
    const slot = async (key: string) => Number(await client.cluster('KEYSLOT', `${testKeyPrefix}${key}`));
    const one = [keys.settings(4242), keys.eventSeen(4242, 'x'), keys.rateLimit(4242, 'general'), `${keys.rateLimit(4242, 'general')}:pause`, keys.portalAccount(4242, '7'), keys.nameIntent(4242, 'a@b.example')];
    expect(new Set(await Promise.all(one.map(slot))).size).toBe(1);
    const nodes = await accountsPerNode();
    expect(nodes.filter(Boolean)).toHaveLength(3);
  });

  it('groups keys by slot as Redis does (the hash-tag examples of the Redis Cluster specification, checked with CLUSTER KEYSLOT)', async () => {
    const examples: [string, string][] = [['{user1000}.following', 'user1000'], ['{user1000}.followers', 'user1000'], ['foo{}{bar}', 'foo{}{bar}'], ['foo{{bar}}zap', '{bar'], ['foo{bar}{zap}', 'bar'], ['portal:{42}:settings', '42'], ['app:dead-letters', 'app:dead-letters']];
    for (const [key, part] of examples) {
      expect(hashedPart(key), key).toBe(part);
      expect(await client.cluster('KEYSLOT', key), key).toBe(await client.cluster('KEYSLOT', part));
    }
  });

  it('reads, writes and claims keys of accounts on different nodes in one call each, answers in the callers\' order', async () => {
    const ids = await accountsPerNode();
    const k = ids.map((id) => keys.eventSeen(id, `mixed-${Math.random()}`));
    expect(await store.claimMany([k[0]!, k[1]!], 'claimed', 60)).toEqual([true, true]);
    expect(await store.claimMany([k[2]!, k[1]!, k[0]!], 'claimed', 60)).toEqual([true, false, false]);
    await store.setMany([[k[1]!, 'queued'], [k[2]!, 'queued']], 60);
    expect(await store.getMany([k[2]!, keys.settings(999_999), k[0]!, k[1]!])).toEqual(['queued', null, 'claimed', 'queued']);
    expect(await client.ttl(k[2]!)).toBeGreaterThan(50);
  });

  it('runs the HubSpot rate limiter\'s two-key script and the sign-in limiter on the cluster', async () => {
    const limiter = new RedisRateLimiter(client);
    const key = keys.rateLimit(4242, `cluster-${Math.random()}`);
    expect([await limiter.tryAcquire(key, 2, 10_000), await limiter.tryAcquire(key, 2, 10_000)]).toEqual([0, 0]);
    expect(await limiter.tryAcquire(key, 2, 10_000)).toBeGreaterThan(0);
    await limiter.pause(keys.rateLimit(4243, 'general'), 5_000);
    expect(await limiter.tryAcquire(keys.rateLimit(4243, 'general'), 100, 10_000)).toBeGreaterThan(4_000);

    const signIn = new SignInLimiter(client, { perAccount: { points: 2, duration: 60 }, perIp: { points: 100, duration: 60 }, forgotPerIp: { points: 1, duration: 60 }, registerPerIp: { points: 1, duration: 60 }, registerPerAddress: { points: 1, duration: 60 }, codePerIp: { points: 1, duration: 60 }, codePerAddress: { points: 1, duration: 60 } });
    const who = `4242:cluster-${Math.random()}@example.com`;
    expect((await signIn.attempt('198.51.100.7', who)).limited).toBe(false);
    await signIn.failed(who);
    await signIn.failed(who);
    expect((await signIn.attempt('198.51.100.7', who)).limited).toBe(true);
  });

  it('moves an older install\'s keys (portal:ID:…) to their hash-tagged names on every node, values and TTLs kept, once', async () => {
    const ids = (await accountsPerNode()).filter(Boolean);
    for (const id of ids) {
      await client.set(`portal:${id}:settings`, `{"account":${id}}`);
      await client.set(`portal:${id}:event:abc`, 'queued', 'EX', 3600);
      await client.rpush(`portal:${id}:email-log:1`, 'second', 'first');
    }
    await client.del(keys.keyFormat());
    const moved = await migrateKeyFormat(client, store, testLog);
    expect(moved).toBe(3 * ids.length);
    for (const id of ids) {
      expect(await store.get(keys.settings(id))).toBe(`{"account":${id}}`);
      expect(await client.ttl(keys.eventSeen(id, 'abc'))).toBeGreaterThan(3500);
      expect(await store.range(keys.emailLog(id, '1'), 0, -1)).toEqual(['second', 'first']);
      expect(await client.exists(`portal:${id}:settings`)).toBe(0);
    }
    expect(await store.get(keys.keyFormat())).toBe(KEY_FORMAT);
    await client.set(`portal:${ids[0]}:settings`, 'written by an old process after the move');
    expect(await migrateKeyFormat(client, store, testLog)).toBe(0);
    // Versions before the tag never ran on a cluster: there is nothing to roll back to.
    await expect(revertKeyFormat(client, store)).rejects.toThrow(/do not run on a Redis Cluster/);
  });
});

describe('Redis Cluster: the app', () => {
  type App = Awaited<ReturnType<typeof startTestApp>>;
  let app: App;
  const processed: HubSpotEvent[] = [];

  beforeAll(async () => {
    const record = async (e: HubSpotEvent) => { processed.push(e); };
    app = await startTestApp({ REDIS_URL: cluster.url, REDIS_CLUSTER: 'true' }, { handlers: { 'conversation.creation': record, 'ticket.creation': record } });
  }, 30_000);
  afterAll(async () => { await app?.stop(); });

  it('queues a batch that mixes accounts on all three nodes once, and the worker handles each event once', async () => {
    const ids = await accountsPerNode();
    const batch = ids.flatMap((portalId) => [event({ portalId }), event({ portalId, subscriptionType: 'ticket.creation' })]);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await deliver(app.url!, [...batch].reverse().map((e) => ({ ...e, attemptNumber: i })))).body);
    expect(answers).toEqual([{ queued: 6, duplicates: 0 }, { queued: 0, duplicates: 6 }, { queued: 0, duplicates: 6 }]);
    await app.queue.idle();
    for (const e of batch) expect(processed.filter((p) => p.eventId === e.eventId && p.portalId === e.portalId)).toHaveLength(1);
    // BullMQ's keys share one hash-tagged slot.
    const bull = await keysOnNodes(cluster.ports, '*hubspot-events*');
    expect(bull.length).toBeGreaterThan(0);
    expect(bull.filter((k) => !/^\{t\w+\}:hubspot-events:/.test(k))).toEqual([]);
  });

  it('is not ready while a node is down (its slots are not served), and ready again once it is back', async () => {
    const ready = async () => (await fetch(`${app.url}/readyz`)).status;
    expect(await ready()).toBe(200);
    await cluster.killNode(1);
    await vi.waitFor(async () => expect(await ready()).toBe(503), { timeout: 20_000, interval: 200 });
    await cluster.startNodes([1]);
    await vi.waitFor(async () => expect(await ready()).toBe(200), { timeout: 20_000, interval: 200 });
    const late = event({ portalId: (await accountsPerNode())[1]! });
    expect((await deliver(app.url!, [late])).status).toBe(200);
    await app.queue.idle();
    expect(processed.filter((p) => p.eventId === late.eventId)).toHaveLength(1);
  }, 60_000);
});
