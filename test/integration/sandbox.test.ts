import { createServer, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/sandbox/faults.js';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import { verifyV3 } from '../../src/webhooks/verify-signature.js';
import { expectContractKept, hs, SANDBOX_PORTAL, startSandbox } from '../support/sandbox.js';

let sandbox: HubSpotSandbox;
beforeAll(async () => { sandbox = await startSandbox({ searchDelayMs: 0 }); });
afterAll(async () => { expectContractKept(sandbox); await sandbox.stop(); });

const upsert = (emails: string[]) => hs(sandbox, 'POST', '/crm/v3/objects/contacts/batch/upsert', {
  inputs: emails.map((email) => ({ id: email, idProperty: 'email', properties: { firstname: 'Ada' } })),
});

describe('HubSpot sandbox', () => {
  it('upserts contacts by email and says which ones are new', async () => {
    const first = await upsert(['ada@acme.example', 'bob@acme.example']);
    expect(first.status).toBe(200);
    expect(first.body.results.map((r: { new: boolean }) => r.new)).toEqual([true, true]);
    const again = await upsert(['ADA@acme.example', 'cy@acme.example']);
    expect(again.body.results.map((r: { new: boolean; properties: { email: string } }) => [r.properties.email, r.new]))
      .toEqual([['ada@acme.example', false], ['cy@acme.example', true]]);
  });

  it('refuses a batch of more than 100 inputs', async () => {
    const res = await upsert(Array.from({ length: 101 }, (_, i) => `p${i}@x.example`));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', message: 'Batch size 101 exceeds the limit of 100 inputs' });
  });

  it('keeps new records out of search until the index delay has passed', async () => {
    sandbox.setSearchDelay(60_000);
    await hs(sandbox, 'POST', '/crm/v3/objects/companies', { properties: { name: 'Late Ltd', domain: 'late.example' }, associations: [] });
    const search = () => hs(sandbox, 'POST', '/crm/v3/objects/companies/search', {
      filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ', value: 'late.example' }] }], limit: 10, after: '0', properties: ['domain'], sorts: [],
    });
    expect((await search()).body.total).toBe(0);
    sandbox.setSearchDelay(0);
    await hs(sandbox, 'POST', '/crm/v3/objects/companies', { properties: { name: 'Late Ltd 2', domain: 'late.example' }, associations: [] });
    expect((await search()).body.total).toBe(1);
  });

  it('pages companies with their domains', async () => {
    for (let i = 0; i < 3; i++) await hs(sandbox, 'POST', '/crm/v3/objects/companies', { properties: { name: `P${i}, associations: []`, domain: `p${i}.example`, hs_additional_domains: `p${i}.test` }, associations: [] });
    const page1 = await hs(sandbox, 'GET', '/crm/v3/objects/companies?limit=2&properties=domain,hs_additional_domains');
    expect(page1.body.results).toHaveLength(2);
    const page2 = await hs(sandbox, 'GET', `/crm/v3/objects/companies?limit=100&after=${page1.body.paging.next.after}&properties=domain`);
    expect(page2.body.paging).toBeUndefined();
  });

  it('associates records (default and primary), reads them back both ways, and manages labels', async () => {
    const contact = (await upsert(['assoc@acme.example'])).body.results[0].id;
    const company = (await hs(sandbox, 'POST', '/crm/v3/objects/companies', { properties: { name: 'Acme', domain: 'acme.example' }, associations: [] })).body.id;
    const created = await hs(sandbox, 'POST', '/crm/v4/associations/contacts/companies/batch/create', {
      inputs: [{ from: { id: contact }, to: { id: company }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] }],
    });
    expect(created.status).toBe(201);
    const back = await hs(sandbox, 'GET', `/crm/v4/objects/companies/${company}/associations/contacts`);
    expect(back.body.results).toEqual([{ toObjectId: contact, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 2 }] }]);
    const label = await hs(sandbox, 'POST', '/crm/associations/v4/contacts/companies/labels', { label: 'Support contact', name: 'support_contact' });
    expect(label.status).toBe(200);
    expect((await hs(sandbox, 'POST', '/crm/associations/v4/contacts/companies/labels', { label: 'Support contact', name: 'support_contact' })).status).toBe(409);
    const ticket = (await hs(sandbox, 'POST', '/crm/v3/objects/tickets', { properties: { subject: 'Help', hs_pipeline: '0', hs_pipeline_stage: '1' }, associations: [] })).body.id;
    expect((await hs(sandbox, 'POST', '/crm/v4/associations/tickets/contacts/batch/associate/default', { inputs: [{ from: { id: ticket }, to: { id: contact } }] })).status).toBe(200);
    const read = await hs(sandbox, 'POST', '/crm/v4/associations/tickets/contacts/batch/read', { inputs: [{ id: ticket }] });
    expect(read.body.results[0].to[0]).toMatchObject({ toObjectId: contact, associationTypes: [{ typeId: 16 }] });
  });

  it('changes memberships of manual lists only', async () => {
    const manual = (await hs(sandbox, 'POST', '/crm/v3/lists', { name: 'Portal access', objectTypeId: '0-1', processingType: 'MANUAL' })).body.list.listId;
    const added = await hs(sandbox, 'PUT', `/crm/v3/lists/${manual}/memberships/add`, ['11', '12']);
    expect(added.body).toEqual({ recordsIdsAdded: ['11', '12'], recordIdsRemoved: [], recordIdsMissing: [] });
    expect((await hs(sandbox, 'GET', `/crm/v3/lists/${manual}/memberships`)).body.total).toBe(2);
    const dynamic = (await hs(sandbox, 'POST', '/crm/v3/lists', { name: 'Dyn', objectTypeId: '0-1', processingType: 'DYNAMIC' })).body.list.listId;
    expect((await hs(sandbox, 'PUT', `/crm/v3/lists/${dynamic}/memberships/add`, ['11'])).status).toBe(400);
    expect((await hs(sandbox, 'GET', '/crm/v3/lists/object-type-id/0-1/name/Portal%20access')).body.list.listId).toBe(manual);
  });

  it('serves threads and messages with the sender\'s email as delivery identifier', async () => {
    const { threadId } = sandbox.inboundEmail(SANDBOX_PORTAL, { from: 'ada@acme.example', name: 'Ada Lovelace', subject: 'Login', text: 'I cannot log in' });
    sandbox.agentReply(SANDBOX_PORTAL, threadId, 'We are on it');
    expect((await hs(sandbox, 'GET', `/conversations/v3/conversations/threads/${threadId}`)).body).toMatchObject({ id: threadId, spam: false, status: 'OPEN' });
    const messages = (await hs(sandbox, 'GET', `/conversations/v3/conversations/threads/${threadId}/messages`)).body.results;
    expect(messages.map((m: { direction: string; senders: { deliveryIdentifier: { value: string } }[] }) => [m.direction, m.senders[0]!.deliveryIdentifier.value]))
      .toEqual([['INCOMING', 'ada@acme.example'], ['OUTGOING', 'agent@sandbox.example']]);
  });

  it('sends a transactional email once per sendId', async () => {
    const send = () => hs(sandbox, 'POST', '/marketing/v3/transactional/single-email/send', { emailId: 7, message: { to: 'ada@acme.example', sendId: 'cred-1' }, customProperties: { portal_address: { value: 'x' } } });
    expect((await send()).body.status).toBe('PENDING');
    expect((await send()).body.sendResult).toBe('IDEMPOTENT_IGNORE');
    expect(sandbox.account(SANDBOX_PORTAL).transactionalSends).toHaveLength(1);
  });

  it('creates properties and groups once, answering 409 after', async () => {
    const group = { name: 'portal_autopilot', label: 'Portal Autopilot', displayOrder: -1 };
    expect((await hs(sandbox, 'POST', '/crm/v3/properties/contacts/groups', group)).status).toBe(201);
    expect((await hs(sandbox, 'POST', '/crm/v3/properties/contacts/groups', group)).status).toBe(409);
    const prop = { name: 'pa_state', label: 'Portal state', type: 'string', fieldType: 'text', groupName: 'portal_autopilot' };
    expect((await hs(sandbox, 'POST', '/crm/v3/properties/contacts', prop)).status).toBe(201);
    expect((await hs(sandbox, 'GET', '/crm/v3/properties/contacts/pa_state')).body.name).toBe('pa_state');
  });

  it('answers account details and refuses an unknown token with HubSpot\'s 401', async () => {
    expect((await hs(sandbox, 'GET', '/account-info/v3/details')).body.portalId).toBe(SANDBOX_PORTAL);
    const res = await hs(sandbox, 'GET', '/account-info/v3/details', undefined, 'wrong');
    expect(res.status).toBe(401);
    expect(res.body.category).toBe('INVALID_AUTHENTICATION');
  });
});

describe('sandbox limits', () => {
  it('answers past 110 calls in 10 s with HubSpot\'s 429 body and rate-limit headers', async () => {
    const s = await startSandbox({ rateLimitPer10s: 5 });
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await hs(s, 'GET', '/account-info/v3/details'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(answers[0]!.headers.get('x-hubspot-ratelimit-max')).toBe('5');
    expect(answers[4]!.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(answers[5]!.body).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', category: 'RATE_LIMITS' });
    expect(answers[5]!.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    expectContractKept(s);
    await s.stop();
  });

  it('leaves part of the window to "another integration": the app meets Remaining 0 before its own count reaches the limit', async () => {
    const s = await startSandbox({ rateLimitPer10s: 5, otherIntegrationPer10s: 3 });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await hs(s, 'GET', '/account-info/v3/details'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers.map((a) => a.headers.get('x-hubspot-ratelimit-remaining'))).toEqual(['1', '0', '0']);
    expect(answers[2]!.headers.get('x-hubspot-ratelimit-max')).toBe('5');
    await s.stop();
  });

  it('answers an injected 429 with the window\'s real count, so it reads as a hiccup, not a spent window', async () => {
    const s = await startSandbox({ faults: { seed: 1, rules: [{ pathPrefix: '/account-info', error429Rate: 1 }] } });
    const answer = await hs(s, 'GET', '/account-info/v3/details');
    expect(answer.status).toBe(429);
    expect(answer.body).toMatchObject({ errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' });
    expect(Number(answer.headers.get('x-hubspot-ratelimit-remaining'))).toBeGreaterThan(0);
    await s.stop();
  });

  it('limits search to 5 requests per second', async () => {
    const s = await startSandbox();
    const body = { filterGroups: [], limit: 1, after: '0', properties: [], sorts: [] };
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await hs(s, 'POST', '/crm/v3/objects/contacts/search', body)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    await s.stop();
  });

  it('injects the same faults for the same seed', () => {
    const rules = [{ pathPrefix: '/crm', error5xxRate: 0.2, error429Rate: 0.1, dropRate: 0.05 }];
    const run = () => { const f = new FaultInjector({ seed: 42, rules }); return Array.from({ length: 50 }, () => f.decide('/crm/v3/objects/contacts').kind); };
    expect(run()).toEqual(run());
    expect(new Set(run())).toEqual(new Set(['none', '5xx', '429', 'drop']));
    expect(new FaultInjector({ seed: 42, rules }).decide('/conversations/x').kind).toBe('none');
  });

  it('answers injected 5xx faults and drops connections', async () => {
    const s = await startSandbox({ faults: { seed: 7, rules: [{ pathPrefix: '/account-info', error5xxRate: 1 }] } });
    expect((await hs(s, 'GET', '/account-info/v3/details')).status).toBe(502);
    await s.stop();
    const d = await startSandbox({ faults: { seed: 7, rules: [{ dropRate: 1 }] } });
    await expect(hs(d, 'GET', '/account-info/v3/details')).rejects.toThrow();
    await d.stop();
  });
});

describe('sandbox webhooks', () => {
  it('delivers events batched and v3-signed, and retries a non-2xx answer with a higher attemptNumber', async () => {
    const received: { body: { attemptNumber: number; subscriptionType: string }[]; valid: boolean }[] = [];
    let failFirst = true;
    const target = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const uri = `http://127.0.0.1:${(target.address() as { port: number }).port}/hooks`;
        const valid = verifyV3('shh-secret', 'POST', uri, body, req.headers['x-hubspot-signature-v3'] as string, req.headers['x-hubspot-request-timestamp'] as string, Date.now()).ok;
        received.push({ body: JSON.parse(body), valid });
        res.statusCode = failFirst ? 500 : 200;
        failFirst = false;
        res.end();
      });
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
    const port = (target.address() as { port: number }).port;
    const s = await startSandbox({ webhook: { targetUrl: `http://127.0.0.1:${port}/hooks`, clientSecret: 'shh-secret', retryBaseMs: 10 } });
    s.inboundEmail(SANDBOX_PORTAL, { from: 'ada@acme.example', subject: 'Hi', text: 'Hello' });
    s.createTicket(SANDBOX_PORTAL, { subject: '[Portal Credentials]' });
    await s.webhooks!.drain();
    expect(received).toHaveLength(2);
    expect(received.every((r) => r.valid)).toBe(true);
    expect(received[0]!.body.map((e) => e.subscriptionType)).toEqual(['conversation.creation', 'conversation.newMessage', 'ticket.creation']);
    expect(received.map((r) => r.body[0]!.attemptNumber)).toEqual([0, 1]);
    await s.stop();
    target.close();
  });
});
