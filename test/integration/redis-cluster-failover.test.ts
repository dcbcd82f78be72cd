/**
 * A Redis Cluster with a replica for each master, as production runs one: the master serving an
 * account is killed and not started again; its replica takes over, and the app, without a restart,
 * keeps the account's settings and dedupe marks and goes on taking webhooks.
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
import { testKeyPrefix } from '../support/redis.js';
import { startTestApp } from '../support/test-app.js';

const P = 4242;
const dir = mkdtempSync(join(tmpdir(), 'portal-autopilot-failover-'));
let cluster: TestCluster;
let app: Awaited<ReturnType<typeof startTestApp>>;
const processed: HubSpotEvent[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster(await clusterPorts(6), dir, ['--save', '', '--appendonly', 'no'], 1);
  const record = async (e: HubSpotEvent) => { processed.push(e); };
  app = await startTestApp({ REDIS_URL: cluster.url, REDIS_CLUSTER: 'true' }, { handlers: { 'conversation.creation': record } });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
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
