import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotEvent } from '../../src/webhooks/event-schema.js';
import { deliver, event } from '../support/hubspot-client.js';
import { keys } from '../../src/store/keys.js';
import { dedupeKey } from '../../src/webhooks/dedupe-key.js';
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

  it('queues a batch once when the same delivery arrives on 10 connections at the same moment', async () => {
    const batch = [event(), event(), event()];
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(app.url!, batch)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.reduce((n, a) => n + Number(a.body!.queued), 0)).toBe(3);
    await app.queue.idle();
    for (const e of batch) expect(processedIds().filter((id) => id === e.eventId)).toHaveLength(1);
  });

  it('does not call an event a duplicate while another request\'s claim on it is unqueued (that request may have died), so HubSpot retries it', async () => {
    const lost = event({ subscriptionType: 'ticket.creation' });
    const other = event({ subscriptionType: 'ticket.creation' });
    // Another request claimed it, then Redis went away before it could queue it (the claim outlives it).
    const seen = keys.eventSeen(lost.portalId, dedupeKey(lost as HubSpotEvent));
    await app.store.set(seen, 'claimed', 15);
    const first = await deliver(app.url!, [lost, other]);
    expect(first).toEqual({ status: 503, body: { message: 'some events are still being queued by another request; HubSpot will retry' } });
    // The claim lapses; HubSpot's retry gets the event through, and the other event is not queued twice.
    await app.store.del(seen);
    const retry = await deliver(app.url!, [lost, other].map((e) => ({ ...e, attemptNumber: 1 })));
    expect(retry).toEqual({ status: 200, body: { queued: 1, duplicates: 1 } });
    await app.queue.idle();
    expect(processedIds().filter((id) => id === lost.eventId)).toHaveLength(1);
    expect(processedIds().filter((id) => id === other.eventId)).toHaveLength(1);
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
    const missing = await deliver(app.url!, [noPortal]);
    expect(missing.status).toBe(400);
    expect(missing.body?.message).toMatch(/^event 0: portalId: /);
  });

  it('queues the valid events of a batch and quarantines the invalid one with its reason, listed and replayable', async () => {
    const good = [event(), event()];
    const { portalId: _p, ...noPortal } = event();
    const res = await deliver(app.url!, [good[0], noPortal, good[1]]);
    expect(res).toEqual({ status: 200, body: { queued: 2, duplicates: 0, quarantined: [{ index: 1, reason: expect.stringMatching(/^event 1: portalId: /) }] } });
    await app.queue.idle();
    for (const e of good) expect(processedIds()).toContain(e.eventId);
    const kept = await app.quarantine.list(10);
    expect(kept[0]).toMatchObject({ index: 1, portalId: null, reason: expect.stringContaining('portalId'), raw: JSON.stringify(noPortal) });
    expect(await app.metrics.registry.getSingleMetricAsString('portal_autopilot_webhook_events_total')).toMatch(/outcome="quarantined".* [1-9]/);
    // A replay runs the event through the same checks: still invalid, it stays; fixed, it is queued.
    const check = (await import('../../src/webhooks/webhook-edge.js')).checkEvent;
    expect(await app.quarantine.replay(async (raw) => check(raw).ok)).toEqual({ replayed: 0, still: kept.length });
    expect((await app.quarantine.replay(async (raw) => check({ ...(raw as object), portalId: 4242 }).ok)).replayed).toBe(kept.length);
  });

  it('refuses ids that are not exact (beyond 2^53, 400 digits, zero) naming the field, and never rounds them into another account', async () => {
    for (const [field, value] of [['portalId', '9007199254740993'], ['portalId', '9'.repeat(400)], ['objectId', 2 ** 53 + 2], ['eventId', 0]] as const) {
      const res = await deliver(app.url!, [event({ [field]: value })]);
      expect(res.status).toBe(400);
      expect(res.body?.message).toBe(`event 0: ${field}: must be a positive whole number no larger than 2^53 - 1`);
    }
    expect(await app.store.get('portal:{9007199254740992}:event:x')).toBeNull();
  });

  it('answers a deeply nested or huge property value with a 400 naming the event, never a 5xx, and keeps the batch\'s other events', async () => {
    const deep = `${'['.repeat(40_000)}"x"${']'.repeat(40_000)}`;
    const raw = `[${JSON.stringify(event())},${JSON.stringify({ ...event(), propertyValue: 'PLACEHOLDER' }).replace('"PLACEHOLDER"', deep)}]`;
    const res = await deliver(app.url!, null, { raw });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ queued: 1, quarantined: [{ index: 1, reason: 'event 1: propertyValue is nested deeper than 16 levels' }] });
    const huge = await deliver(app.url!, [event({ propertyValue: 'x'.repeat(70_000) })]);
    expect(huge).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^event 0: event is \d+ bytes, more than 65536$/) } });
    // Measured as the app would keep it: a body under the limit whose numbers grow past it when
    // serialised again ("1e21" comes back as "1e+21") is refused, not waved through by its length.
    const numbers = `[${JSON.stringify({ ...event(), propertyValue: 'PLACEHOLDER' }).replace('"PLACEHOLDER"', `[${Array(12_000).fill('1e21').join(',')}]`)}]`;
    expect(numbers.length).toBeLessThan(65_536);
    expect(await deliver(app.url!, null, { raw: numbers })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^event 0: event is \d+ bytes, more than 65536$/) } });
  });

  it('never routes names of the object prototype or of internal jobs', async () => {
    for (const type of ['constructor', '__proto__', 'hasOwnProperty', 'app.email.send', 'app.contact.onboarded']) {
      const res = await deliver(app.url!, [event({ subscriptionType: type })]);
      expect({ type, status: res.status }).toEqual({ type, status: 400 });
    }
  });

  it('tells apart association events that share an eventId and differ in their objects', async () => {
    const base = event({ subscriptionType: 'contact.associationChange', objectId: undefined, fromObjectId: 11, toObjectId: 21, associationType: 'CONTACT_TO_COMPANY' });
    const res = await deliver(app.url!, [base, { ...base, toObjectId: 22 }, { ...base, fromObjectId: 12 }]);
    expect(res.body).toEqual({ queued: 3, duplicates: 0 });
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
