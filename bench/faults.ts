/**
 * npm run bench:faults — the quarter load on the production topology: this process is the web
 * (edge) and the sandbox as HubSpot; two worker processes of their own share Redis. 1,500 inbound
 * threads from 1,200 new senders over 200 company domains (every 10th on free mail) and 250
 * "[Portal Credentials]" tickets of existing contacts; every webhook is delivered, then all of them
 * again in shuffled order. Run once without faults and once with 10 % 5xx, 5 % 429, 2 % dropped
 * connections and a worker killed (SIGKILL) mid-burst and started again 5 s later. Reports the
 * drain time of each and what a user would notice: contacts lost, duplicated, unnamed or filed
 * wrong, credentials emails per person, access grants per person, dead letters.
 * BENCH_RUNS pairs (default 3), medians; BENCH_THREADS / BENCH_SENDERS / BENCH_TICKETS scale it;
 * BENCH_REDIS_URL (default db 14).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { dropKeys } from './bench-support.js';
import { defaultRuleSet } from '../src/rules/default-rules.js';
import { HubSpotSandbox } from '../src/sandbox/hubspot-sandbox.js';
import { loadConfig } from '../src/server/config.js';
import { accountSetupTasks, provisionAccount } from '../src/server/provision-account.js';
import { createRuntime } from '../src/server/runtime.js';

const THREADS = Number(process.env.BENCH_THREADS ?? 1500);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 1200);
const TICKETS = Number(process.env.BENCH_TICKETS ?? 250);
const DOMAINS = 200;
const RATE_PER_10S = 5000;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const PORTAL = 4242;
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'web.de', 'libero.it'];
const root = new URL('..', import.meta.url).pathname;

const senderFor = (i: number) => {
  const d = i % DOMAINS;
  return { email: `person${i}@${i % 10 === 0 ? FREE_MAIL[i % FREE_MAIL.length]! : `company${d}.example`}`, first: `Person${i}`, last: 'Example', company: i % 10 === 0 ? null : `Company ${d}` };
};

async function run(faulty: boolean) {
  const secret = randomBytes(16).toString('hex');
  const prefix = `bench-faults-${randomBytes(4).toString('hex')}:`;
  const faults = faulty ? { seed: 7, rules: [{ pathPrefix: '/', error5xxRate: 0.1, error429Rate: 0.05, dropRate: 0.02 }] } : undefined;
  const sandbox = new HubSpotSandbox({ rateLimitPer10s: RATE_PER_10S, specDir: '/nonexistent', faults, searchDelayMs: 0 });
  const account = sandbox.addAccount(PORTAL);
  await sandbox.start();
  for (let d = 0; d < DOMAINS; d++) sandbox.seed(PORTAL, 'companies', { name: `Company ${d}`, domain: `company${d}.example` });
  const requesters = Array.from({ length: TICKETS }, (_, i) => sandbox.seed(PORTAL, 'contacts', { email: `customer${i}@customers.example`, firstname: `Customer${i}` }));
  const env = {
    REDIS_URL, REDIS_KEY_PREFIX: prefix, HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: account.token, HUBSPOT_CLIENT_SECRET: secret,
    HUBSPOT_PORTAL_ID: String(PORTAL), HUBSPOT_RATE_LIMIT_PER_10S: String(RATE_PER_10S), PUBLIC_BASE_URL: 'https://autopilot.bench', LOG_LEVEL: 'silent',
    WORKER_LOCK_MS: '5000', HUBSPOT_BATCH_WINDOW_MS: '100',
  };
  const web = createRuntime(loadConfig({ ...env, APP_ROLE: 'web' }), { log: pino({ level: 'silent' }) });
  await web.start(0);
  await provisionAccount(PORTAL, web.hubspot, web.store, accountSetupTasks(web.settings, web.store));
  const current = await web.settings.read(PORTAL);
  await web.settings.save(PORTAL, { ...current.settings, portal: { ...current.settings.portal, onboardNewContacts: true, portalUrl: 'https://support.bench.example' } }, current.version, 'bench');
  await web.rules.save(PORTAL, { ...defaultRuleSet, rules: [{ ...defaultRuleSet.rules[0]!, active: true }] }, (await web.rules.read(PORTAL)).version, 'bench');
  const worker = (): ChildProcess => spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { cwd: root, stdio: 'ignore', env: { ...process.env, ...env, APP_ROLE: 'worker', NODE_ENV: 'production' } });
  const workers = [worker(), worker()];
  await new Promise((r) => setTimeout(r, 3000));

  sandbox.connectWebhooks({ targetUrl: `${web.url}/webhooks/hubspot`, clientSecret: secret, signAs: 'https://autopilot.bench/webhooks/hubspot' });

  const started = Date.now();
  let killedAt: number | null = null;
  for (let c = 0; c < THREADS; c++) {
    const s = senderFor(c % SENDERS);
    sandbox.inboundEmail(PORTAL, { from: s.email, name: `${s.first} ${s.last}`, subject: `Question ${c}`, text: 'Hello' });
    if (c < TICKETS) sandbox.createTicket(PORTAL, { subject: '[Portal Credentials]' }, requesters[c]!.id);
    if (faulty && c === Math.floor(THREADS / 2)) {
      await new Promise((r) => setTimeout(r, 500));
      workers[0]!.kill('SIGKILL');
      killedAt = Date.now() - started;
      setTimeout(() => { workers[0] = worker(); }, 5000);
    }
    if (c % 100 === 99) await new Promise((r) => setImmediate(r));
  }
  await sandbox.webhooks!.drain();
  sandbox.webhooks!.redeliverAll(11);
  await sandbox.webhooks!.drain();
  if (killedAt !== null) await new Promise((r) => setTimeout(r, Math.max(0, 5500 - (Date.now() - started - killedAt))));
  await web.queue.idle(30 * 60_000);
  const drainSeconds = (Date.now() - started) / 1000;

  // What a user would notice.
  const contacts = account.objects.contacts!.all();
  const companies = new Map(account.objects.companies!.all().map((c) => [c.id, String(c.properties.name)]));
  const distinct = Math.min(SENDERS, THREADS);
  let lost = 0; let duplicated = 0; let unnamed = 0; let filedWrong = 0; let emailsWrong = 0; let grantsWrong = 0;
  for (let i = 0; i < distinct; i++) {
    const s = senderFor(i);
    const mine = contacts.filter((c) => c.properties.email === s.email);
    if (!mine.length) { lost++; continue; }
    if (mine.length > 1) duplicated += mine.length - 1;
    const c = mine[0]!;
    if (c.properties.firstname !== s.first || c.properties.lastname !== s.last) unnamed++;
    const filed = account.associationsOf('contacts', c.id, 'companies').map((a) => companies.get(String(a.toObjectId)));
    if (s.company ? filed.length !== 1 || filed[0] !== s.company : filed.length !== 0) filedWrong++;
    const mails = (await web.email.service.log(web.store, PORTAL, c.id)).filter((m) => m.state === 'sent' && m.template === 'portal-credentials');
    if (mails.length !== 1) emailsWrong++;
    if ((await web.portal.accounts.history(PORTAL, c.id)).filter((h) => h.action === 'granted').length !== 1) grantsWrong++;
  }
  let ticketEmailsWrong = 0; let ticketGrantsWrong = 0;
  for (const r of requesters) {
    if ((await web.email.service.log(web.store, PORTAL, r.id)).filter((m) => m.state === 'sent' && m.template === 'portal-credentials').length !== 1) ticketEmailsWrong++;
    if ((await web.portal.accounts.history(PORTAL, r.id)).filter((h) => h.action === 'granted').length !== 1) ticketGrantsWrong++;
  }
  const calls = sandbox.calls.length;
  const result = {
    faults: faulty ? '10% 5xx, 5% 429, 2% drops, a worker killed mid-burst' : 'none',
    drainSeconds: Number(drainSeconds.toFixed(1)), hubspotCalls: calls, callsPerSecond: Math.round(calls / drainSeconds),
    answered429: sandbox.calls.filter((c) => c.status === 429).length, answered5xx: sandbox.calls.filter((c) => c.status >= 500).length,
    webhookDeliveries: sandbox.webhooks!.deliveries.length, killedWorkerAtSeconds: killedAt === null ? null : Number((killedAt / 1000).toFixed(1)),
    sendersExpected: distinct, contactsLost: lost, contactsDuplicated: duplicated, contactsWithoutName: unnamed, contactsFiledWrong: filedWrong,
    sendersWithoutExactlyOneCredentialsEmail: emailsWrong, sendersWithoutExactlyOneGrant: grantsWrong,
    ticketRequestersWithoutExactlyOneCredentialsEmail: ticketEmailsWrong, ticketRequestersWithoutExactlyOneGrant: ticketGrantsWrong,
    deadLetters: (await web.deadLetters.list(10_000)).length,
  };
  console.log(JSON.stringify(result));
  for (const w of workers) w.kill('SIGTERM');
  await web.stop();
  await sandbox.stop();
  await dropKeys(REDIS_URL, prefix);
  return result;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const pairs: { clean: Awaited<ReturnType<typeof run>>; faulted: Awaited<ReturnType<typeof run>>; ratio: number }[] = [];
for (let i = 0; i < RUNS; i++) {
  const clean = await run(false);
  const faulted = await run(true);
  pairs.push({ clean, faulted, ratio: Number((faulted.drainSeconds / clean.drainSeconds).toFixed(2)) });
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const summary = {
  date: new Date().toISOString(), command: 'npm run bench:faults',
  setup: { threads: THREADS, senders: SENDERS, tickets: TICKETS, domains: DOMAINS, everyWebhookTwice: true, workers: 2, sandboxRatePer10s: RATE_PER_10S, runs: RUNS },
  median: {
    cleanDrainSeconds: median(pairs.map((p) => p.clean.drainSeconds)),
    faultedDrainSeconds: median(pairs.map((p) => p.faulted.drainSeconds)),
    drainRatio: median(pairs.map((p) => p.ratio)),
  },
  pairs,
};
writeFileSync(new URL('./results/faults.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`median drain with faults / without: ${summary.median.drainRatio} (pairs: ${pairs.map((p) => p.ratio).join(', ')})`);
process.exit(0);
