import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HubSpotEvent } from '../../src/webhooks/event-schema.js';
import { deliver, event } from '../support/hubspot-client.js';
import { freePort } from '../support/portal-env.js';
import { startRedisServer } from '../support/redis-server.js';
import { startTestApp } from '../support/test-app.js';

// A Redis of this test's own, so stopping it does not disturb the other test files.
let redis: Awaited<ReturnType<typeof startRedisServer>> | undefined;
let port = 0;

async function startRedis(): Promise<void> { redis = await startRedisServer(port); }
async function stopRedis(): Promise<void> { const r = redis; redis = undefined; await r?.stop(); }

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  await vi.waitFor(async () => { if (!(await check())) throw new Error('condition not met yet'); }, { timeout: timeoutMs, interval: 50 });
}

type App = Awaited<ReturnType<typeof startTestApp>>;
let app: App;
const processed: number[] = [];

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  app = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${port}` }, {
    handlers: { 'conversation.creation': async (e: HubSpotEvent) => { processed.push(e.eventId); } },
  });
});
afterAll(async () => { await app.stop(); await stopRedis(); });

describe('when Redis is down', () => {
  it('answers 503 so HubSpot retries, and processes the event once Redis is back and HubSpot retries', async () => {
    const batch = [event(), event()];
    await stopRedis();
    const down = await deliver(app.url!, batch);
    expect(down).toEqual({ status: 503, body: { message: 'events could not be queued; HubSpot will retry' } });
    expect((await fetch(`${app.url}/readyz`)).status).toBe(503);

    await startRedis();
    await until(async () => (await fetch(`${app.url}/readyz`)).status === 200);
    const retried = await deliver(app.url!, batch.map((e) => ({ ...e, attemptNumber: 1 })));
    expect(retried).toEqual({ status: 200, body: { queued: 2, duplicates: 0 } });
    await until(async () => processed.length === 2);
    expect(processed.sort()).toEqual(batch.map((e) => e.eventId).sort());
  });
});
