/**
 * npm run bench:inbound — a burst of 1,000 conversations from 800 distinct new senders over 200
 * domains (some free-mail, some on subdomains of a company's domain) through the sandbox at its
 * default 110 requests / 10 s. Reports HubSpot calls per conversation, 429 answers, and the drain
 * time against the theoretical minimum (calls ÷ rate). BENCH_RUNS runs (default 3), medians.
 */
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { HubSpotSandbox } from '../src/sandbox/hubspot-sandbox.js';
import { loadConfig } from '../src/server/config.js';
import { createRuntime } from '../src/server/runtime.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 1000);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 800);
const DOMAINS = 200;
const RATE_PER_10S = 110;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'web.de', 'libero.it', 'hotmail.es'];
const PORTAL = 4242;

function senderFor(i: number): { email: string; name: string } {
  const d = i % DOMAINS;
  // Every 10th sender writes from free mail, every 7th from a subdomain of its company's domain.
  const domain = i % 10 === 0 ? FREE_MAIL[i % FREE_MAIL.length]! : i % 7 === 0 ? `mail.company${d}.example` : `company${d}.example`;
  return { email: `person${i}@${domain}`, name: `Person${i} Example` };
}

async function run(n: number) {
  const secret = randomBytes(16).toString('hex');
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  const sandbox = new HubSpotSandbox({ rateLimitPer10s: RATE_PER_10S, specDir: '/nonexistent' });
  const account = sandbox.addAccount(PORTAL);
  await sandbox.start();
  for (let d = 0; d < DOMAINS; d++) sandbox.seed(PORTAL, 'companies', { name: `Company ${d}`, domain: `company${d}.example` });
  const config = loadConfig({
    REDIS_URL, HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: account.token, HUBSPOT_CLIENT_SECRET: secret,
    HUBSPOT_RATE_LIMIT_PER_10S: String(RATE_PER_10S), PUBLIC_BASE_URL: 'https://autopilot.bench', LOG_LEVEL: 'silent',
  });
  const app = createRuntime(config, { log: pino({ level: 'silent' }), queuePrefix: `bench${n}` });
  await app.start(0);
  sandbox.connectWebhooks({ targetUrl: `${app.url}/webhooks/hubspot`, clientSecret: secret, signAs: 'https://autopilot.bench/webhooks/hubspot' });

  const started = Date.now();
  for (let c = 0; c < CONVERSATIONS; c++) {
    const s = senderFor(c % SENDERS);
    sandbox.inboundEmail(PORTAL, { from: s.email, name: s.name, subject: `Question ${c}`, text: 'Hello' });
  }
  await sandbox.webhooks!.drain();
  await app.queue.idle(30 * 60_000);
  const seconds = (Date.now() - started) / 1000;

  const calls = sandbox.calls.length;
  const rateLimited = sandbox.calls.filter((c) => c.status === 429).length;
  const contacts = account.objects.contacts!.all().length;
  const associated = account.objects.contacts!.all().filter((c) => account.associationsOf('contacts', c.id, 'companies').length).length;
  const minimumSeconds = calls / (RATE_PER_10S / 10);
  const result = {
    conversations: CONVERSATIONS, senders: SENDERS, contacts, associatedToCompany: associated,
    hubspotCalls: calls, callsPerConversation: Number((calls / CONVERSATIONS).toFixed(3)), rateLimited429: rateLimited,
    drainSeconds: Number(seconds.toFixed(1)), theoreticalMinimumSeconds: Number(minimumSeconds.toFixed(1)),
    drainOverMinimum: Number((seconds / minimumSeconds).toFixed(3)), callsByRoute: sandbox.callsByRoute(),
  };
  console.log(`run ${n + 1}: ${JSON.stringify({ ...result, callsByRoute: undefined })}`);
  await app.stop();
  await sandbox.stop();
  await redis.flushdb();
  await redis.quit();
  return result;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(await run(i));
const summary = {
  date: new Date().toISOString(), command: 'npm run bench:inbound',
  setup: { conversations: CONVERSATIONS, senders: SENDERS, domains: DOMAINS, freeMailEvery: 10, subdomainEvery: 7, sandboxRatePer10s: RATE_PER_10S, runs: RUNS },
  median: {
    callsPerConversation: median(runs.map((r) => r.callsPerConversation)),
    rateLimited429: median(runs.map((r) => r.rateLimited429)),
    drainSeconds: median(runs.map((r) => r.drainSeconds)),
    drainOverMinimum: median(runs.map((r) => r.drainOverMinimum)),
  },
  runs,
};
writeFileSync(new URL('./results/inbound.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
console.log(JSON.stringify(summary.median, null, 2));
process.exit(0);
