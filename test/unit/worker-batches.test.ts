import { describe, expect, it } from 'vitest';
import { HubSpotGateway } from '../../src/hubspot/gateway.js';
import { ListAdds } from '../../src/hubspot/list-adds.js';
import { MemoryRateLimiter } from '../../src/hubspot/rate-limiter.js';
import { readById, RecordReader } from '../../src/hubspot/record-reader.js';
import { TimelineCopyBatch } from '../../src/email/timeline-copy.js';
import { MaybeAppliedError } from '../../src/hubspot/gateway.js';
import { countBy, createMetrics } from '../../src/platform/metrics.js';
import { testLog } from '../support/test-log.js';
import { nock } from '../support/use-nock.js';

const BASE = 'https://api.hubapi.test';
const record = (id: string, properties: Record<string, string | null>) => ({ id, properties, createdAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z', archived: false });
const batchAnswer = (results: unknown[]) => ({ status: 'COMPLETE', results, startedAt: '2026-12-03T00:00:00Z', completedAt: '2026-12-03T00:00:00Z' });

function gateway() {
  const metrics = createMetrics();
  const hubspot = new HubSpotGateway({
    baseUrl: BASE, tokens: { accessToken: async () => 'tok' }, limiter: new MemoryRateLimiter(), metrics, log: testLog,
    ratePer10s: 100, searchRatePerSecond: 5, timeoutMs: 2000, maxAttempts: 1, sleep: async () => {},
  });
  return { hubspot, calls: () => countBy(metrics.hubspotCalls, 'endpoint') };
}

describe('the worker\'s reads by id', () => {
  it('are one batch read per object type for the jobs of one window, with every property any of them asked for', async () => {
    let body: { inputs: { id: string }[]; properties: string[] } | undefined;
    nock(BASE).post('/crm/v3/objects/contacts/batch/read', (b) => { body = b; return true; })
      .reply(200, batchAnswer([record('2', { email: 'b@acme.example', hs_language: 'de' }), record('1', { email: 'a@acme.example', firstname: 'Ada' })]));
    const { hubspot, calls } = gateway();
    const records = new RecordReader(hubspot, { windowMs: 5, maxBatch: 100 });
    const ctx = { portalId: 7, hubspot, batches: { records } };
    const [a, b, a2] = await Promise.all([
      readById(ctx, 'contacts', '1', ['email', 'firstname']), readById(ctx, 'contacts', '2', ['email', 'hs_language']), readById(ctx, 'contacts', '1', ['email']),
    ]);
    expect([a.firstname, b.hs_language, a2.email]).toEqual(['Ada', 'de', 'a@acme.example']);
    expect(body!.inputs).toEqual([{ id: '1' }, { id: '2' }]);
    expect(body!.properties.sort()).toEqual(['email', 'firstname', 'hs_language']);
    expect(await calls()).toEqual({ 'crm.contacts.batch.read': 1 });
  });

  it('read a record the batch does not return on its own (a merged contact answers under its new id), and a record that is gone fails only its own job', async () => {
    nock(BASE).post('/crm/v3/objects/contacts/batch/read').reply(200, batchAnswer([record('1', { email: 'a@acme.example' })]))
      .get('/crm/v3/objects/contacts/2').query({ properties: 'email' }).reply(200, record('9', { email: 'merged@acme.example' }))
      .get('/crm/v3/objects/contacts/3').query(true).reply(404, { status: 'error', message: 'Object not found', category: 'OBJECT_NOT_FOUND', correlationId: 'c' });
    const { hubspot } = gateway();
    const ctx = { portalId: 7, hubspot, batches: { records: new RecordReader(hubspot, { windowMs: 5, maxBatch: 100 }) } };
    const got = await Promise.allSettled(['1', '2', '3'].map((id) => readById(ctx, 'contacts', id, ['email'])));
    expect(got.slice(0, 2).map((r) => r.status === 'fulfilled' && r.value.email)).toEqual(['a@acme.example', 'merged@acme.example']);
    expect(got[2]).toMatchObject({ status: 'rejected', reason: { status: 404 } });
  });

  it('are made at once, one GET each, where no reader is given (a card, whose agent waits)', async () => {
    nock(BASE).get('/crm/v3/objects/companies/5').query({ properties: 'name,domain' }).reply(200, record('5', { name: 'Acme', domain: 'acme.example' }));
    const { hubspot, calls } = gateway();
    expect((await readById({ portalId: 7, hubspot }, 'companies', '5', ['name', 'domain'])).name).toBe('Acme');
    expect(await calls()).toEqual({ 'crm.companies.get': 1 });
  });
});

describe('the worker\'s list additions', () => {
  it('are one memberships/add per list for the jobs of one window, each record once', async () => {
    const bodies: Record<string, string[]> = {};
    nock(BASE).put('/crm/v3/lists/11/memberships/add', (b) => { bodies['11'] = b; return true; }).reply(200, { recordIdsAdded: ['1', '2'], recordIdsMissing: [] })
      .put('/crm/v3/lists/12/memberships/add', (b) => { bodies['12'] = b; return true; }).reply(200, { recordIdsAdded: ['3'], recordIdsMissing: [] });
    const { hubspot, calls } = gateway();
    const lists = new ListAdds(hubspot, { windowMs: 5, maxBatch: 100 });
    await Promise.all([lists.add(7, '11', '1'), lists.add(7, '11', '2'), lists.add(7, '11', '1'), lists.add(7, '12', '3')]);
    expect(bodies).toEqual({ 11: ['1', '2'], 12: ['3'] });
    expect(await calls()).toEqual({ 'crm.lists.memberships.add': 2 });
  });
});

describe('the worker\'s timeline copies', () => {
  const copy = (contactId: string, ts: number, subject = 'Your access to our customer portal') => ({ contactId, ts, subject, text: 'hello', html: '<p>hello</p>' });
  const made = (id: string, ts: number, subject = 'Your access to our customer portal') => ({ ...record(id, { hs_timestamp: new Date(ts).toISOString(), hs_email_subject: subject }) });

  it('are one batch create for the jobs of one window, each job getting its own copy by its marker whatever order HubSpot answers in; a repeated marker is made on its own', async () => {
    let sent: { inputs: { properties: { hs_timestamp: string }; associations: { to: { id: string } }[] }[] } | undefined;
    nock(BASE).post('/crm/v3/objects/emails/batch/create', (b) => { sent = b; return true; })
      .reply(201, batchAnswer([made('902', 2000), made('901', 1000)]))
      .post('/crm/v3/objects/emails').reply(201, made('903', 1000));
    const { hubspot, calls } = gateway();
    const copies = new TimelineCopyBatch(hubspot, { windowMs: 5, maxBatch: 100 });
    const ids = await Promise.all([copies.create(7, copy('1', 1000)), copies.create(7, copy('2', 2000)), copies.create(7, copy('3', 1000))]);
    expect(ids).toEqual(['901', '902', '903']);
    expect(sent!.inputs.map((i) => i.associations[0]!.to.id)).toEqual(['1', '2']);
    expect(await calls()).toEqual({ 'crm.emails.batch.create': 1, 'crm.emails.create': 1 });
  });

  it('are made one by one after HubSpot refuses the batch (nothing was made), so a bad copy fails only its own job', async () => {
    nock(BASE).post('/crm/v3/objects/emails/batch/create').reply(400, { status: 'error', message: 'Invalid input', category: 'VALIDATION_ERROR', correlationId: 'c' })
      .post('/crm/v3/objects/emails', (b) => b.associations[0].to.id === '1').reply(201, made('911', 1000))
      .post('/crm/v3/objects/emails', (b) => b.associations[0].to.id === '2').reply(400, { status: 'error', message: 'Contact 2 does not exist', category: 'VALIDATION_ERROR', correlationId: 'd' });
    const { hubspot } = gateway();
    const copies = new TimelineCopyBatch(hubspot, { windowMs: 5, maxBatch: 100 });
    const got = await Promise.allSettled([copies.create(7, copy('1', 1000)), copies.create(7, copy('2', 2000))]);
    expect(got[0]).toEqual({ status: 'fulfilled', value: '911' });
    expect(got[1]).toMatchObject({ status: 'rejected', reason: { status: 400 } });
  });

  it('fail every copy of a batch HubSpot did not answer cleanly with "may have been applied", so each job looks for its copy before making it again', async () => {
    nock(BASE).post('/crm/v3/objects/emails/batch/create').reply(502, 'Bad Gateway');
    const { hubspot, calls } = gateway();
    const copies = new TimelineCopyBatch(hubspot, { windowMs: 5, maxBatch: 100 });
    const got = await Promise.allSettled([copies.create(7, copy('1', 1000)), copies.create(7, copy('2', 2000))]);
    expect(got.map((r) => r.status === 'rejected' && r.reason instanceof MaybeAppliedError)).toEqual([true, true]);
    expect(await calls()).toEqual({ 'crm.emails.batch.create': 1 });
  });
});

describe('copies of emails sent in the same moment', () => {
  it('get markers of their own, so one batch create makes them all (emails of one window are sent together)', async () => {
    const { TimelineCopies } = await import('../../src/email/timeline-copy.js');
    const { MemoryStore } = await import('../../src/store/memory-store.js');
    let sent: { inputs: { properties: { hs_timestamp: string; hs_email_subject: string } }[] } | undefined;
    nock(BASE).post('/crm/v3/objects/emails/batch/create', (b) => { sent = b; return true; })
      .reply(201, () => batchAnswer(sent!.inputs.map((i, n) => record(String(950 + n), { hs_timestamp: i.properties.hs_timestamp, hs_email_subject: i.properties.hs_email_subject }))));
    const { hubspot, calls } = gateway();
    const ctx = { portalId: 7, hubspot, store: new MemoryStore(), batches: { timelineCopies: new TimelineCopyBatch(hubspot, { windowMs: 5, maxBatch: 100 }) } };
    const copies = new TimelineCopies();
    const email = { subject: 'Your access to our customer portal', text: 'hello', html: '<p>hello</p>', secrets: [], values: {} };
    await Promise.all(['a', 'b', 'c'].map((key, i) => copies.keep(ctx, key, String(i + 1), email)));
    const made = await Promise.all(['a', 'b', 'c'].map((key) => copies.finish(ctx, key)));
    expect(made.map((m) => m.state)).toEqual(['done', 'done', 'done']);
    expect(new Set(sent!.inputs.map((i) => i.properties.hs_timestamp)).size).toBe(3);
    expect(await calls()).toEqual({ 'crm.emails.batch.create': 1 });
  });
});
