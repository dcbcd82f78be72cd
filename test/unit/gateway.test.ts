import { describe, expect, it } from 'vitest';
import { HubSpotApiError } from '../../src/hubspot/classify-failure.js';
import { HubSpotGateway } from '../../src/hubspot/gateway.js';
import { MemoryRateLimiter } from '../../src/hubspot/rate-limiter.js';
import { PermanentError, TransientError } from '../../src/queue/errors.js';
import { countBy, createMetrics } from '../../src/platform/metrics.js';
import { testLog } from '../support/test-log.js';
import { nock } from '../support/use-nock.js';

const BASE = 'https://api.hubapi.test';

function gateway(overrides: { timeoutMs?: number; maxAttempts?: number } = {}) {
  const clock = { now: 1_000_000 };
  const metrics = createMetrics();
  const waits: number[] = [];
  // A fake clock: every wait the gateway asks for is recorded and advances time at once.
  const gw = new HubSpotGateway({
    baseUrl: BASE, tokens: { accessToken: async () => 'tok' }, limiter: new MemoryRateLimiter(() => clock.now), metrics, log: testLog,
    ratePer10s: 100, searchRatePerSecond: 5, timeoutMs: overrides.timeoutMs ?? 2000, maxAttempts: overrides.maxAttempts,
    sleep: async (ms) => { waits.push(ms); clock.now += ms; },
  });
  return { gw, metrics, waits, clock };
}

const readContact = (gw: HubSpotGateway) => gw.call(1, 'crm.contacts.get', (c) => c.crm.contacts.basicApi.getById('51'));
const rateLimited = (policyName: string) => ({
  status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: 'c1', policyName,
});

describe('HubSpot gateway', () => {
  it('makes a typed call with the account token and counts it per endpoint', async () => {
    const scope = nock(BASE, { reqheaders: { authorization: 'Bearer tok' } })
      .get('/crm/v3/objects/contacts/51').query(true)
      .reply(200, { id: '51', properties: { email: 'ada@example.com' }, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', archived: false });
    const { gw, metrics } = gateway();
    const contact = await readContact(gw);
    expect(contact.properties.email).toBe('ada@example.com');
    expect(await countBy(metrics.hubspotCalls, 'endpoint')).toEqual({ 'crm.contacts.get': 1 });
    scope.done();
  });

  it('pauses the account after a 429 that says the window is spent, for as long as its own window needs', async () => {
    nock(BASE).get('/crm/v3/objects/contacts/51').query(true)
      .reply(429, rateLimited('TEN_SECONDLY_ROLLING'), { 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000', 'X-HubSpot-RateLimit-Max': '110', 'X-HubSpot-RateLimit-Remaining': '0' })
      .get('/crm/v3/objects/contacts/51').query(true)
      .reply(200, { id: '51', properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' });
    const { gw, metrics, waits } = gateway();
    await readContact(gw);
    expect(waits).toEqual([10_300]); // its one call leaves the window (HubSpot's 10 s plus a 300 ms margin)
    expect(await countBy(metrics.hubspotCalls, 'status')).toEqual({ '429': 1, '2xx': 1 });
  });

  it('waits only until its oldest call leaves the window, not the window\'s whole length', async () => {
    const ok = { id: '51', properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
    nock(BASE).get('/crm/v3/objects/contacts/51').query(true).reply(200, ok)
      .get('/crm/v3/objects/contacts/51').query(true)
      .reply(429, rateLimited('TEN_SECONDLY_ROLLING'), { 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000', 'X-HubSpot-RateLimit-Remaining': '0' })
      .get('/crm/v3/objects/contacts/51').query(true).reply(200, ok);
    const { gw, waits, clock } = gateway();
    await readContact(gw);
    clock.now += 8_000;
    await readContact(gw);
    expect(waits).toEqual([2_300]); // not 10_300: the first call is 8 s old
  });

  it('honours a Retry-After for the call that got it and leaves the account unpaused', async () => {
    const ok = { id: '51', properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
    nock(BASE).get('/crm/v3/objects/contacts/51').query(true)
      .reply(429, rateLimited('TEN_SECONDLY_ROLLING'), { 'Retry-After': '3', 'X-HubSpot-RateLimit-Remaining': '0' })
      .get('/crm/v3/objects/contacts/51').query(true).reply(200, ok)
      .get('/conversations/v3/conversations/threads/1').reply(200, {});
    const { gw, waits } = gateway();
    await readContact(gw);
    expect(waits).toEqual([3_000]);
    await gw.request(1, 'conversations.threads.get', { method: 'GET', path: '/conversations/v3/conversations/threads/1' });
    expect(waits).toEqual([3_000]);
  });

  it('backs off only the call when a 429 leaves calls in the window (another app shares the account)', async () => {
    const ok = { id: '51', properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
    nock(BASE).get('/crm/v3/objects/contacts/51').query(true)
      .reply(429, rateLimited('TEN_SECONDLY_ROLLING'), { 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000', 'X-HubSpot-RateLimit-Remaining': '12' })
      .get('/crm/v3/objects/contacts/51').query(true).reply(200, ok);
    const { gw, waits } = gateway();
    await readContact(gw);
    expect(waits).toHaveLength(1);
    expect(waits[0]!).toBeLessThan(2_000);
  });

  it('lowers its budget for the account while 429s say the window is spent and gives it back call by call', async () => {
    const ok = { id: '51', properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
    const limited = () => [429, rateLimited('TEN_SECONDLY_ROLLING'), { 'Retry-After': '1', 'X-HubSpot-RateLimit-Remaining': '0' }] as const;
    const scope = nock(BASE).get('/crm/v3/objects/contacts/51').query(true).times(2).reply(...limited())
      .get('/crm/v3/objects/contacts/51').query(true).times(60).reply(200, ok);
    const { gw, metrics } = gateway();
    const budget = async () => (await metrics.hubspotBudget.get()).values.find((v) => v.labels.portal === '1')?.value;
    await readContact(gw);
    expect(await budget()).toBe(49); // 100 → 70 → 49
    for (let i = 0; i < 59; i++) await readContact(gw);
    const later = await budget();
    expect(later).toBeGreaterThan(49);
    expect(later).toBeLessThan(100);
    expect(await metrics.registry.metrics()).toMatch(/portal_autopilot_hubspot_budget_calls\{portal="1"\} \d+/);
    scope.done();
  });

  it('keeps its budget when a 429 leaves calls in the window (a hiccup, not exhaustion)', async () => {
    const ok = { id: '51', properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
    nock(BASE).get('/crm/v3/objects/contacts/51').query(true)
      .reply(429, rateLimited('TEN_SECONDLY_ROLLING'), { 'X-HubSpot-RateLimit-Remaining': '40' })
      .get('/crm/v3/objects/contacts/51').query(true).reply(200, ok);
    const { gw, metrics } = gateway();
    await readContact(gw);
    expect((await metrics.hubspotBudget.get()).values.find((v) => v.labels.portal === '1')?.value).toBe(100);
  });

  it('hands a daily-limit 429 back to the queue with an hour of delay instead of retrying now', async () => {
    nock(BASE).get('/crm/v3/objects/contacts/51').query(true).reply(429, rateLimited('DAILY'));
    const { gw, waits } = gateway();
    const err = await readContact(gw).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).retryAfterMs).toBe(3_600_000);
    expect(waits).toEqual([]);
  });

  it('retries 5xx with growing, jittered waits and gives up as a transient error', async () => {
    nock(BASE).get('/crm/v3/objects/contacts/51').query(true).times(3).reply(502, { message: 'bad gateway' });
    const { gw, waits } = gateway({ maxAttempts: 3 });
    const err = await readContact(gw).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/still failing after 3 attempts: 502/);
    expect(waits).toHaveLength(2);
    expect(waits[1]!).toBeGreaterThan(waits[0]! * 0.99);
  });

  it('does not retry a 4xx and names HubSpot\'s message', async () => {
    nock(BASE).post('/crm/v3/objects/contacts/batch/upsert')
      .reply(400, { status: 'error', message: 'Property values were not valid', category: 'VALIDATION_ERROR', correlationId: 'x' });
    const { gw, waits } = gateway();
    const err = await gw.call(1, 'crm.contacts.batch.upsert', (c) => c.crm.contacts.batchApi.upsert({ inputs: [{ id: 'a@b.example', idProperty: 'email', properties: {} }] }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toBeInstanceOf(HubSpotApiError);
    expect((err as HubSpotApiError).status).toBe(400);
    expect((err as Error).message).toContain('Property values were not valid');
    expect(waits).toEqual([]);
  });

  it('treats a call with no answer within the timeout as transient', async () => {
    nock(BASE).get('/crm/v3/objects/contacts/51').query(true).times(2).delay(300).reply(200, {});
    const { gw } = gateway({ timeoutMs: 50, maxAttempts: 2 });
    await expect(readContact(gw)).rejects.toThrow(/still failing after 2 attempts: network no answer within 50 ms/);
  });

  it('keeps to the ten-second budget: the 4th call of 3 allowed waits for the window', async () => {
    nock(BASE).get('/conversations/v3/conversations/threads/1').times(4).reply(200, {});
    const metrics = createMetrics();
    let now = 0;
    const waits: number[] = [];
    const gw = new HubSpotGateway({
      baseUrl: BASE, tokens: { accessToken: async () => 'tok' }, limiter: new MemoryRateLimiter(() => now), metrics, log: testLog,
      ratePer10s: 3, searchRatePerSecond: 5, timeoutMs: 2000, sleep: async (ms) => { waits.push(ms); now += ms; },
    });
    for (let i = 0; i < 4; i++) await gw.request(1, 'conversations.threads.get', { method: 'GET', path: '/conversations/v3/conversations/threads/1' });
    expect(waits).toEqual([10_300]);
  });

  it('makes raw calls for endpoints the client has no typed call for', async () => {
    nock(BASE).get('/conversations/v3/conversations/threads/77').reply(200, { id: '77', status: 'OPEN' });
    const { gw, metrics } = gateway();
    expect(await gw.request(1, 'conversations.threads.get', { method: 'GET', path: '/conversations/v3/conversations/threads/77' })).toEqual({ id: '77', status: 'OPEN' });
    expect(await countBy(metrics.hubspotCalls, 'endpoint')).toEqual({ 'conversations.threads.get': 1 });
  });
});
