/**
 * npm run test:reliability — the production topology on this machine, under load and faults:
 * two web processes behind a round-robin proxy (the public URL), two worker processes, a Redis of
 * this run's own with append-only persistence (fsync always), and the sandbox as HubSpot.
 *
 * The load: inbound conversations from new senders (company domains, subdomains, free mail),
 * known contacts and repeat senders, plus tickets of customer companies (a quarter titled
 * "[Portal Credentials]") whose support contacts (a contact and an address per company) get an
 * issue report each; every webhook is delivered, then twice more in shuffled order.
 * The faults, during the burst: 10 % 5xx, 5 % 429 and 2 % dropped connections from HubSpot, 5 % of
 * contact upserts carried out with their answer lost; one worker killed with SIGKILL and started
 * again; Redis killed and started again.
 *
 * RELIABILITY_SCALE=full runs 2,000 conversations and 500 tickets and writes
 * bench/results/reliability.json; the default (CI) runs 300 and 80.
 * RELIABILITY_REDIS=cluster runs the same on a three-node Redis Cluster (three masters, append-only,
 * on loopback): "Redis killed" is then the node that serves the account's keys and, when another
 * node serves the queue's, that one too (bench/results/reliability-cluster.json for the full run).
 * RELIABILITY_EVENTS=journal: HubSpot sends no webhook at all; the workers read every change from
 * HubSpot's Webhooks Journal (and conversations from the thread list), under the same faults, and
 * the journal is read twice more from its start instead of the webhooks' redeliveries
 * (bench/results/reliability-journal.json for the full run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultRuleSet } from '../../src/rules/default-rules.js';
import { HttpBrowser } from '../../src/sandbox/http-browser.js';
import { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import type { FaultConfig } from '../../src/sandbox/faults.js';
import { loadConfig } from '../../src/server/config.js';
import { connectSandboxPortal } from '../../src/server/portal-setup.js';
import { createRuntime, type Runtime } from '../../src/server/runtime.js';
import { testLog } from '../support/test-log.js';
import { freePort } from '../support/portal-env.js';
import { startRedisServer } from '../support/redis-server.js';
import { clusterPorts, startRedisCluster, type TestCluster } from '../support/redis-cluster.js';
import { keys } from '../../src/store/keys.js';
import { saveSupportContacts } from '../../src/support-contacts/support-contacts.js';
import { appQueuePrefix, queuePrefix } from '../../src/queue/bullmq-queue.js';
import { journalState, replayJournal } from '../../src/webhooks/journal-poller.js';

const FULL = process.env.RELIABILITY_SCALE === 'full';
const CLUSTER = process.env.RELIABILITY_REDIS === 'cluster';
const JOURNAL = process.env.RELIABILITY_EVENTS === 'journal';
const CLIENT_ID = 'cid-reliability';
const CONVERSATIONS = FULL ? 2000 : 300;
const TICKETS = FULL ? 500 : 80;
const SENDERS = Math.round(CONVERSATIONS * 0.8); // a fifth of the conversations come from someone who wrote before
const DOMAINS = FULL ? 100 : 20;
const P = 4242;
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'web.de', 'libero.it'];
const CREDENTIALS_EMAIL = 101;
const REPORT_EMAIL = 102;
const root = resolve(import.meta.dirname, '../..');

type Kind = 'free-mail' | 'subdomain' | 'known' | 'new';
const kindOf = (s: number): Kind => (['free-mail', 'subdomain', 'known'] as const)[s % 10] ?? 'new';
const domainOf = (s: number) => s % DOMAINS;
const senderOf = (s: number) => {
  const kind = kindOf(s);
  const d = domainOf(s);
  const host = kind === 'free-mail' ? FREE_MAIL[s % FREE_MAIL.length]! : kind === 'subdomain' ? `eu.company${d}.example` : `company${d}.example`;
  return { kind, email: `${kind === 'known' ? 'known' : 'person'}${s}@${host}`, first: `Person${s}`, last: 'Example', company: kind === 'free-mail' ? 'Default Co' : `Company ${d}` };
};

// ---- the topology ------------------------------------------------------------------------

const secret = randomBytes(16).toString('hex');
const prefix = `rel-${randomBytes(3).toString('hex')}:`;
const redisDir = mkdtempSync(join(tmpdir(), 'portal-autopilot-redis-'));
const persistence = ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
let redisPort = 0;
let redis: Awaited<ReturnType<typeof startRedisServer>> | undefined;
let cluster: TestCluster | undefined;
/** On a cluster, the nodes the burst's Redis fault kills: the account's and the queue's. */
let faultNodes: number[] = [];
const startRedis = async () => {
  if (!CLUSTER) { redis = await startRedisServer(redisPort, ['--dir', redisDir, ...persistence]); return; }
  if (!cluster) cluster = await startRedisCluster(await clusterPorts(3), redisDir, persistence);
  else await cluster.startNodes(faultNodes);
};
const killRedis = async () => {
  if (!CLUSTER) return redis?.stop();
  for (const i of faultNodes) await cluster?.killNode(i);
};
/** The queue's keys: BullMQ's prefix under this run's, hash-tagged on a cluster. */
const bullPrefix = queuePrefix(appQueuePrefix(prefix), CLUSTER);
/** Every Redis server of the run (one, or the cluster's three nodes). */
const redisPorts = () => (cluster ? cluster.ports : [redisPort]);

/** The load balancer: each connection goes to the next web process. */
function roundRobin(ports: number[]): Promise<{ server: Server; port: number; connections: number[] }> {
  const connections = ports.map(() => 0);
  let next = 0;
  const server = createServer((client) => {
    const i = next++ % ports.length;
    connections[i]!++;
    const upstream = connect(ports[i]!, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, port: (server.address() as { port: number }).port, connections })));
}

const logs: string[] = [];
function startProcess(role: 'web' | 'worker', env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, APP_ROLE: role, NODE_ENV: 'production' } });
  for (const s of [child.stdout!, child.stderr!]) s.on('data', (d: Buffer) => { logs.push(...d.toString().split('\n').filter(Boolean)); });
  return child;
}

let sandbox: HubSpotSandbox;
let control: Runtime;
let proxy: Awaited<ReturnType<typeof roundRobin>>;
let publicUrl = '';
const webs: ChildProcess[] = [];
const workers: ChildProcess[] = [];
const faults: FaultConfig = { seed: 12, rules: [] };
let env: Record<string, string>;
const timeline: Record<string, number> = {};
let requesters: { id: string; email: string; company: string; credentials: boolean }[] = [];
let defaultCompanyId = '';

beforeAll(async () => {
  redisPort = await freePort();
  await startRedis();
  if (cluster) faultNodes = [...new Set([await cluster.nodeOf(`${prefix}${keys.settings(P)}`), await cluster.nodeOf(`${bullPrefix}:hubspot-events:id`)])];
  sandbox = new HubSpotSandbox({ rateLimitPer10s: 2000, faults, searchDelayMs: 0, ...(JOURNAL ? { oauth: { clientId: CLIENT_ID, clientSecret: secret } } : {}) });
  const account = sandbox.addAccount(P);
  await sandbox.start();
  const webPorts = [await freePort(), await freePort()];
  proxy = await roundRobin(webPorts);
  publicUrl = `http://127.0.0.1:${proxy.port}`;
  env = {
    REDIS_URL: cluster ? cluster.url : `redis://127.0.0.1:${redisPort}`, REDIS_CLUSTER: String(CLUSTER), REDIS_KEY_PREFIX: prefix, HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: account.token,
    HUBSPOT_CLIENT_SECRET: secret, HUBSPOT_PORTAL_ID: String(P), HUBSPOT_RATE_LIMIT_PER_10S: '2000', PUBLIC_BASE_URL: publicUrl, HOST: '127.0.0.1',
    LOG_LEVEL: 'info', WORKER_LOCK_MS: '3000', HUBSPOT_BATCH_WINDOW_MS: '50',
    ...(JOURNAL ? { WEBHOOKS_JOURNAL: 'on', HUBSPOT_CLIENT_ID: CLIENT_ID, WEBHOOKS_JOURNAL_POLL_MS: '250' } : {}),
  };
  // This process sets the account up as an admin would and reads the results; it takes no traffic.
  control = createRuntime(loadConfig({ ...env, APP_ROLE: 'web', LOG_LEVEL: 'silent' }), { log: testLog });
  await control.start(0);
  await connectSandboxPortal(control, sandbox, P, { onboardNewContacts: true });
  const defaultCo = sandbox.seed(P, 'companies', { name: 'Default Co', domain: 'default-co.example' });
  defaultCompanyId = defaultCo.id;
  const current = await control.settings.read(P);
  await control.settings.save(P, {
    ...current.settings,
    inbound: { ...current.settings.inbound, defaultCompanyId },
    email: { ...current.settings.email, transport: 'hubspot', hubspotEmailIds: { 'portal-credentials': CREDENTIALS_EMAIL, 'support-issue-report': REPORT_EMAIL } },
  }, current.version, 'admin');
  await control.rules.save(P, { ...defaultRuleSet, rules: [{ ...defaultRuleSet.rules[0]!, active: true }] }, (await control.rules.read(P)).version, 'admin');
  const companies = Array.from({ length: DOMAINS }, (_, d) => sandbox.seed(P, 'companies', { name: `Company ${d}`, domain: `company${d}.example`, lifecyclestage: 'customer' }));
  // Each customer's support contacts: a contact of the company (its reports are logged on its
  // timeline) and a plain address, saved as an agent would on the company card.
  const supportCtx = { portalId: P, hubspot: control.hubspot, store: control.store, settings: (await control.settings.read(P)).settings };
  for (const [d, company] of companies.entries()) {
    const contact = sandbox.seed(P, 'contacts', { email: `helpdesk${d}@company${d}.example`, firstname: `Helpdesk${d}`, associatedcompanyid: company.id });
    await saveSupportContacts(supportCtx, company.id, [{ kind: 'contact', contactId: contact.id, email: contact.properties.email! }, { kind: 'email', email: `support@company${d}.example` }], 'admin');
  }
  for (let s = 0; s < SENDERS; s++) if (kindOf(s) === 'known') sandbox.seed(P, 'contacts', { email: senderOf(s).email, firstname: `Person${s}`, lastname: 'Example' });
  requesters = Array.from({ length: TICKETS }, (_, t) => {
    const d = t % DOMAINS;
    const c = sandbox.seed(P, 'contacts', { email: `customer${t}@company${d}.example`, firstname: `Customer${t}`, associatedcompanyid: companies[d]!.id });
    return { id: c.id, email: `customer${t}@company${d}.example`, company: `Company ${d}`, credentials: t % 4 === 0 };
  });

  for (const port of webPorts) webs.push(startProcess('web', { ...env, PORT: String(port) }));
  workers.push(startProcess('worker', env), startProcess('worker', env));
  await vi.waitFor(async () => { for (const port of webPorts) expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200); }, { timeout: 30_000, interval: 200 });
  if (!JOURNAL) sandbox.connectWebhooks({ targetUrl: `${publicUrl}/webhooks/hubspot`, clientSecret: secret, maxConcurrentRequests: 8, retryBaseMs: 250 });
  // HubSpot journals only changes made after the subscriptions exist (an install makes them; a
  // private app with the journal on makes them at its workers' first read): the burst waits for
  // them, else a worker that starts slowly leaves the first tickets out of the journal.
  if (JOURNAL) await vi.waitFor(() => expect(sandbox.journal.subscriptionsOf(P).length).toBeGreaterThan(0), { timeout: 60_000, interval: 50 });

  // ---- the burst, with its faults --------------------------------------------------------
  faults.rules.push({ pathPrefix: '/', error5xxRate: 0.1, error429Rate: 0.05, dropRate: 0.02 });
  // And 5 % of the contact upserts carried out with their answer lost: the upsert is sent again and
  // says new: false for what the first sending created (it lost a new sender's name once, on a cluster run).
  faults.rules.push({ pathPrefix: '/crm/v3/objects/contacts/batch/upsert', lostAnswerRate: 0.05 });
  const started = Date.now();
  const at = (name: string) => { timeline[name] = Number(((Date.now() - started) / 1000).toFixed(1)); };
  for (let c = 0; c < CONVERSATIONS; c++) {
    const s = senderOf(c % SENDERS);
    sandbox.inboundEmail(P, { from: s.email, name: `${s.first} ${s.last}`, subject: `Question ${c}`, text: 'Hello' });
    if (c < TICKETS) sandbox.createTicket(P, { subject: requesters[c]!.credentials ? '[Portal Credentials]' : `Printer ${c} on fire`, content: 'Smoke' }, requesters[c]!.id);
    // Let the sandbox's deliveries go out between the emails, as HubSpot's would.
    if (c % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  at('loadSent');
  // The faults strike while the work is under way: at a third and at two thirds of the new contacts.
  const newSenders = Array.from({ length: SENDERS }, (_, s) => senderOf(s)).filter((s) => s.kind !== 'known').length;
  const made = () => account.objects.contacts!.all().length - SENDERS / 10 - TICKETS - DOMAINS;
  await vi.waitFor(() => expect(made()).toBeGreaterThanOrEqual(newSenders / 3), { timeout: 5 * 60_000, interval: 50 });
  // Started again as soon as it is gone; its jobs come back when their locks lapse.
  workers[0]!.once('exit', () => { workers[0] = startProcess('worker', env); at('workerStarted'); });
  workers[0]!.kill('SIGKILL');
  at('workerKilled');
  await vi.waitFor(() => expect(made()).toBeGreaterThanOrEqual((2 * newSenders) / 3), { timeout: 5 * 60_000, interval: 50 });
  await killRedis();
  at('redisKilled');
  // Started again once both web processes have noticed (their /readyz answers 503).
  await vi.waitFor(async () => { for (const port of webPorts) expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503); }, { timeout: 30_000, interval: 50 });
  await startRedis();
  at('redisStarted');
  if (JOURNAL) {
    await journalCaughtUp();
    at('journalCaughtUp');
    // The journal read twice more from its start (an operator's replay): every change is seen again.
    for (let replay = 0; replay < 2; replay++) {
      await replayJournal(control.store, P, started - 60_000);
      await journalCaughtUp();
    }
  } else {
    await sandbox.webhooks!.drain();
    // HubSpot's retries: every webhook twice more, out of order.
    sandbox.webhooks!.redeliverAll(11);
    sandbox.webhooks!.redeliverAll(29);
    await sandbox.webhooks!.drain();
  }
  await vi.waitFor(() => expect(timeline.workerStarted).toBeDefined(), { timeout: 10_000 });
  await drainedOrStuck();
  at('drained');
  faults.rules.length = 0;
}, 20 * 60_000);

/**
 * Journal mode: until the workers' reader has queued every journal entry and every incoming
 * message (a read that finds Redis down is no answer yet), within the suite's bound.
 */
async function journalCaughtUp(): Promise<void> {
  await vi.waitUntil(async () => {
    const state = await journalState(control.store, P).catch(() => null);
    const newestIncoming = Math.max(0, ...[...sandbox.account(P).messages.values()].flat().filter((m) => m.direction === 'INCOMING').map((m) => Date.parse(m.createdAt)));
    return Boolean(state && state.offset === sandbox.journal.lastOffset(P) && (state.threadsAfter ?? 0) >= newestIncoming);
  }, { timeout: 5 * 60_000, interval: 200 });
}

/**
 * The queue drained, or a failure that names what is stuck: a job active for longer than any job
 * may run (its deadline, WORKER_JOB_TIMEOUT_MS, is 2 minutes; here a minute and a half of no
 * progress at all), instead of waiting out the hook's 20 minutes.
 */
async function drainedOrStuck(): Promise<void> {
  const connection = CLUSTER ? new Cluster([{ host: '127.0.0.1', port: cluster!.ports[0]! }]) : new Redis(env.REDIS_URL!);
  connection.on('error', () => undefined);
  const queue = new Queue('hubspot-events', { connection, prefix: bullPrefix });
  try {
    let last = '';
    let sameSince = Date.now();
    // Checked until drained; a stuck queue throws, which ends the wait at once with its reason.
    await vi.waitUntil(async () => {
      // The run restarts Redis (or cluster nodes): a read that finds it down is no answer yet, not
      // a failure; the 90 s without progress below still bounds the wait.
      const read = await Promise.all([control.queue.counts(), queue.getActive()]).catch(() => null);
      if (!read) {
        if (Date.now() - sameSince > 90_000) throw new Error('the queue could not be read for 90 s (Redis does not answer)');
        return false;
      }
      const [c, active] = read;
      if (!c.waiting && !c.active && !c.delayed) return true;
      const now = JSON.stringify(c);
      if (now !== last) { last = now; sameSince = Date.now(); }
      const stuck = active.filter((j) => Date.now() - (j.processedOn ?? Date.now()) > 150_000);
      if (stuck.length || Date.now() - sameSince > 90_000) {
        throw new Error(`the queue is stuck (${now}): ${stuck.map((j) => `${j.name} ${j.id} active ${Math.round((Date.now() - j.processedOn!) / 1000)} s, attempt ${j.attemptsMade + 1}`).join('; ') || 'no progress for 90 s'}`);
      }
      return false;
    }, { timeout: 19 * 60_000, interval: 200 });
  } finally { await queue.close(); connection.disconnect(); }
}

afterAll(async () => {
  // Processes that do not stop within 15 s of SIGTERM are killed, so a hang never leaves them (or
  // the Redis nodes below) running.
  const all = [...webs, ...workers];
  for (const p of all) p.kill('SIGTERM');
  const exited = (p: ChildProcess) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => p.once('exit', () => r())));
  const killer = setTimeout(() => { for (const p of all) p.kill('SIGKILL'); }, 15_000);
  await Promise.all(all.map(exited));
  clearTimeout(killer);
  try {
    await control?.stop();
    await sandbox?.stop();
    await new Promise((r) => proxy?.server.close(r));
  } finally {
    await redis?.stop();
    await cluster?.stop();
    rmSync(redisDir, { recursive: true, force: true });
  }
}, 60_000);

// ---- what a user would notice ----------------------------------------------------------------

const sends = (emailId: number) => sandbox.account(P).transactionalSends.filter((s) => s.emailId === emailId);
const result: Record<string, unknown> = {};

describe(`the production topology under load and faults (${CONVERSATIONS} conversations, ${TICKETS} tickets, ${JOURNAL ? "no webhook: every journal entry read three times" : "every webhook three times"})`, () => {
  it('spread the traffic over both web processes and met every fault it was meant to', () => {
    // In journal mode HubSpot sends the web processes nothing: they serve the customers' sign-ins (tested below).
    if (!JOURNAL) expect(proxy.connections.every((n) => n > 0)).toBe(true);
    const calls = sandbox.calls;
    result.hubspotCalls = calls.length;
    result.answered5xx = calls.filter((c) => c.status >= 500).length;
    result.answered429 = calls.filter((c) => c.status === 429).length;
    if (JOURNAL) {
      result.events = 'journal';
      result.journalEntries = sandbox.journal.entriesOf(P);
      result.journalCalls = calls.filter((c) => c.path.startsWith('/webhooks-journal/')).length;
      result.threadListCalls = calls.filter((c) => c.route === 'GET /conversations/v3/conversations/threads').length;
      expect(sandbox.webhooks).toBeUndefined();
      expect(result.journalEntries).toBeGreaterThan(TICKETS);
    } else {
      result.webhookDeliveries = sandbox.webhooks!.deliveries.length;
      result.webhookDeliveriesRefused = sandbox.webhooks!.deliveries.filter((d) => d.status !== 200).length;
    }
    result.timeline = timeline;
    if (cluster) result.redisNodesKilled = faultNodes.map((i) => `node ${i + 1} of 3`);
    expect(result.answered5xx).toBeGreaterThan(0);
    expect(result.answered429).toBeGreaterThan(0);
    expect(timeline).toMatchObject({ workerKilled: expect.any(Number), redisKilled: expect.any(Number), redisStarted: expect.any(Number) });
    if (!JOURNAL) expect(sandbox.webhooks!.pushed.length).toBeGreaterThan(CONVERSATIONS);
  });

  it('lost nothing: every webhook was accepted in the end (or every journal entry read), nothing is quarantined or dead', async () => {
    if (JOURNAL) expect((await journalState(control.store, P)).offset).toBe(sandbox.journal.lastOffset(P));
    else expect(sandbox.webhooks!.abandoned).toEqual([]);
    expect(await control.quarantine.list(100, P)).toEqual([]);
    const dead = await control.deadLetters.list(1000);
    result.deadLetters = dead.length;
    expect(dead.map((d) => d.reason)).toEqual([]);
  });

  it('made exactly one contact per new sender, named, filed under the right company (free mail: the default company)', () => {
    const a = sandbox.account(P);
    const companies = new Map(a.objects.companies!.all().map((c) => [c.id, String(c.properties.name)]));
    const byEmail = new Map<string, string[]>();
    for (const c of a.objects.contacts!.all()) byEmail.set(String(c.properties.email), [...(byEmail.get(String(c.properties.email)) ?? []), c.id]);
    const problems: string[] = [];
    for (let s = 0; s < SENDERS; s++) {
      const x = senderOf(s);
      const ids = byEmail.get(x.email) ?? [];
      if (ids.length !== 1) { problems.push(`${x.email}: ${ids.length} contacts`); continue; }
      const c = a.objects.contacts!.get(ids[0]!)!;
      if (c.properties.firstname !== x.first || c.properties.lastname !== x.last) problems.push(`${x.email}: named ${c.properties.firstname} ${c.properties.lastname}`);
      if (x.kind === 'known') continue; // known contacts are not refiled
      const filed = a.associationsOf('contacts', c.id, 'companies').map((t) => companies.get(String(t.toObjectId)));
      if (filed.length !== 1 || filed[0] !== x.company) problems.push(`${x.email}: filed under ${filed.join(', ') || 'nothing'}, expected ${x.company}`);
    }
    result.senders = SENDERS;
    expect(problems).toEqual([]);
  });

  it('emailed exactly one credentials message to each onboarded contact and each "[Portal Credentials]" requester, and granted access once', async () => {
    const expected = new Set<string>();
    for (let s = 0; s < SENDERS; s++) if (senderOf(s).kind !== 'known') expected.add(senderOf(s).email);
    for (const r of requesters) if (r.credentials) expected.add(r.email);
    const got = new Map<string, number>();
    for (const m of sends(CREDENTIALS_EMAIL)) got.set(m.to, (got.get(m.to) ?? 0) + 1);
    const wrong = [...new Set([...expected, ...got.keys()])].filter((e) => (got.get(e) ?? 0) !== (expected.has(e) ? 1 : 0)).map((e) => `${e}: ${got.get(e) ?? 0}`);
    result.credentialsEmails = sends(CREDENTIALS_EMAIL).length;
    expect(wrong).toEqual([]);

    const a = sandbox.account(P);
    const contactOf = (email: string) => a.objects.contacts!.all().find((c) => c.properties.email === email)!.id;
    const grants: string[] = [];
    for (const email of [...expected].slice(0, FULL ? expected.size : 120)) {
      const n = (await control.portal.accounts.history(P, contactOf(email))).filter((h) => h.action === 'granted').length;
      if (n !== 1) grants.push(`${email}: ${n} grants`);
    }
    expect(grants).toEqual([]);
  });

  it('sent each of a company\'s support contacts (a contact and an address) exactly one issue report per ticket', () => {
    const reports = sends(REPORT_EMAIL);
    const perTicket = new Map<string, number>();
    for (const m of reports) {
      const key = `${m.to} ${JSON.stringify(m.customProperties)}`;
      perTicket.set(key, (perTicket.get(key) ?? 0) + 1);
    }
    result.issueReports = reports.length;
    expect([...perTicket.values()].filter((n) => n !== 1)).toEqual([]);
    expect(reports.length).toBe(2 * TICKETS);
    const byRecipient = new Map<string, number>();
    for (const m of reports) byRecipient.set(m.to, (byRecipient.get(m.to) ?? 0) + 1);
    for (let d = 0; d < DOMAINS; d++) {
      const tickets = requesters.filter((r) => r.company === `Company ${d}`).length;
      expect(byRecipient.get(`support@company${d}.example`), `Company ${d}'s address`).toBe(tickets);
      expect(byRecipient.get(`helpdesk${d}@company${d}.example`), `Company ${d}'s contact`).toBe(tickets);
    }
  });

  it('put exactly one copy of every email sent to a contact on that contact\'s timeline', () => {
    const a = sandbox.account(P);
    const sentTo = new Map<string, number>();
    for (const m of a.transactionalSends) sentTo.set(m.to, (sentTo.get(m.to) ?? 0) + 1);
    const copies = new Map<string, number>();
    for (const e of a.objects.emails!.all()) for (const c of a.associationsOf('emails', e.id, 'contacts')) copies.set(String(c.toObjectId), (copies.get(String(c.toObjectId)) ?? 0) + 1);
    const wrong: string[] = [];
    for (const c of a.objects.contacts!.all()) {
      const sent = sentTo.get(String(c.properties.email)) ?? 0;
      const logged = copies.get(c.id) ?? 0;
      if (sent !== logged) wrong.push(`${c.properties.email}: ${sent} sent, ${logged} on the timeline`);
    }
    result.timelineCopies = [...copies.values()].reduce((x, y) => x + y, 0);
    expect(result.timelineCopies).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });

  it('lets customers sign in through the real OpenID Connect flow (a sample, through either web process)', async () => {
    const sample = [senderOf(3), senderOf(13), senderOf(23)].filter((s) => s.kind === 'new');
    expect(sample.length).toBeGreaterThan(0);
    for (const s of sample) {
      const mail = sends(CREDENTIALS_EMAIL).find((m) => m.to === s.email)!;
      const link = Object.values(mail.customProperties).map((v) => String((v as { value: unknown }).value)).find((v) => /\/set-password\/[\w-]{43}$/.test(v));
      expect(link, s.email).toBeDefined();
      const browser = new HttpBrowser();
      await browser.get(link!);
      await browser.submit({ password: `reliable ${s.first} 1843`, confirm: `reliable ${s.first} 1843` });
      const portalUrl = sandbox.portal.portalUrl(P);
      await browser.get(portalUrl);
      await browser.submit({ email: s.email, password: `reliable ${s.first} 1843` });
      expect(browser.url, browser.text().slice(0, 300)).toBe(portalUrl);
      expect(browser.text()).toMatch(/Your tickets \(\d+\)/);
    }
  });

  it('keeps Redis bounded: every key that grows with traffic expires or is capped', async () => {
    const kinds = new Map<string, { keys: number; withoutTtl: number }>();
    let usedMemory = 0;
    const perNode: { keys: number; usedMemoryBytes: number }[] = [];
    // Each server's own keys (a cluster node's SCAN sees only its slots); BullMQ's under its prefix.
    for (const port of redisPorts()) {
      const redis = new Redis(port, '127.0.0.1');
      for (const pattern of [`${prefix}*`, `${bullPrefix}:*`]) {
        for (let cursor = '0'; ;) {
          const [nextCursor, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          const pipeline = redis.pipeline();
          for (const k of found) pipeline.ttl(k);
          const ttls = (await pipeline.exec())!.map(([, t]) => Number(t));
          found.forEach((k, i) => {
            const kind = (k.startsWith(bullPrefix) ? `bull${k.slice(bullPrefix.length)}` : k.slice(prefix.length)).replace(/\d+/g, 'N').replace(/[\w-]{20,}/g, 'X');
            const entry = kinds.get(kind) ?? { keys: 0, withoutTtl: 0 };
            entry.keys++;
            if (ttls[i]! < 0) entry.withoutTtl++;
            kinds.set(kind, entry);
          });
          if ((cursor = nextCursor) === '0') break;
        }
        if (!CLUSTER) break; // on one server, BullMQ's keys are under this run's prefix already
      }
      const nodeMemory = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
      perNode.push({ keys: await redis.dbsize(), usedMemoryBytes: nodeMemory });
      usedMemory += nodeMemory;
      await redis.quit();
    }
    result.redisUsedMemoryBytes = usedMemory;
    if (CLUSTER) result.redisPerNode = perNode;
    result.redisKeys = [...kinds.values()].reduce((a, b) => a + b.keys, 0);
    result.redisKeyKinds = Object.fromEntries([...kinds].sort((a, b) => b[1].keys - a[1].keys));
    // Keys without a time to live: one set per account (configuration, BullMQ's bookkeeping, whose
    // event stream BullMQ trims to 10,000 entries), and per customer with a portal account, that
    // account's data for as long as it has one (lists capped, see caps in src/store/keys.ts).
    const perAccount = /^(portal:\{N\}:(settings|settings-history|rules|provisioning|setup|support-label|oidc-client|journal)|bull:hubspot-events:(id|meta|events)|app:key-format)$/;
    const perPortalCustomer = /^portal:\{N\}:(portal-account:N|portal-login:.+|portal-access-log:N|email-log:(N|company-N))$/;
    // And per customer company, the capped history of its support contacts.
    const perCompany = /^portal:\{N\}:support-history:N$/;
    const unbounded = [...kinds].filter(([kind, k]) => k.withoutTtl > 0 && !perAccount.test(kind) && !perPortalCustomer.test(kind) && !perCompany.test(kind)).map(([kind]) => kind);
    expect(unbounded).toEqual([]);
    const accounts = kinds.get('portal:{N}:portal-account:N')?.keys ?? 0;
    const withoutTtl = [...kinds.values()].reduce((a, b) => a + b.withoutTtl, 0);
    result.redisKeysWithoutTtl = withoutTtl;
    result.portalAccounts = accounts;
    // Three keys per portal customer, a capped email log per contact or company that got email, a
    // support history per company, a dozen per account.
    const count = (kind: string) => kinds.get(kind)?.keys ?? 0;
    expect(withoutTtl).toBeLessThanOrEqual(3 * accounts + count('portal:{N}:email-log:N') + count('portal:{N}:email-log:company-N') + count('portal:{N}:support-history:N') + 12);
    result.redisBytesPerConversation = Math.round(Number(result.redisUsedMemoryBytes) / CONVERSATIONS);
  });

  it('dead-letters an event HubSpot answers 404 for, and a replay once the object is back completes it exactly once', async () => {
    const tickets = sandbox.account(P).objects.tickets!;
    const raiser = requesters.find((r) => !r.credentials)!;
    const ticket = sandbox.createTicket(P, { subject: 'Lost and found', content: 'Restored from the recycle bin' }, raiser.id);
    const record = tickets.get(ticket.id)!;
    tickets.remove(ticket.id);
    await vi.waitFor(async () => expect((await control.deadLetters.list()).length).toBe(1), { timeout: 60_000, interval: 200 });
    expect((await control.deadLetters.list())[0]!.reason).toMatch(/404/);
    tickets.restore(record);
    expect(await control.deadLetters.replay(control.queue)).toBe(1);
    await control.queue.idle(60_000);
    expect(await control.deadLetters.list()).toEqual([]);
    const reports = sends(REPORT_EMAIL).filter((m) => JSON.stringify(m.customProperties).includes('Lost and found'));
    const d = requesters.indexOf(raiser) % DOMAINS;
    expect(reports.map((m) => m.to).sort()).toEqual([`helpdesk${d}@company${d}.example`, `support@company${d}.example`]);
  });

  it('wrote no secret and no set-password link into any log line of the four processes', () => {
    const links = sends(CREDENTIALS_EMAIL).flatMap((m) => Object.values(m.customProperties).map((v) => /\/set-password\/([\w-]{43})$/.exec(String((v as { value: unknown }).value))?.[1] ?? '').filter(Boolean));
    expect(links.length).toBe(sends(CREDENTIALS_EMAIL).length);
    const secrets = [secret, env.HUBSPOT_ACCESS_TOKEN!, ...links];
    result.logLines = logs.length;
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((line) => secrets.some((s) => line.includes(s)))).toEqual([]);
  });

  afterAll(() => {
    const command = `${FULL ? 'RELIABILITY_SCALE=full ' : ''}${CLUSTER ? 'RELIABILITY_REDIS=cluster ' : ''}${JOURNAL ? 'RELIABILITY_EVENTS=journal ' : ''}npm run test:reliability`;
    const out = { date: new Date().toISOString(), command, redis: CLUSTER ? 'three-node cluster' : 'one server', conversations: CONVERSATIONS, tickets: TICKETS, senders: SENDERS, domains: DOMAINS, ...result };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    if (FULL) writeFileSync(join(root, `bench/results/reliability${CLUSTER ? '-cluster' : ''}${JOURNAL ? '-journal' : ''}.json`), `${JSON.stringify(out, null, 2)}\n`);
  });
});
