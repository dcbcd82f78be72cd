import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/server/config.js';
import { connectSandboxPortal } from '../../src/server/portal-setup.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import { journalState } from '../../src/webhooks/journal-poller.js';
import { runJournalCli } from '../../src/server/cli/journal-cli.js';
import { keys } from '../../src/store/keys.js';
import { deliver } from '../support/hubspot-client.js';
import { freePort } from '../support/portal-env.js';
import { flushTestRedis, testKeyPrefix, testRedisUrl } from '../support/redis.js';
import { expectContractKept, SANDBOX_PORTAL, startSandbox } from '../support/sandbox.js';
import { TEST_APP_ID, TEST_SECRET } from '../support/test-app.js';
import { testLog } from '../support/test-log.js';

const P = SANDBOX_PORTAL;
const CLIENT_ID = 'cid-marketplace';
let sandbox: HubSpotSandbox;
let app: Runtime;
let base: string;

/** Starts the app as a marketplace (OAuth) install would run it: no webhooks reach it, only the journal. */
const oauthEnv = () => ({
  REDIS_URL: testRedisUrl(), HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_CLIENT_ID: CLIENT_ID, HUBSPOT_CLIENT_SECRET: TEST_SECRET,
  TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32), HUBSPOT_APP_ID: TEST_APP_ID, HUBSPOT_ADMIN_USER_IDS: '1', REDIS_KEY_PREFIX: testKeyPrefix, LOG_LEVEL: 'silent', HUBSPOT_BATCH_WINDOW_MS: '20', WEBHOOKS_JOURNAL_POLL_MS: '200',
});
async function startOAuthApp(env: Record<string, string> = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const runtime = createRuntime(loadConfig({ PORT: String(port), PUBLIC_BASE_URL: url, ...oauthEnv(), ...env }), { log: testLog, queuePrefix: `j${Math.random().toString(36).slice(2)}` });
  await runtime.start(port);
  return { runtime, url };
}

/** An admin installs the app from the marketplace: HubSpot's consent screen, then the callback with a code. */
async function install(url: string) {
  const started = await fetch(`${url}/oauth/install`, { redirect: 'manual' });
  const state = new URL(started.headers.get('location')!).searchParams.get('state');
  const res = await fetch(`${url}/oauth/callback?code=${sandbox.issueAuthCode(P)}&state=${state}`, { headers: { cookie: started.headers.getSetCookie()[0]!.split(';')[0]! } });
  expect(await res.text()).toContain(`installed in account ${P}`);
}

/** Until the journal reader has queued every entry and every incoming message, and the worker has done what they caused; twice, for the changes the work itself made. */
async function settle(runtime: Runtime = app) {
  for (let round = 0; round < 3; round++) {
    await vi.waitUntil(async () => {
      const state = await journalState(runtime.store, P);
      const newestIncoming = Math.max(0, ...[...sandbox.account(P).messages.values()].flat().filter((m) => m.direction === 'INCOMING').map((m) => Date.parse(m.createdAt)));
      return state.offset === sandbox.journal.lastOffset(P) && (state.threadsAfter ?? 0) >= newestIncoming;
    }, { timeout: 20_000, interval: 50 });
    await runtime.queue.idle(20_000);
  }
}

const api = (path: string, method = 'GET', body?: unknown) =>
  deliver(base, body, { method, path: `/api/extensions${path}${path.includes('?') ? '&' : '?'}portalId=${P}&userId=1&userEmail=agent%40support.example`, raw: body === undefined ? '' : JSON.stringify(body), publicUrl: base });

beforeAll(async () => {
  await flushTestRedis();
  sandbox = await startSandbox({ searchDelayMs: 0, oauth: { clientId: CLIENT_ID, clientSecret: TEST_SECRET } });
  ({ runtime: app, url: base } = await startOAuthApp());
  await install(base);
  await connectSandboxPortal(app, sandbox, P);
});
afterAll(async () => { await app?.stop(); expectContractKept(sandbox); await sandbox?.stop(); });

describe('a marketplace (OAuth) install gets its events from the Webhooks Journal', () => {
  it('makes the account\'s journal subscriptions at install, with the app\'s client-credentials token', () => {
    expect(sandbox.journal.subscriptionsOf(P).map((s) => [s.subscriptionType, s.objectTypeId, s.actions.join(',')])).toEqual([
      ['OBJECT', '0-1', 'CREATE,DELETE'], ['GDPR_PRIVACY_DELETION', '0-1', 'GDPR_DELETE'], ['OBJECT', '0-2', 'CREATE,UPDATE,DELETE'], ['OBJECT', '0-5', 'CREATE,UPDATE'],
    ]);
    expect(sandbox.webhooks).toBeUndefined();
  });

  it('ends with the contacts, filing, credentials, rules and issue reports of the webhook path, with no webhook at all', async () => {
    const acme = sandbox.createCompany(P, { name: 'Acme', domain: 'acme.example', lifecyclestage: 'customer' });
    await settle();
    // The company's creation came from the journal: the sender is filed under it.
    sandbox.inboundEmail(P, { from: 'ada@acme.example', name: 'Ada Lovelace', subject: 'Printer', text: 'It jams' });
    sandbox.inboundEmail(P, { from: 'ada@acme.example', name: 'Ada Lovelace', subject: 'Printer again', text: 'Still' });
    sandbox.inboundEmail(P, { from: 'bob@gmail.com', name: 'Bob', subject: 'Hello', text: 'Hi' });
    await settle();
    const contacts = sandbox.account(P).objects.contacts!.all();
    expect(contacts.filter((c) => c.properties.email === 'ada@acme.example')).toHaveLength(1);
    const ada = contacts.find((c) => c.properties.email === 'ada@acme.example')!;
    expect(sandbox.account(P).associationsOf('contacts', ada.id, 'companies').map((a) => a.toObjectId)).toEqual([acme.id]);
    const credentials = (await app.email.outbox.mailbox(P)).filter((m) => m.template === 'portal-credentials');
    expect(credentials.map((m) => m.to).sort()).toEqual(['ada@acme.example', 'bob@gmail.com']);

    // A support contact, then a ticket titled as the rule wants: the rule and the issue report both run off the journal's ticket.creation.
    const saved = await api(`/companies/${acme.id}/support-contacts`, 'PUT', { contacts: [{ kind: 'email', email: 'ops@acme.example' }] });
    expect(saved.status).toBe(200);
    const ticket = sandbox.createTicket(P, { subject: 'Printer on fire' }, ada.id);
    await settle();
    expect((await app.email.outbox.list(P)).filter((m) => m.subject.includes('Printer on fire')).map((m) => m.to)).toEqual(['ops@acme.example']);
    const carl = sandbox.seed(P, 'contacts', { email: 'carl@acme.example', firstname: 'Carl' });
    sandbox.createTicket(P, { subject: '[Portal Credentials]' }, carl.id);
    await settle();
    expect((await app.email.outbox.mailbox(P)).filter((m) => m.to === 'carl@acme.example' && m.template === 'portal-credentials')).toHaveLength(1);
    expect(ticket.id).toBeTruthy();
    const state = await journalState(app.store, P);
    expect(state).toMatchObject({ subscribed: true, offset: sandbox.journal.lastOffset(P) });
    // Caught up: the newest change was queued moments after it happened.
    expect(state.lagSeconds).toBeLessThan(5);
    expect(state.lastError).toBeUndefined();
  });

  it('reports how far behind the journal reader is, as a metric per account', async () => {
    const text = await app.metrics.registry.getSingleMetricAsString('portal_autopilot_journal_lag_seconds');
    expect(Number(new RegExp(`portal_autopilot_journal_lag_seconds\\{portal="${P}"\\} ([\\d.e-]+)`).exec(text)?.[1])).toBeLessThan(5);
  });

  it('moves the offset only after the events are queued: a failed file read leaves it, and the entry is read again', async () => {
    const before = await journalState(app.store, P);
    sandbox.journal.failNextDownloads = 2;
    sandbox.createCompany(P, { name: 'Globex', domain: 'globex.example' });
    // While the file cannot be read, the offset stays where it was.
    await vi.waitUntil(() => sandbox.journal.failNextDownloads === 0, { timeout: 10_000, interval: 50 });
    expect((await journalState(app.store, P)).offset).toBe(before.offset);
    await settle();
    sandbox.inboundEmail(P, { from: 'hedy@globex.example', name: 'Hedy', subject: 'Hi', text: 'Hello' });
    await settle();
    const globex = sandbox.account(P).objects.companies!.all().find((c) => c.properties.name === 'Globex')!;
    const hedy = sandbox.account(P).objects.contacts!.all().find((c) => c.properties.email === 'hedy@globex.example')!;
    expect(sandbox.account(P).associationsOf('contacts', hedy.id, 'companies').map((a) => a.toObjectId)).toEqual([globex.id]);
  });

  it('keeps an entry that names another account, or is not a change, in the quarantine, and goes on', async () => {
    sandbox.journal.append(P, JSON.stringify({ portalId: 999, occurredAt: Date.now(), objectTypeId: '0-2', objectId: 5, action: 'CREATE', eventId: 1 }));
    sandbox.journal.append(P, '{"portalId":');
    sandbox.journal.append(P, JSON.stringify({ portalId: P, occurredAt: Date.now(), objectTypeId: '0-2', objectId: 2 ** 60, action: 'CREATE' }));
    await settle();
    const reasons = (await app.quarantine.list(10, P)).map((q) => q.reason).join('\n');
    expect(reasons).toMatch(/names account 999, read for 4242/);
    expect(reasons).toMatch(/file is not valid JSON/);
    expect(reasons).toMatch(/objectId: must be a positive whole number no larger than 2\^53 - 1/);
    expect((await journalState(app.store, P)).offset).toBe(sandbox.journal.lastOffset(P));
  });

  it('shows the journal\'s lag on the status card, and lets an admin replay from a time on the settings page', async () => {
    const status = await api('/status');
    expect(status.body).toMatchObject({ journal: { lastError: null } });
    expect((status.body as { journal: { lagSeconds: number } }).journal.lagSeconds).toBeLessThan(5);
    expect(await api('/journal/replay', 'POST', { since: 'last week' })).toEqual({ status: 400, body: { message: 'since: must be a date and time, like 2026-12-01T08:00:00Z' } });
    expect((await api('/journal/replay', 'POST', { since: new Date(Date.now() - 5 * 24 * 3600_000).toISOString() })).body).toEqual({ message: 'since: HubSpot keeps the webhooks journal for 3 days; choose a time within them' });
    const emailsBefore = (await app.email.outbox.mailbox(P)).length;
    const since = new Date(Date.now() - 600_000).toISOString();
    expect(await api('/journal/replay', 'POST', { since })).toEqual({ status: 200, body: { replayingSince: since, offset: null } });
    await settle();
    expect((await app.email.outbox.mailbox(P)).length).toBe(emailsBefore);
  });

  it('reads the journal again from its start when an operator replays it: what was queued is not queued twice', async () => {
    const emailsBefore = (await app.email.outbox.mailbox(P)).length;
    const said: string[] = [];
    expect(await runJournalCli(['--portal', String(P), '--replay-since', 'yesterday'], oauthEnv(), (l) => said.push(l))).toBe(2);
    expect(said).toEqual(['--replay-since: "yesterday" is not a date and time (like 2026-12-01T08:00:00Z)']);
    said.length = 0;
    const since = new Date(Date.now() - 3600_000).toISOString();
    expect(await runJournalCli(['--portal', String(P), '--replay-since', since], oauthEnv(), (l) => said.push(l))).toBe(0);
    expect(said[0]).toBe(`account ${P}: the journal is read again from its earliest entry; changes since ${since} that were never queued will be`);
    expect(said[1]).toMatch(/^account 4242: subscriptions made; offset none \(earliest entry next\)/);
    await settle();
    expect((await app.email.outbox.mailbox(P)).length).toBe(emailsBefore);
    expect(sandbox.account(P).objects.contacts!.all().filter((c) => c.properties.email === 'ada@acme.example')).toHaveLength(1);
  });

  it('reads each account with one process at a time, across workers: the lease lapses when its holder dies', async () => {
    const second = await startOAuthApp({ APP_ROLE: 'worker' });
    try {
      await app.store.set(keys.journalLease(P), 'a dead worker', 1);
      // The lease is held (by the dead one): neither reads.
      expect(await second.runtime.journal!.pollAccount(P)).toBe(false);
      await vi.waitUntil(async () => (await app.store.get(keys.journalLease(P))) === null, { timeout: 5000, interval: 50 });
      sandbox.createCompany(P, { name: 'Initech', domain: 'initech.example' });
      await settle(second.runtime);
      expect((await journalState(second.runtime.store, P)).offset).toBe(sandbox.journal.lastOffset(P));
    } finally {
      await second.runtime.stop();
    }
  });

  it('deletes the journal subscriptions and what it kept for them at uninstall', async () => {
    const res = await api('/installation', 'DELETE');
    expect(res.status).toBe(200);
    expect(sandbox.journal.subscriptionsOf(P)).toEqual([]);
    expect(await app.store.get(keys.journal(P))).toBeNull();
    expect(await app.store.range(keys.installedAccounts(), 0, -1)).toEqual([]);
  });
});
