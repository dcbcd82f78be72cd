/**
 * Redis with replicas, as production runs it. A cluster with a replica for each master: the master
 * serving an account is killed and not started again; its replica takes over, and the app, without
 * a restart, keeps the account's settings and dedupe marks and goes on taking webhooks. And
 * REDIS_WAIT_REPLICAS: the edge answers 200 only once a replica holds the queued events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { keys } from '../../src/store/keys.js';
import type { HubSpotEvent } from '../../src/webhooks/event-schema.js';
import { deliver, event } from '../support/hubspot-client.js';
import { clusterPorts, startRedisCluster, type TestCluster } from '../support/redis-cluster.js';
import { startRedisServer } from '../support/redis-server.js';
import { testKeyPrefix } from '../support/redis.js';
import { startTestApp } from '../support/test-app.js';

const P = 4242;
const dir = mkdtempSync(join(tmpdir(), 'portal-autopilot-failover-'));
let cluster: TestCluster;
let app: Awaited<ReturnType<typeof startTestApp>>;
const processed: HubSpotEvent[] = [];

beforeAll(async () => {
  // DEBUG SLEEP (allowed on these nodes only) makes a replica fall behind on purpose.
  cluster = await startRedisCluster(await clusterPorts(6), dir, ['--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes'], 1);
  const record = async (e: HubSpotEvent) => { processed.push(e); };
  app = await startTestApp({ REDIS_URL: cluster.url, REDIS_CLUSTER: 'true' }, { handlers: { 'conversation.creation': record } });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The replica of the master at `port` (from the master's INFO replication). */
async function replicaOf(port: number): Promise<number> {
  const r = new Redis(port, '127.0.0.1');
  try {
    let info = '';
    await vi.waitFor(async () => { info = await r.info('replication'); expect(info).toMatch(/slave0:.*state=online/); }, { timeout: 20_000, interval: 100 });
    return Number(/slave0:ip=[^,]+,port=(\d+)/.exec(info)![1]);
  } finally { r.disconnect(); }
}

describe('REDIS_WAIT_REPLICAS', () => {
  it('answers 503 while the queue\'s replica lags (HubSpot retries), 200 once it has the events; without the setting the master\'s word suffices', async () => {
    const handlers = { 'conversation.creation': async (e: HubSpotEvent) => { processed.push(e); } };
    // Two web processes on the same queue, with and without the setting.
    const waiting = await startTestApp({ REDIS_URL: cluster.url, REDIS_CLUSTER: 'true', REDIS_WAIT_REPLICAS: '1' }, { queuePrefix: 'replicated', handlers });
    const plainApp = await startTestApp({ REDIS_URL: cluster.url, REDIS_CLUSTER: 'true' }, { queuePrefix: 'replicated', handlers });
    try {
      // The queue's master (its hash tag) and that master's replica.
      const master = cluster.ports[await cluster.nodeOf('{replicated}:hubspot-events:id')]!;
      const replica = new Redis(await replicaOf(master), '127.0.0.1');
      const healthy = [event({ portalId: P })];
      expect((await deliver(waiting.url!, healthy)).status).toBe(200);

      const lagging = [event({ portalId: P }), event({ portalId: P })];
      const asleep = replica.call('DEBUG', 'SLEEP', '2.5');
      const refused = await deliver(waiting.url!, lagging);
      const plain = await deliver(plainApp.url!, [event({ portalId: P })]);
      await asleep;
      replica.disconnect();
      expect(refused).toEqual({ status: 503, body: { message: 'events are queued, but only 0 of 1 replica(s) hold them so far; HubSpot will retry' } });
      expect(plain.status).toBe(200);
      // HubSpot's retry: the events were queued the first time, and now a replica has them.
      const retried = await deliver(waiting.url!, lagging.map((e) => ({ ...e, attemptNumber: 1 })));
      expect(retried).toEqual({ status: 200, body: { queued: 0, duplicates: 2 } });
      await waiting.queue.idle();
      for (const e of [...healthy, ...lagging]) expect(processed.filter((p) => p.eventId === e.eventId)).toHaveLength(1);
    } finally { await waiting.stop(); await plainApp.stop(); }
  }, 60_000);
});

describe('REDIS_WAIT_REPLICAS on one Redis server with a replica', () => {
  it('answers 200 while the replica holds the events, 503 naming the shortfall once it is gone', async () => {
    const [primaryPort, replicaPort] = await clusterPorts(2);
    const primary = await startRedisServer(primaryPort!);
    const replica = await startRedisServer(replicaPort!, ['--save', '', '--appendonly', 'no', '--replicaof', '127.0.0.1', String(primaryPort)]);
    await replicaOf(primaryPort!);
    const server = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${primaryPort}`, REDIS_WAIT_REPLICAS: '1' }, { handlers: { 'conversation.creation': async (e: HubSpotEvent) => { processed.push(e); } } });
    try {
      expect((await deliver(server.url!, [event({ portalId: P })])).status).toBe(200);
      await replica.stop();
      expect(await deliver(server.url!, [event({ portalId: P })])).toEqual({ status: 503, body: { message: 'events are queued, but only 0 of 1 replica(s) hold them so far; HubSpot will retry' } });
    } finally { await server.stop(); await primary.stop(); }
  }, 60_000);
});

describe('Redis Cluster failover', () => {
  it('keeps an account\'s settings and dedupe marks and goes on taking webhooks when its master dies and a replica takes over', async () => {
    const current = await app.settings.read(P);
    await app.settings.save(P, { ...current.settings, inbound: { ...current.settings.inbound, defaultCompanyId: '777' } }, current.version, 'admin');
    const first = [event({ portalId: P }), event({ portalId: P })];
    expect((await deliver(app.url!, first)).body).toEqual({ queued: 2, duplicates: 0 });
    await app.queue.idle();

    const settingsKey = `${testKeyPrefix}${keys.settings(P)}`;
    const master = await cluster.nodeOf(settingsKey);
    // Replication is asynchronous: the test waits until the replica has acknowledged every write so far.
    // (A replica that is still syncing acknowledges nothing: ask again until it does.)
    const direct = new Redis(cluster.ports[master]!, '127.0.0.1');
    await vi.waitFor(async () => expect(await direct.wait(1, 1000)).toBe(1), { timeout: 20_000, interval: 100 });
    direct.disconnect();
    await cluster.killNode(master);
    // The other masters mark it failed after the node timeout and its replica is elected in its place.
    await vi.waitFor(async () => expect(await cluster.nodeOf(settingsKey)).not.toBe(master), { timeout: 30_000, interval: 200 });
    await cluster.ready();

    await vi.waitFor(async () => expect((await fetch(`${app.url}/readyz`)).status).toBe(200), { timeout: 20_000, interval: 200 });
    expect((await app.settings.read(P)).settings.inbound.defaultCompanyId).toBe('777');
    const later = event({ portalId: P });
    // HubSpot's redelivery of the first batch is still recognised; the new event is queued once.
    await vi.waitFor(async () => expect((await deliver(app.url!, [...first, later].map((e) => ({ ...e, attemptNumber: 1 })))).status).toBe(200), { timeout: 20_000, interval: 500 });
    await app.queue.idle();
    for (const e of [...first, later]) expect(processed.filter((p) => p.eventId === e.eventId)).toHaveLength(1);
  }, 60_000);
});
