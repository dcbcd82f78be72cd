import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import type { FaultConfig } from '../../src/sandbox/faults.js';
import { keys } from '../../src/store/keys.js';
import { SANDBOX_PORTAL, startAppWithSandbox } from '../support/sandbox.js';
import { PUBLIC_URL, TEST_SECRET } from '../support/test-app.js';

let sandbox: HubSpotSandbox;
let app: Awaited<ReturnType<typeof startAppWithSandbox>>['app'];
let env: Awaited<ReturnType<typeof startAppWithSandbox>>;
const P = SANDBOX_PORTAL;
const faults: FaultConfig = { seed: 7, rules: [] };

beforeAll(async () => {
  env = await startAppWithSandbox({ searchDelayMs: 60_000, faults }, { batchWindowMs: 30 });
  ({ sandbox, app } = env);
  sandbox.seed(P, 'companies', { name: 'Acme', domain: 'acme.example', hs_additional_domains: 'acme.test;acme-support.example' });
  sandbox.seed(P, 'companies', { name: 'Unassigned' });
});
afterAll(async () => { await env.stop(); });

const contacts = () => sandbox.account(P).objects.contacts!.all();
const byEmail = (email: string) => contacts().find((c) => c.properties.email === email);
const companyOf = (contactId: string) => sandbox.account(P).associationsOf('contacts', contactId, 'companies');
const companyId = (name: string) => sandbox.account(P).objects.companies!.all().find((c) => c.properties.name === name)!.id;
const settle = () => env.settle();

describe('inbound conversations become contacts', () => {
  it('makes one contact, named from the display name and filed as primary under Acme, from three emails of one new sender', async () => {
    for (const subject of ['One', 'Two', 'Three']) sandbox.inboundEmail(P, { from: 'Ada@Acme.example', name: 'Lovelace, Ada', subject, text: 'hi' });
    await settle();
    const ada = contacts().filter((c) => c.properties.email === 'ada@acme.example');
    expect(ada).toHaveLength(1);
    expect(ada[0]!.properties).toMatchObject({ firstname: 'Ada', lastname: 'Lovelace' });
    expect(companyOf(ada[0]!.id)).toEqual([{ toObjectId: companyId('Acme'), types: expect.arrayContaining([{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }]) }]);
  });

  it('names and files a new sender whose contact HubSpot created although its answer was lost (the upsert sent again says new: false)', async () => {
    const upserts = () => sandbox.calls.filter((c) => c.path === '/crm/v3/objects/contacts/batch/upsert').length;
    const before = upserts();
    faults.rules.push({ pathPrefix: '/crm/v3/objects/contacts/batch/upsert', lostAnswerRate: 1, times: 1 });
    try {
      sandbox.inboundEmail(P, { from: 'grace@acme.example', name: 'Grace Hopper', subject: 'Lost answer', text: 'hi' });
      await settle();
    } finally { faults.rules.length = 0; }
    // The first answer was lost (not recorded as answered); the gateway sent the upsert again.
    expect(upserts() - before).toBeGreaterThanOrEqual(1);
    const grace = contacts().filter((c) => c.properties.email === 'grace@acme.example');
    expect(grace).toHaveLength(1);
    expect(grace[0]!.properties).toMatchObject({ firstname: 'Grace', lastname: 'Hopper' });
    expect(companyOf(grace[0]!.id).map((a) => a.toObjectId)).toEqual([companyId('Acme')]);
  });

  it('creates nothing for an agent\'s reply', async () => {
    const before = contacts().length;
    const { threadId } = sandbox.inboundEmail(P, { from: 'bob@acme.example', name: 'Bob', subject: 'Q', text: 'q' });
    await settle();
    sandbox.agentReply(P, threadId, 'answer');
    await settle();
    expect(contacts().length).toBe(before + 1);
    expect(byEmail('agent@sandbox.example')).toBeUndefined();
  });

  it('pages through a long thread an agent started until it finds the customer\'s first email', async () => {
    const { threadId } = sandbox.agentStartsThread(P, { to: 'carol@acme.example', subject: 'Your order', text: 'Hello Carol' });
    for (let i = 0; i < 24; i++) sandbox.agentReply(P, threadId, `follow-up ${i}`);
    await settle();
    expect(byEmail('carol@acme.example')).toBeUndefined();
    sandbox.inboundEmail(P, { threadId, from: 'carol@acme.example', name: 'Carol Shaw', subject: 'Re: Your order', text: 'Thanks' });
    await settle();
    expect(byEmail('carol@acme.example')?.properties).toMatchObject({ firstname: 'Carol', lastname: 'Shaw' });
    const pages = sandbox.calls.filter((c) => c.path === `/conversations/v3/conversations/threads/${threadId}/messages`);
    expect(pages.length).toBeGreaterThanOrEqual(2);
  });

  it('matches a domain Acme owns through hs_additional_domains', async () => {
    sandbox.inboundEmail(P, { from: 'linus@acme.test', name: 'Linus Torvalds', subject: 'Invoice', text: 'x' });
    await settle();
    expect(companyOf(byEmail('linus@acme.test')!.id)[0]?.toObjectId).toBe(companyId('Acme'));
  });

  it('files a free-mail sender under the default company from settings', async () => {
    const current = await app.settings.read(P);
    await app.settings.save(P, { ...current.settings, inbound: { ...current.settings.inbound, defaultCompanyId: companyId('Unassigned') } }, current.version, 'test');
    sandbox.inboundEmail(P, { from: 'margaret@gmail.com', name: 'Margaret Hamilton', subject: 'Hello', text: 'x' });
    await settle();
    expect(companyOf(byEmail('margaret@gmail.com')!.id)[0]?.toObjectId).toBe(companyId('Unassigned'));
    const filing = JSON.parse((await app.store.get(keys.contactFiling(P, byEmail('margaret@gmail.com')!.id)))!);
    expect(filing).toMatchObject({ reason: 'free-mail', companyId: companyId('Unassigned') });
  });

  it('leaves an existing contact exactly as it was', async () => {
    const grace = sandbox.seed(P, 'contacts', { email: 'grace@acme.example', firstname: 'Grace', lastname: 'Hopper', lastmodifieddate: '2020-01-01T00:00:00.000Z' });
    await new Promise((r) => setTimeout(r, 5));
    sandbox.inboundEmail(P, { from: 'grace@acme.example', name: 'Someone Else', subject: 'Hi', text: 'x' });
    await settle();
    expect(byEmail('grace@acme.example')!.properties).toMatchObject({ firstname: 'Grace', lastname: 'Hopper' });
    expect(companyOf(grace.id)).toEqual([]);
  });

  it('ignores no-reply senders, auto-replies and spam, and counts them by reason', async () => {
    sandbox.inboundEmail(P, { from: 'no-reply@shop.example', subject: 'Your order', text: 'x' });
    sandbox.inboundEmail(P, { from: 'carl@acme.example', subject: 'Automatic reply: Out of office', text: 'x' });
    sandbox.inboundEmail(P, { from: 'spammer@spam.example', subject: 'Win', text: 'x', spam: true });
    await settle();
    expect(['no-reply@shop.example', 'carl@acme.example', 'spammer@spam.example'].map(byEmail)).toEqual([undefined, undefined, undefined]);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    for (const reason of ['no-reply', 'auto-reply', 'spam']) expect(metrics).toContain(`portal_autopilot_inbound_senders_total{outcome="ignored:${reason}"} 1`);
  });

  it('reads the threads of a burst of new senders with fewer calls than threads (the thread list), a spam thread among them still ignored', async () => {
    const reads = () => sandbox.calls.filter((c) => c.method === 'GET' && /^\/conversations\/v3\/conversations\/threads(\/\d+)?$/.test(c.path)).length;
    const before = reads();
    for (let i = 0; i < 12; i++) sandbox.inboundEmail(P, { from: `burst${i}@acme.example`, name: `Burst Sender${i}`, subject: `Burst ${i}`, text: 'hi' });
    sandbox.inboundEmail(P, { from: 'burst-spam@spam.example', subject: 'Win', text: 'x', spam: true });
    await settle();
    for (let i = 0; i < 12; i++) expect(byEmail(`burst${i}@acme.example`)!.properties).toMatchObject({ firstname: 'Burst', lastname: `Sender${i}` });
    expect(byEmail('burst-spam@spam.example')).toBeUndefined();
    expect(reads() - before).toBeLessThan(13);
  });

  it('creates no duplicate contact or association, and calls HubSpot no more, when every webhook arrives three times', async () => {
    const { signV3 } = await import('../../src/webhooks/sign-request.js');
    const replayed: string[] = [];
    // Capture what HubSpot sends for this story, then deliver each request twice more.
    sandbox.connectWebhooks({ targetUrl: `${app.url}/webhooks/hubspot`, clientSecret: TEST_SECRET, batchWindowMs: 10, signAs: `${PUBLIC_URL}/webhooks/hubspot` });
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).endsWith('/webhooks/hubspot') && typeof init?.body === 'string') replayed.push(init.body);
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      sandbox.inboundEmail(P, { from: 'hedy@acme-support.example', name: 'Hedy Lamarr', subject: 'Radio', text: 'x' });
      await settle();
    } finally {
      globalThis.fetch = realFetch;
    }
    const callsAfterFirstDelivery = sandbox.calls.length;
    for (let round = 1; round <= 2; round++) {
      for (const body of replayed) {
        const again = JSON.stringify((JSON.parse(body) as object[]).map((e) => ({ ...e, attemptNumber: round })));
        const res = await realFetch(`${app.url}/webhooks/hubspot`, { method: 'POST', body: again, headers: { 'content-type': 'application/json', ...signV3(TEST_SECRET, 'POST', `${PUBLIC_URL}/webhooks/hubspot`, again, Date.now()) } });
        expect(res.status).toBe(200);
      }
    }
    await app.queue.idle(20_000);
    expect(replayed.length).toBeGreaterThan(0);
    const hedy = contacts().filter((c) => c.properties.email === 'hedy@acme-support.example');
    expect(hedy).toHaveLength(1);
    expect(companyOf(hedy[0]!.id)).toHaveLength(1);
    expect(sandbox.calls.length).toBe(callsAfterFirstDelivery);
  });
});

describe('the domain index follows HubSpot', () => {
  it('drops its cached domains when a company is created, so the next sender of its domain is filed under it', async () => {
    sandbox.inboundEmail(P, { from: 'first@newco.example', name: 'First', subject: 'Hi', text: 'x' });
    await settle();
    const before = companyOf(byEmail('first@newco.example')!.id).map((a) => a.toObjectId);
    const newco = sandbox.createCompany(P, { name: 'NewCo', domain: 'newco.example' });
    await settle();
    sandbox.inboundEmail(P, { from: 'second@newco.example', name: 'Second', subject: 'Hi', text: 'x' });
    await settle();
    expect(before).not.toContain(newco.id);
    expect(companyOf(byEmail('second@newco.example')!.id).map((a) => a.toObjectId)).toEqual([newco.id]);
  });
});
