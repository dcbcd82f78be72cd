import { describe, expect, it } from 'vitest';
import { nock } from '../support/use-nock.js';
import { testLog } from '../support/test-log.js';
import { StaticTokenSource } from '../../src/auth/oauth-token-source.js';
import { HubSpotGateway } from '../../src/hubspot/gateway.js';
import { MemoryRateLimiter } from '../../src/hubspot/rate-limiter.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { DeadLetters } from '../../src/queue/dead-letters.js';
import { MemoryQueue } from '../../src/queue/memory-queue.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { JournalCallError, JournalClient, JournalFileTooLarge, JournalOffsetUnknown, JOURNAL_SCOPES } from '../../src/webhooks/journal-client.js';
import { readJournalFile, toWebhookEvents } from '../../src/webhooks/journal-entry.js';
import { installedAccounts, journalState, JournalPoller, rememberInstall, stopJournal } from '../../src/webhooks/journal-poller.js';
import { dedupeKey } from '../../src/webhooks/dedupe-key.js';
import { Quarantine } from '../../src/webhooks/quarantine.js';
import type { HubSpotEvent } from '../../src/webhooks/event-schema.js';

const HUBSPOT = 'https://api.hubapi.test';
const FILES = 'https://journal-files.test';
const P = 4242;
const tokenReply = () => nock(HUBSPOT)
  .post('/oauth/v3/token', (b) => b.grant_type === 'client_credentials' && b.client_id === 'cid' && b.scope === JOURNAL_SCOPES.join(' '))
  .reply(200, { access_token: 'app-token', expires_in: 1800, token_type: 'bearer', token_use: 'client_credentials' });
const client = (now = Date.now) => new JournalClient({ baseUrl: HUBSPOT, clientId: 'cid', clientSecret: 'client-secret-0123', now });

describe('the journal client (nock as HubSpot)', () => {
  it('gets one client-credentials token with the journal scopes and keeps it while it lives', async () => {
    const token = tokenReply();
    const calls = nock(HUBSPOT, { reqheaders: { authorization: 'Bearer app-token' } })
      .get('/webhooks-journal/journal-local/2026-03/batch/earliest/100').query({ installPortalId: String(P) }).reply(404, { message: 'no entries', correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf', category: 'OBJECT_NOT_FOUND' })
      .get('/webhooks-journal/journal-local/2026-03/batch/off-1/next/100').query({ installPortalId: String(P) }).reply(200, { status: 'COMPLETE', startedAt: '2026-12-04T10:00:00Z', completedAt: '2026-12-04T10:00:00Z', results: [{ currentOffset: 'off-2', url: `${FILES}/f2`, expiresAt: '2026-12-04T10:15:00Z' }] });
    const c = client();
    expect(await c.next(P, null, 100)).toEqual([]);
    expect(await c.next(P, 'off-1', 100)).toEqual([{ currentOffset: 'off-2', url: `${FILES}/f2`, expiresAt: '2026-12-04T10:15:00Z' }]);
    token.done();
    calls.done();
  });

  it('says how long HubSpot asks it to wait on a 429, and that an offset it no longer has is final', async () => {
    tokenReply();
    nock(HUBSPOT).get(/batch\/off-1\/next/).query(true).reply(429, { message: 'slow down' }, { 'retry-after': '7' })
      .get(/batch\/gone\/next/).query(true).reply(404, { message: 'offset expired' });
    const c = client();
    const limited = await c.next(P, 'off-1', 10).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(JournalCallError);
    expect((limited as JournalCallError).retryAfterMs).toBe(7000);
    await expect(c.next(P, 'gone', 10)).rejects.toBeInstanceOf(JournalOffsetUnknown);
  });

  it('fetches a file from its pre-signed URL without the app\'s token, and refuses one over 1 MiB before reading it', async () => {
    nock(FILES, { badheaders: ['authorization'] }).get('/f1').reply(200, '{"a":1}').get('/big').reply(200, 'x', { 'content-length': String(2 * 1024 * 1024) })
      .get('/expired').reply(403, 'Request has expired');
    const c = client();
    expect(await c.download(`${FILES}/f1`)).toBe('{"a":1}');
    await expect(c.download(`${FILES}/big`)).rejects.toBeInstanceOf(JournalFileTooLarge);
    // An expired link is the batch's to read again (fresh links), not the entry's fault.
    await expect(c.download(`${FILES}/expired`)).rejects.toBeInstanceOf(JournalCallError);
  });

  it('never repeats the token request in an error (it holds the client secret)', async () => {
    nock(HUBSPOT).post('/oauth/v3/token').replyWithError({ code: 'ECONNRESET', message: 'socket hang up; body: client_secret=client-secret-0123' });
    const err = (await client().next(P, null, 1).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/HubSpot token endpoint unreachable/);
    expect(err.message).not.toContain('client-secret-0123');
  });
});

describe('a journal change as the webhook event it stands for', () => {
  // HubSpot's documented webhook example (developers.hubspot.com, webhooks API, "Example payload"), and the same change as a journal entry.
  const webhook = { objectId: 1246965, propertyName: 'lifecyclestage', propertyValue: 'subscriber', changeSource: 'ACADEMY', eventId: 3816279340, subscriptionId: 25, portalId: 33, appId: 1160452, occurredAt: 1462216307945, subscriptionType: 'company.propertyChange', attemptNumber: 0 } as HubSpotEvent;
  const entry = { portalId: 33, appId: 1160452, eventId: 3816279340, subscriptionId: 9001, occurredAt: 1462216307945, objectTypeId: '0-2', objectId: 1246965, action: 'UPDATE', changeSource: 'ACADEMY', properties: { lifecyclestage: 'subscriber' } } as const;

  it('has the dedupe key of the webhook event: one change, one effect, whichever way it came', () => {
    const events = readJournalFile(JSON.stringify(entry), 'o1').events;
    expect(events).toHaveLength(1);
    expect(dedupeKey(events[0]!)).toBe(dedupeKey(webhook));
  });

  it('makes one propertyChange per changed property, and nothing of an object or action the app does not handle', () => {
    expect(toWebhookEvents({ ...entry, properties: { domain: 'a.example', hs_additional_domains: 'b.example' } }).map((e) => e.propertyName)).toEqual(['domain', 'hs_additional_domains']);
    expect(toWebhookEvents({ ...entry, objectTypeId: '0-3' })).toEqual([]);
    expect(toWebhookEvents({ ...entry, action: 'SNAPSHOT' })).toEqual([]);
    expect(toWebhookEvents({ ...entry, objectTypeId: '0-1', action: 'GDPR_DELETE' })[0]).toMatchObject({ subscriptionType: 'contact.privacyDeletion' });
  });

  it('refuses what is not a change, with the reason, and keeps the others of the file', () => {
    const read = readJournalFile(JSON.stringify([entry, { ...entry, objectId: 2 ** 60 }, { ...entry, action: 'EXPLODE' }, { ...entry, properties: { deep: JSON.parse('['.repeat(40) + ']'.repeat(40)) } }]), 'o2');
    expect(read.events).toHaveLength(1);
    expect(read.invalid.map((i) => i.reason)).toEqual([
      'journal entry o2: objectId: must be a positive whole number no larger than 2^53 - 1',
      expect.stringMatching(/^journal entry o2: action: /),
      'journal entry o2: propertyValue is nested deeper than 16 levels',
    ]);
  });
});

describe('the journal reader', () => {
  function reader(now: () => number) {
    const store = new MemoryStore();
    const metrics = createMetrics();
    const queue = new MemoryQueue(new DeadLetters(store));
    const hubspot = new HubSpotGateway({ baseUrl: HUBSPOT, tokens: new StaticTokenSource('acct-token'), limiter: new MemoryRateLimiter(), metrics, log: testLog, ratePer10s: 100, searchRatePerSecond: 5, timeoutMs: 2000, maxAttempts: 1 });
    const poller = new JournalPoller({ client: client(now), store, queue, quarantine: new Quarantine(store), metrics, log: testLog, hubspot, accounts: async () => [P], now });
    return { store, poller };
  }

  it('never makes the subscriptions again, nor keeps anything, for an account uninstalled while a read was under way', async () => {
    const store = new MemoryStore();
    const metrics = createMetrics();
    await rememberInstall(store, P);
    let subscriptions = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let entered!: () => void;
    const reading = new Promise<void>((r) => { entered = r; });
    const fake = {
      subscribe: async () => { subscriptions = 1; },
      unsubscribe: async () => { subscriptions = 0; },
      next: async () => { entered(); await held; return []; },
      download: async () => '',
    } as unknown as JournalClient;
    nock(HUBSPOT).get('/conversations/v3/conversations/threads').query(true).times(2).reply(200, { results: [] });
    const hubspot = new HubSpotGateway({ baseUrl: HUBSPOT, tokens: new StaticTokenSource('acct-token'), limiter: new MemoryRateLimiter(), metrics, log: testLog, ratePer10s: 100, searchRatePerSecond: 5, timeoutMs: 2000, maxAttempts: 1 });
    const poller = new JournalPoller({ client: fake, store, queue: new MemoryQueue(new DeadLetters(store)), quarantine: new Quarantine(store), metrics, log: testLog, hubspot, accounts: () => installedAccounts(store) });
    const cycle = poller.pollAccount(P);
    await reading;
    // The read under way made the subscriptions; the uninstall starts now and waits for the read's lease.
    expect(subscriptions).toBe(1);
    const uninstall = stopJournal(store, P, async () => { await fake.unsubscribe(P); }, async () => { await new Promise((r) => setTimeout(r, 5)); });
    release();
    expect(await cycle).toBe(true);
    await uninstall;
    // A reader that still had the old list of accounts reads the account once more: nothing.
    expect(await poller.pollAccount(P)).toBe(true);
    expect(subscriptions).toBe(0);
    expect(await store.get('portal:{4242}:journal')).toBeNull();
    expect(await installedAccounts(store)).toEqual([]);
  });

  it('backs an account off after a 5xx (doubling), and leaves its offset where it was', async () => {
    let clock = Date.parse('2026-12-04T10:00:00Z');
    const { store, poller } = reader(() => clock);
    await store.set('portal:{4242}:journal', JSON.stringify({ offset: 'off-1', subscribed: true }));
    tokenReply();
    const failing = nock(HUBSPOT).get(/batch\/off-1\/next/).query(true).times(2).reply(503, { message: 'unavailable' });
    await poller.pollAll();
    expect((await journalState(store, P)).lastError).toBe('HubSpot\'s journal answered 503 to GET /webhooks-journal/journal-local/2026-03/batch/off-1/next/100');
    // Within its backoff (1 s after the first failure) the account is not read again.
    clock += 500;
    await poller.pollAll();
    expect(failing.pendingMocks()).toHaveLength(1);
    clock += 600;
    await poller.pollAll();
    expect(failing.isDone()).toBe(true);
    expect((await journalState(store, P)).offset).toBe('off-1');
    // The second failure doubles the wait to 2 s: 1.5 s later HubSpot is not asked; after 2 s it is, and the reading goes on.
    const recovered = nock(HUBSPOT).get(/batch\/off-1\/next/).query(true).reply(200, { status: 'COMPLETE', startedAt: '2026-12-04T10:00:00Z', completedAt: '2026-12-04T10:00:00Z', results: [] })
      .get('/conversations/v3/conversations/threads').query(true).reply(200, { results: [] });
    clock += 1500;
    await poller.pollAll();
    expect(recovered.pendingMocks()).toHaveLength(2);
    clock += 600;
    await poller.pollAll();
    expect(recovered.isDone()).toBe(true);
    expect((await journalState(store, P)).lastError).toBeUndefined();
  });

  it('starts again at the earliest entry only when HubSpot no longer has the offset; a refusal (403) keeps the offset', async () => {
    const clock = Date.parse('2026-12-04T10:00:00Z');
    const { store, poller } = reader(() => clock);
    await store.set('portal:{4242}:journal', JSON.stringify({ offset: 'off-1', subscribed: true }));
    tokenReply();
    nock(HUBSPOT).get(/batch\/off-1\/next/).query(true).reply(403, { message: 'missing scopes', correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf', category: 'MISSING_SCOPES' });
    await poller.pollAccount(P);
    expect(await journalState(store, P)).toMatchObject({ offset: 'off-1', lastError: expect.stringMatching(/refused GET .*\(403\)/) });

    const { store: store2, poller: poller2 } = reader(() => clock);
    await store2.set('portal:{4242}:journal', JSON.stringify({ offset: 'expired', subscribed: true }));
    tokenReply();
    const again = nock(HUBSPOT).get(/batch\/expired\/next/).query(true).reply(404, { message: 'no such offset', correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf', category: 'OBJECT_NOT_FOUND' })
      .get('/webhooks-journal/journal-local/2026-03/batch/earliest/100').query(true).reply(404, { message: 'empty', correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf', category: 'OBJECT_NOT_FOUND' })
      .get('/conversations/v3/conversations/threads').query(true).reply(200, { results: [] });
    await poller2.pollAccount(P);
    expect(again.isDone()).toBe(true);
    expect(await journalState(store2, P)).toMatchObject({ offset: null, lagSeconds: 0 });
  });
});
