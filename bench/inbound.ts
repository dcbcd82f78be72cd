/**
 * npm run bench:inbound — a burst of 1,000 conversations from 800 distinct new senders over 200
 * domains (some free-mail, some on subdomains of a company's domain) through the sandbox at its
 * default 110 requests / 10 s, with the portal set up, so every new sender is also granted access
 * and sent the credentials email. Reports HubSpot calls per conversation (those of the inbound
 * flow apart from those of the onboarding), 429 answers, the drain time against the theoretical
 * minimum (calls ÷ rate), and the time from a new sender's first email to its credentials email
 * in the outbox (p50, p95). BENCH_RUNS runs (default 3), medians; BENCH_WINDOWS_MS the batch
 * windows to run at (default "3000,500": the production default and a short one).
 * BENCH_EVENTS=journal: no webhook reaches the app; its workers read HubSpot's Webhooks Journal
 * (conversations from the thread list) as a marketplace install does, and the result adds the
 * journal's lag, from a change in HubSpot to its event queued (p50, p95); written to
 * results/inbound-journal.json.
 */
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { HubSpotSandbox } from '../src/sandbox/hubspot-sandbox.js';
import { loadConfig } from '../src/server/config.js';
import { accountSetupTasks, provisionAccount } from '../src/server/provision-account.js';
import { createRuntime } from '../src/server/runtime.js';
import { dropKeys } from './bench-support.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WINDOWS_MS = (process.env.BENCH_WINDOWS_MS ?? '3000,500').split(',').map(Number);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 1000);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 800);
const DOMAINS = 200;
const RATE_PER_10S = 110;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'web.de', 'libero.it', 'hotmail.es'];
const PORTAL = 4242;
const JOURNAL = process.env.BENCH_EVENTS === 'journal';
const CLIENT_ID = 'cid-bench';

function senderFor(i: number): { email: string; name: string } {
  const d = i % DOMAINS;
  // Every 10th sender writes from free mail, every 7th from a subdomain of its company's domain.
  const domain = i % 10 === 0 ? FREE_MAIL[i % FREE_MAIL.length]! : i % 7 === 0 ? `mail.company${d}.example` : `company${d}.example`;
  return { email: `person${i}@${domain}`, name: `Person${i} Example` };
}

/** The inbound flow's endpoints; every other call is the onboarding's (access list, the credentials email's reads and timeline copy). */
const INBOUND_ROUTES = /conversations|contacts\/batch\/(upsert|update)|GET \/crm\/v3\/objects\/companies$|associations\/:from\/:to\/batch\/create/;

const percentile = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!; };

async function run(n: number, windowMs: number) {
  const secret = randomBytes(16).toString('hex');
  // A key prefix of this run's own: the Redis may serve other runs and tools; only it is removed.
  const prefix = `bench-inbound-${process.pid}-${n}-${windowMs}:`;
  const sandbox = new HubSpotSandbox({ rateLimitPer10s: RATE_PER_10S, specDir: '/nonexistent', ...(JOURNAL ? { oauth: { clientId: CLIENT_ID, clientSecret: secret } } : {}) });
  const account = sandbox.addAccount(PORTAL);
  await sandbox.start();
  for (let d = 0; d < DOMAINS; d++) sandbox.seed(PORTAL, 'companies', { name: `Company ${d}`, domain: `company${d}.example` });
  const config = loadConfig({
    REDIS_URL, REDIS_KEY_PREFIX: prefix, HUBSPOT_BATCH_WINDOW_MS: String(windowMs), HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: account.token, HUBSPOT_CLIENT_SECRET: secret,
    HUBSPOT_RATE_LIMIT_PER_10S: String(RATE_PER_10S), PUBLIC_BASE_URL: 'https://autopilot.bench', LOG_LEVEL: 'silent',
    ...(JOURNAL ? { WEBHOOKS_JOURNAL: 'on', HUBSPOT_CLIENT_ID: CLIENT_ID } : {}),
  });
  const journalLags: number[] = [];
  const threadsQueued = new Set<number>();
  const app = createRuntime(config, {
    log: pino({ level: 'silent' }), queuePrefix: `${prefix}bull`,
    onJournalQueued: (e, ms) => { journalLags.push(ms / 1000); if (e.subscriptionType === 'conversation.newMessage') threadsQueued.add(e.objectId!); },
  });
  await app.start(0);
  // The portal as the setup checklist leaves it: access list made, address set, new contacts onboarded.
  await provisionAccount(PORTAL, app.hubspot, app.store, accountSetupTasks(app.settings, app.store));
  const current = await app.settings.read(PORTAL);
  await app.settings.save(PORTAL, { ...current.settings, portal: { ...current.settings.portal, onboardNewContacts: true, portalUrl: 'https://support.bench.example' } }, current.version, 'bench');
  const setupCalls = sandbox.calls.length;
  if (!JOURNAL) sandbox.connectWebhooks({ targetUrl: `${app.url}/webhooks/hubspot`, clientSecret: secret, signAs: 'https://autopilot.bench/webhooks/hubspot' });

  const started = Date.now();
  const firstEmailAt = new Map<string, number>();
  for (let c = 0; c < CONVERSATIONS; c++) {
    const s = senderFor(c % SENDERS);
    if (!firstEmailAt.has(s.email)) firstEmailAt.set(s.email, Date.now());
    sandbox.inboundEmail(PORTAL, { from: s.email, name: s.name, subject: `Question ${c}`, text: 'Hello' });
  }
  if (JOURNAL) {
    // Every conversation's event queued by the journal reader (one thread each), then the work done.
    while (threadsQueued.size < CONVERSATIONS) await new Promise((r) => setTimeout(r, 100));
  } else await sandbox.webhooks!.drain();
  await app.queue.idle(30 * 60_000);
  const seconds = (Date.now() - started) / 1000;

  // The journal's own calls use the app's client-credentials token, not the account's budget: counted apart.
  const isJournalApi = (c: { path: string; route: string }) => c.path.startsWith('/webhooks-journal/') || c.route === 'POST /oauth/v3/token';
  const journalApiCalls = sandbox.calls.slice(setupCalls).filter(isJournalApi).length;
  const burst = sandbox.calls.slice(setupCalls).filter((c) => !isJournalApi(c));
  const calls = burst.length;
  const rateLimited = burst.filter((c) => c.status === 429).length;
  const inboundCalls = burst.filter((c) => INBOUND_ROUTES.test(c.route)).length;
  // From the sender's first email reaching HubSpot (its webhook follows) to its credentials email in the outbox.
  const credentials = (await app.email.outbox.list(PORTAL)).filter((m) => m.template === 'portal-credentials');
  const delays = credentials.map((m) => (Date.parse(m.at) - firstEmailAt.get(m.to)!) / 1000).filter((d) => Number.isFinite(d));
  const callsByRoute: Record<string, number> = {};
  for (const c of burst) callsByRoute[c.route] = (callsByRoute[c.route] ?? 0) + 1;
  const contacts = account.objects.contacts!.all().length;
  const associated = account.objects.contacts!.all().filter((c) => account.associationsOf('contacts', c.id, 'companies').length).length;
  const minimumSeconds = calls / (RATE_PER_10S / 10);
  const result = {
    batchWindowMs: windowMs, conversations: CONVERSATIONS, senders: SENDERS, contacts, associatedToCompany: associated, credentialsEmails: credentials.length,
    hubspotCalls: calls, callsPerConversation: Number((calls / CONVERSATIONS).toFixed(3)),
    inboundCallsPerConversation: Number((inboundCalls / CONVERSATIONS).toFixed(3)), onboardingCallsPerNewContact: Number(((calls - inboundCalls) / Math.max(1, contacts)).toFixed(3)),
    rateLimited429: rateLimited,
    drainSeconds: Number(seconds.toFixed(1)), theoreticalMinimumSeconds: Number(minimumSeconds.toFixed(1)),
    drainOverMinimum: Number((seconds / minimumSeconds).toFixed(3)),
    secondsToCredentials: { p50: Number(percentile(delays, 50).toFixed(1)), p95: Number(percentile(delays, 95).toFixed(1)) },
    ...(JOURNAL ? { journalApiCalls, journalEventsQueued: journalLags.length, journalLagSeconds: { p50: Number(percentile(journalLags, 50).toFixed(2)), p95: Number(percentile(journalLags, 95).toFixed(2)) } } : {}),
    callsByRoute,
  };
  console.log(`run ${n + 1} (window ${windowMs} ms): ${JSON.stringify({ ...result, callsByRoute: undefined })}`);
  await app.stop();
  await sandbox.stop();
  await dropKeys(REDIS_URL, prefix);
  return result;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const byWindow = [];
for (const windowMs of WINDOWS_MS) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await run(i, windowMs));
  byWindow.push({
    batchWindowMs: windowMs,
    median: {
      callsPerConversation: median(runs.map((r) => r.callsPerConversation)),
      inboundCallsPerConversation: median(runs.map((r) => r.inboundCallsPerConversation)),
      onboardingCallsPerNewContact: median(runs.map((r) => r.onboardingCallsPerNewContact)),
      rateLimited429: median(runs.map((r) => r.rateLimited429)),
      drainSeconds: median(runs.map((r) => r.drainSeconds)),
      drainOverMinimum: median(runs.map((r) => r.drainOverMinimum)),
      secondsToCredentialsP50: median(runs.map((r) => r.secondsToCredentials.p50)),
      secondsToCredentialsP95: median(runs.map((r) => r.secondsToCredentials.p95)),
      ...(JOURNAL ? { journalLagP50: median(runs.map((r) => r.journalLagSeconds!.p50)), journalLagP95: median(runs.map((r) => r.journalLagSeconds!.p95)) } : {}),
    },
    runs,
  });
}
const summary = {
  date: new Date().toISOString(), command: `${JOURNAL ? 'BENCH_EVENTS=journal ' : ''}npm run bench:inbound`, events: JOURNAL ? 'journal (no webhook)' : 'webhooks',
  setup: { conversations: CONVERSATIONS, senders: SENDERS, domains: DOMAINS, freeMailEvery: 10, subdomainEvery: 7, sandboxRatePer10s: RATE_PER_10S, runs: RUNS, onboarding: 'on (access list, credentials email through the outbox, timeline copy)' },
  byWindow,
};
writeFileSync(new URL(`./results/inbound${JOURNAL ? '-journal' : ''}.json`, import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
console.log(JSON.stringify(byWindow.map((w) => ({ batchWindowMs: w.batchWindowMs, ...w.median })), null, 2));
process.exit(0);
