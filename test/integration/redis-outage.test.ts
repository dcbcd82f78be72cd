import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HubSpotEvent } from '../../src/webhooks/event-schema.js';
import { deliver, event } from '../support/hubspot-client.js';
import { startTestApp } from '../support/test-app.js';

// A Redis of this test's own, so stopping it does not disturb the other test files.
let redis: ChildProcess | undefined;
let port = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  await until(async () => {
    const { Redis } = await import('ioredis');
    const c = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined);
    try { await c.connect(); await c.ping(); return true; } catch { return false; } finally { c.disconnect(); }
  });
}

async function stopRedis(): Promise<void> {
  const p = redis;
  redis = undefined;
  if (!p) return;
  await new Promise((resolve) => { p.once('exit', resolve); p.kill('SIGKILL'); });
}

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
