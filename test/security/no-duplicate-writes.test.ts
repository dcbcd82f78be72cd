import { describe, expect, it } from 'vitest';
import { HubSpotGateway } from '../../src/hubspot/gateway.js';
import { MemoryRateLimiter } from '../../src/hubspot/rate-limiter.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { startAppWithSandbox, SANDBOX_PORTAL } from '../support/sandbox.js';
import { testLog } from '../support/test-log.js';
import { nock } from '../support/use-nock.js';

const BASE = 'https://api.hubapi.test';
const gateway = () => new HubSpotGateway({
  baseUrl: BASE, tokens: { accessToken: async () => 'tok' }, limiter: new MemoryRateLimiter(), metrics: createMetrics(), log: testLog,
  ratePer10s: 100, searchRatePerSecond: 5, timeoutMs: 300, sleep: async () => undefined,
});

describe('retries that never duplicate', () => {
  it('aborts a raw call that outlives the timeout, and retries it (a list-membership put is idempotent)', async () => {
    const scope = nock(BASE).put('/crm/v3/lists/7/memberships/add').delay(2000).reply(200, {})
      .put('/crm/v3/lists/7/memberships/add').reply(200, { recordsIdsAdded: ['1'] });
    const gw = gateway();
    await expect(gw.request(1, 'crm.lists.memberships.add', { method: 'PUT', path: '/crm/v3/lists/7/memberships/add', body: ['1'] })).resolves.toEqual({ recordsIdsAdded: ['1'] });
    scope.done();
  });

  it('never sends a create without an idempotency key twice: a timeline email that timed out is not repeated', async () => {
    const scope = nock(BASE).post('/crm/v3/objects/emails').delay(2000).reply(201, { id: '9' });
    const gw = gateway();
    await expect(gw.call(1, 'crm.emails.create', (c) => c.crm.objects.emails.basicApi.create({ properties: { hs_timestamp: '2026-11-23T00:00:00Z' }, associations: [] })))
      .rejects.toThrow('not sent again, as it may have been applied');
    expect(scope.pendingMocks()).toEqual([]);
    nock.abortPendingRequests();
  });

  it('makes exactly one contact when HubSpot holds the upsert past the app\'s timeout', async () => {
    // HubSpot holds the first upsert until the app, having given up on it, sends it again: then it
    // applies both. Conditions only: nothing here depends on how fast the machine is.
    const env = await startAppWithSandbox({ searchDelayMs: 0, faults: { seed: 1, rules: [{ pathPrefix: '/crm/v3/objects/contacts/batch/upsert', holdUntilNext: true, times: 1 }] } }, { batchWindowMs: 10 });
    try {
      const configured = env.app.hubspot as unknown as { o: { timeoutMs: number } };
      configured.o.timeoutMs = 1000;
      env.sandbox.inboundEmail(SANDBOX_PORTAL, { from: 'ada@acme.example', name: 'Ada Lovelace', subject: 'Hi', text: 'Hello' });
      await env.settle();
      // The held request finishes in the sandbox too (HubSpot applies what it got): two upserts, one contact.
      await expect.poll(() => env.sandbox.calls.filter((c) => c.path === '/crm/v3/objects/contacts/batch/upsert').length, { timeout: 50_000 }).toBeGreaterThanOrEqual(2);
      await env.settle();
      const adas = env.sandbox.account(SANDBOX_PORTAL).objects.contacts!.all().filter((c) => c.properties.email === 'ada@acme.example');
      expect(adas).toHaveLength(1);
      expect(adas[0]!.properties.firstname).toBe('Ada');
    } finally {
      await env.stop();
    }
  }, 60_000);
});
