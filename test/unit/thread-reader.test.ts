import { describe, expect, it } from 'vitest';
import { threadReader, type ThreadRead } from '../../src/contacts/thread-reader.js';
import { HubSpotGateway } from '../../src/hubspot/gateway.js';
import { MemoryRateLimiter } from '../../src/hubspot/rate-limiter.js';
import { countBy, createMetrics } from '../../src/platform/metrics.js';
import { testLog } from '../support/test-log.js';
import { nock } from '../support/use-nock.js';

const BASE = 'https://api.hubapi.test';
const LIST = '/conversations/v3/conversations/threads';
const thread = (id: string, spam = false) => ({ id, spam, createdAt: '2026-12-03T10:00:00.000Z', inboxId: '1', status: 'OPEN', archived: false });
const notFound = { status: 'error', message: 'Thread not found', category: 'OBJECT_NOT_FOUND', correlationId: 'c1' };

function reader() {
  const metrics = createMetrics();
  const gw = new HubSpotGateway({
    baseUrl: BASE, tokens: { accessToken: async () => 'tok' }, limiter: new MemoryRateLimiter(), metrics, log: testLog,
    ratePer10s: 100, searchRatePerSecond: 5, timeoutMs: 2000, maxAttempts: 1, sleep: async () => {},
  });
  const threads = threadReader(gw, { windowMs: 5, maxBatch: 500 });
  /** The threads of events that arrive within one batch window (each with its own occurredAt). */
  const read = (events: [threadId: string, occurredAt: number][]) => Promise.all(events.map(([threadId, occurredAt]) => threads.add(7, { threadId, occurredAt })));
  return { read, calls: () => countBy(metrics.hubspotCalls, 'endpoint') };
}
const idOf = (r: ThreadRead) => ('thread' in r ? r.thread.id : `error: ${(r.error as Error).message}`);

describe('the threads of conversation events that arrive together', () => {
  it('are read with one list call sorted by latest message, from five minutes before the oldest event, each job getting its own thread', async () => {
    const now = Date.now();
    let asked: Record<string, unknown> = {};
    nock(BASE).get(LIST).query((q) => { asked = q; return true; })
      .reply(200, { results: [thread('90'), thread('11', true), thread('12'), thread('13')] });
    const { read, calls } = reader();
    const got = await read([['11', now - 60_000], ['12', now], ['13', now - 1000]]);
    expect(got.map(idOf)).toEqual(['11', '12', '13']);
    expect('thread' in got[0]! && got[0].thread.spam).toBe(true);
    expect(asked).toEqual({ sort: 'latestMessageTimestamp', limit: '500', latestMessageTimestampAfter: new Date(now - 60_000 - 5 * 60_000).toISOString() });
    expect(await calls()).toEqual({ 'conversations.threads.list': 1 });
  });

  it('read a thread the list does not hold on its own, and follow the list\'s next page first', async () => {
    nock(BASE).get(LIST).query((q) => !q.after).reply(200, { results: [thread('21')], paging: { next: { after: 'p2' } } })
      .get(LIST).query((q) => q.after === 'p2').reply(200, { results: [thread('22')] })
      .get(`${LIST}/23`).reply(200, thread('23'));
    const { read, calls } = reader();
    expect((await read([['21', Date.now()], ['22', Date.now()], ['23', Date.now()]])).map(idOf)).toEqual(['21', '22', '23']);
    expect(await calls()).toEqual({ 'conversations.threads.list': 2, 'conversations.threads.get': 1 });
  });

  it('are read one by one when the list fails, and a thread HubSpot does not have fails only its own job', async () => {
    nock(BASE).get(LIST).query(true).reply(400, { status: 'error', message: 'Invalid sort', category: 'VALIDATION_ERROR', correlationId: 'c2' })
      .get(`${LIST}/31`).reply(200, thread('31'))
      .get(`${LIST}/32`).reply(404, notFound);
    const { read } = reader();
    const got = await read([['31', Date.now()], ['32', Date.now()]]);
    expect(idOf(got[0]!)).toBe('31');
    expect(idOf(got[1]!)).toMatch(/^error: .*404|not found/i);
  });

  it('cost no list for one thread, nor for an event older than ten minutes (a retried job), which is read on its own', async () => {
    nock(BASE).get(`${LIST}/41`).reply(200, thread('41'))
      .get(`${LIST}/42`).reply(200, thread('42'))
      .get(`${LIST}/43`).reply(200, thread('43'));
    const { read, calls } = reader();
    expect((await read([['41', Date.now()]])).map(idOf)).toEqual(['41']);
    const hourAgo = Date.now() - 3_600_000;
    expect((await read([['42', hourAgo], ['43', hourAgo]])).map(idOf)).toEqual(['42', '43']);
    expect(await calls()).toEqual({ 'conversations.threads.get': 3 });
  });
});
