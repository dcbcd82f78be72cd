import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/platform/metrics.js';
import { BullmqQueue } from '../../src/queue/bullmq-queue.js';
import { DeadLetters } from '../../src/queue/dead-letters.js';
import { connectRedis } from '../../src/store/redis-client.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { routeEvent, type AccountContext } from '../../src/webhooks/route-event.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { freePort, startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { clusterPorts, startRedisCluster, type TestCluster } from '../support/redis-cluster.js';
import { startRedisServer, type TestRedisServer } from '../support/redis-server.js';
import { testRedisUrl } from '../support/redis.js';
import { testLog } from '../support/test-log.js';

/**
 * Redis that keeps its connections but answers nothing (SIGSTOP: a frozen host, a network that
 * drops without a reset). Nothing the app waits on may wait for good: a store call fails at its
 * time limit, a job at its deadline (and runs again), a customer's page says "try again".
 */
describe('a Redis server that stops answering', () => {
  let server: TestRedisServer;
  let port = 0;
  beforeAll(async () => { port = await freePort(); server = await startRedisServer(port); });
  afterAll(async () => { server.resume(); await server.stop(); });

  it('fails a store call at its time limit instead of waiting for good, and works again once Redis answers', async () => {
    const client = connectRedis({ url: `redis://127.0.0.1:${port}`, cluster: false }, 'store');
    client.on('error', () => undefined);
    const store = new RedisStore(client);
    await expect.poll(() => store.ping().then(() => 'ok', () => 'not yet'), { timeout: 20_000 }).toBe('ok');
    await store.set('k', 'v');
    server.pause();
    try {
      await expect(store.get('k')).rejects.toThrow(/Command timed out/);
    } finally { server.resume(); }
    expect(await store.get('k')).toBe('v');
    await store.close();
  });
});

describe('a Redis Cluster node that stops answering', () => {
  let cluster: TestCluster;
  const dir = mkdtempSync(join(tmpdir(), 'portal-autopilot-cluster-'));
  beforeAll(async () => { cluster = await startRedisCluster(await clusterPorts(3), dir); }, 60_000);
  afterAll(async () => { for (let i = 0; i < 3; i++) cluster.resumeNode(i); await cluster.stop(); rmSync(dir, { recursive: true, force: true }); });

  it('fails a store call for a key on that node at its time limit (it used to wait on the node\'s connection for good)', async () => {
    const client = connectRedis({ url: cluster.url, cluster: true }, 'store');
    client.on('error', () => undefined);
    const store = new RedisStore(client);
    await expect.poll(() => store.ping().then(() => 'ok', () => 'not yet'), { timeout: 20_000 }).toBe('ok');
    const key = 'portal:{4242}:settings';
    await store.set(key, 'v');
    const node = await cluster.nodeOf(key);
    cluster.pauseNode(node);
    try {
      await expect(store.get(key)).rejects.toThrow(/timed out|CLUSTERDOWN|isn't ready|Connection/);
    } finally { cluster.resumeNode(node); }
    await cluster.ready();
    await expect.poll(() => store.get(key).catch(() => 'not yet'), { timeout: 20_000 }).toBe('v');
    await store.close();
  }, 60_000);
});

describe('a job whose handler never finishes', () => {
  it('fails at its deadline and is run again, instead of holding its lock for good; a stop does not wait for it either', async () => {
    const prefix = `hang-${Math.random().toString(36).slice(2)}`;
    const queue = new BullmqQueue(testRedisUrl(), new DeadLetters(new MemoryStore()), { prefix, lockMs: 2000 });
    const attempts: number[] = [];
    const ctx = async (portalId: number): Promise<AccountContext> => ({ portalId, hubspot: undefined as never, store: new MemoryStore(), settings: undefined as never, log: testLog });
    queue.startWorker(routeEvent({
      'test.hang': async (_e) => {
        attempts.push(attempts.length + 1);
        // The first attempt waits on something that never answers.
        if (attempts.length === 1) await new Promise(() => undefined);
      },
    }, ctx, createMetrics(), () => 300));
    await queue.enqueue([{ id: 'hang-1', event: { eventId: 1, subscriptionId: 1, portalId: 4242, occurredAt: Date.now(), subscriptionType: 'test.hang', attemptNumber: 0 } }]);
    await queue.idle(20_000);
    expect(attempts).toEqual([1, 2]);
    expect((await queue.counts()).active).toBe(0);

    // A stop while a handler hangs ends at its bound.
    const hung = new BullmqQueue(testRedisUrl(), new DeadLetters(new MemoryStore()), { prefix: `${prefix}-2`, lockMs: 2000 });
    let started!: () => void;
    const running = new Promise<void>((r) => { started = r; });
    hung.startWorker(routeEvent({ 'test.hang': async () => { started(); await new Promise(() => undefined); } }, ctx, createMetrics(), () => 60_000));
    await hung.enqueue([{ id: 'hang-2', event: { eventId: 2, subscriptionId: 1, portalId: 4242, occurredAt: Date.now(), subscriptionType: 'test.hang', attemptNumber: 0 } }]);
    await running;
    await hung.close(300);
    await queue.close();
  }, 30_000);
});

describe('the customer\'s pages while Redis answers nothing', () => {
  let env: PortalEnv;
  let server: TestRedisServer;
  beforeAll(async () => {
    const port = await freePort();
    server = await startRedisServer(port);
    env = await startPortalEnv({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  }, 60_000);
  afterAll(async () => { server.resume(); await env.stop(); await server.stop(); });

  it('answer "try again in a moment" (503) within seconds, in the customer\'s language, and sign-in works once Redis is back', async () => {
    const b = env.browser();
    b.headers = { 'accept-language': 'de' };
    server.pause();
    try {
      // Through the provider (its storage is Redis) and through our own pages.
      await b.get(env.sandbox.portal.portalUrl(env.P));
      expect(b.status).toBe(503);
      expect(b.text()).toContain('Bitte versuchen Sie es gleich noch einmal');
      const forgot = env.browser();
      forgot.headers = { 'accept-language': 'de' };
      await forgot.get(`${env.base}/portal/${env.P}/forgot`);
      expect(forgot.status).toBe(503);
      expect(forgot.text()).toContain('Der Anmeldedienst hat nicht rechtzeitig geantwortet');
    } finally { server.resume(); }
    const again = env.browser();
    await again.get(env.sandbox.portal.portalUrl(env.P));
    expect(again.status).toBe(200);
    expect(again.url).toContain('/portal/interaction/');
  }, 40_000);
});
