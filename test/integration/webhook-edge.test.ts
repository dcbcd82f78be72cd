import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotEvent } from '../../src/webhooks/event-schema.js';
import { deliver, event } from '../support/hubspot-client.js';
import { flushTestRedis, testRedisUrl } from '../support/redis.js';
import { startTestApp } from '../support/test-app.js';

type App = Awaited<ReturnType<typeof startTestApp>>;
let app: App;
const processed: HubSpotEvent[] = [];

beforeAll(async () => {
  await flushTestRedis();
  const record = async (e: HubSpotEvent) => { processed.push(e); };
  app = await startTestApp({ REDIS_URL: testRedisUrl() }, { handlers: { 'conversation.creation': record, 'ticket.creation': record } });
});
afterAll(async () => { await app.stop(); });

const processedIds = () => processed.map((e) => e.eventId);

describe('POST /webhooks/hubspot', () => {
  it('queues a signed batch, answers 200, and the worker handles every event once', async () => {
    const batch = [event(), event({ subscriptionType: 'ticket.creation' })];
    const res = await deliver(app.url!, batch);
    expect(res).toEqual({ status: 200, body: { queued: 2, duplicates: 0 } });
    await app.queue.idle();
    expect(processedIds()).toEqual(expect.arrayContaining(batch.map((e) => e.eventId)));
  });

  it('handles the same batch delivered three times as one job per event', async () => {
    const batch = [event(), event(), event()];
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await deliver(app.url!, batch.map((e) => ({ ...e, attemptNumber: i })))).body);
    await app.queue.idle();
    expect(answers).toEqual([{ queued: 3, duplicates: 0 }, { queued: 0, duplicates: 3 }, { queued: 0, duplicates: 3 }]);
    for (const e of batch) expect(processedIds().filter((id) => id === e.eventId)).toHaveLength(1);
  });

  it('tells apart two events that share an eventId but not their object', async () => {
    const a = event({ eventId: 555, objectId: 1 });
    const b = { ...a, objectId: 2 };
    expect((await deliver(app.url!, [a, b])).body).toEqual({ queued: 2, duplicates: 0 });
  });

  it('refuses a wrong, missing or stale signature with 401 and queues nothing', async () => {
    await app.queue.idle(); // earlier tests' jobs are done, so any new job would show
    const before = (await app.queue.counts()).waiting;
    expect((await deliver(app.url!, [event()], { secret: 'not-our-secret-at-all' })).status).toBe(401);
    const stale = await deliver(app.url!, [event()], { timestamp: Date.now() - 6 * 60_000 });
    expect(stale).toMatchObject({ status: 401, body: { message: expect.stringContaining('stale request') } });
    const unsigned = await fetch(`${app.url}/webhooks/hubspot`, { method: 'POST', body: JSON.stringify([event()]) });
    expect(unsigned.status).toBe(401);
    expect((await app.queue.counts()).waiting).toBe(before);
  });

  it('refuses a body changed after signing', async () => {
    const signedFor = JSON.stringify([event({ objectId: 1 })]);
    const { signV3 } = await import('../../src/webhooks/sign-request.js');
    const headers = signV3('test-client-secret-0123456789', 'POST', 'https://autopilot.test/webhooks/hubspot', signedFor, Date.now());
    const res = await fetch(`${app.url}/webhooks/hubspot`, { method: 'POST', body: signedFor.replace('"objectId":1', '"objectId":2'), headers });
    expect(res.status).toBe(401);
  });

  it('accepts a URI with encoded characters that HubSpot signed decoded', async () => {
    const body = JSON.stringify([event()]);
    const { signV3 } = await import('../../src/webhooks/sign-request.js');
    const headers = signV3('test-client-secret-0123456789', 'POST', 'https://autopilot.test/webhooks/hubspot?from=a@b.example&ids=1,2', body, Date.now());
    const res = await fetch(`${app.url}/webhooks/hubspot?from=a%40b.example&ids=1%2C2`, { method: 'POST', body, headers });
    expect(res.status).toBe(200);
  });

  it('answers 400 naming the problem for bodies that are not a batch of events', async () => {
    expect(await deliver(app.url!, null, { raw: '{not json' })).toEqual({ status: 400, body: { message: 'body is not valid JSON' } });
    expect(await deliver(app.url!, { eventId: 1 })).toEqual({ status: 400, body: { message: 'body must be a JSON array of HubSpot events' } });
    const tooMany = Array.from({ length: 101 }, () => event());
    expect(await deliver(app.url!, tooMany)).toEqual({ status: 400, body: { message: 'more than 100 events in one request' } });
    const { portalId: _dropped, ...noPortal } = event();
    const missing = await deliver(app.url!, [event(), noPortal]);
    expect(missing.status).toBe(400);
    expect(missing.body?.message).toMatch(/^event 1: portalId: /);
  });

  it('answers 413 for a 2 MB body', async () => {
    const big = JSON.stringify([event({ propertyValue: 'x'.repeat(2 * 1024 * 1024) })]);
    expect((await deliver(app.url!, null, { raw: big })).status).toBe(413);
  });

  it('accepts and counts an unknown subscription type, and completes its job without failing', async () => {
    const res = await deliver(app.url!, [event({ subscriptionType: 'deal.creation' })]);
    expect(res.status).toBe(200);
    await app.queue.idle();
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/portal_autopilot_webhook_events_total\{outcome="queued",subscription_type="deal.creation",known="false"\} 1/);
    expect(metrics).toMatch(/portal_autopilot_jobs_total\{subscription_type="deal.creation",outcome="unhandled"\} 1/);
    expect(await app.deadLetters.list()).toEqual([]);
  });

  it('reports ready when Redis and the queue answer', async () => {
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ ok: true });
  });
});
