/**
 * npm run bench:memory — a worker's memory after 100,000 events. This process is the web (edge)
 * and the sandbox as HubSpot; one worker process of its own handles every event. The events:
 * BENCH_EVENTS (default 100,000) inbound conversations (a creation and a message event each, so
 * half as many threads) from 5,000 senders over 100 company domains, every webhook delivered once.
 * The worker's resident memory (VmRSS from /proc) is sampled every second; reported: after the first
 * tenth of the events (warm), the peak, and after the drain, beside the target of 250 MB.
 * BENCH_REDIS_URL (default db 14).
 */
import { execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { HubSpotSandbox } from '../src/sandbox/hubspot-sandbox.js';
import { loadConfig } from '../src/server/config.js';
import { accountSetupTasks, provisionAccount } from '../src/server/provision-account.js';
import { createRuntime } from '../src/server/runtime.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const THREADS = Math.ceil(EVENTS / 2);
const SENDERS = 5000;
const DOMAINS = 100;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const PORTAL = 4242;
const RATE_PER_10S = 200_000;
const root = new URL('..', import.meta.url).pathname;

const secret = randomBytes(16).toString('hex');
const prefix = `bench-memory-${randomBytes(4).toString('hex')}:`;
const sandbox = new HubSpotSandbox({ rateLimitPer10s: RATE_PER_10S, specDir: '/nonexistent', searchDelayMs: 0 });
const account = sandbox.addAccount(PORTAL);
await sandbox.start();
for (let d = 0; d < DOMAINS; d++) sandbox.seed(PORTAL, 'companies', { name: `Company ${d}`, domain: `company${d}.example` });
const env = {
  REDIS_URL, REDIS_KEY_PREFIX: prefix, HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: account.token, HUBSPOT_CLIENT_SECRET: secret,
  HUBSPOT_PORTAL_ID: String(PORTAL), HUBSPOT_RATE_LIMIT_PER_10S: String(RATE_PER_10S), PUBLIC_BASE_URL: 'https://autopilot.bench', LOG_LEVEL: 'warn',
  HUBSPOT_BATCH_WINDOW_MS: '100',
};
const web = createRuntime(loadConfig({ ...env, APP_ROLE: 'web', LOG_LEVEL: 'silent' }), { log: pino({ level: 'silent' }), queuePrefix: `${prefix}bull` });
await web.start(0);
await provisionAccount(PORTAL, web.hubspot, web.store, accountSetupTasks(web.settings, web.store));
// As production runs it: the compiled build (npm run build), not through tsx.
if (!existsSync(new URL('../dist/server/main.js', import.meta.url))) execSync('npm run build', { cwd: root, stdio: 'inherit' });
const worker = spawn(process.execPath, ['dist/server/main.js'], { cwd: root, stdio: 'ignore', env: { ...process.env, ...env, APP_ROLE: 'worker', NODE_ENV: 'production' } });
const rssMb = () => { try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))?.[1]) / 1024; } catch { return NaN; } };
await new Promise((r) => setTimeout(r, 3000));
const idleRss = rssMb();

sandbox.connectWebhooks({ targetUrl: `${web.url}/webhooks/hubspot`, clientSecret: secret, signAs: 'https://autopilot.bench/webhooks/hubspot', maxConcurrentRequests: 10 });
const samples: { s: number; rssMb: number; processed: number }[] = [];
const started = Date.now();
/** Events accepted by the edge so far, less those still queued. */
const processed = async () => {
  const accepted = sandbox.webhooks!.deliveries.filter((d) => d.status === 200).reduce((n, d) => n + d.events, 0);
  const c = await web.queue.counts();
  return accepted - c.waiting - c.active - c.delayed;
};
const sampler = setInterval(() => { void processed().then((p) => samples.push({ s: Math.round((Date.now() - started) / 1000), rssMb: Math.round(rssMb()), processed: p })); }, 1000);
for (let t = 0; t < THREADS; t++) {
  const s = t % SENDERS;
  sandbox.inboundEmail(PORTAL, { from: `person${s}@company${s % DOMAINS}.example`, name: `Person${s} Example`, subject: `Question ${t}`, text: 'Hello' });
  if (t % 500 === 499) { await sandbox.webhooks!.drain(); }
}
await sandbox.webhooks!.drain();
await web.queue.idle(60 * 60_000);
clearInterval(sampler);
const drainSeconds = (Date.now() - started) / 1000;
await new Promise((r) => setTimeout(r, 2000));
const after = rssMb();
const warm = samples.find((x) => x.processed >= EVENTS / 10)?.rssMb ?? NaN;
const peak = Math.max(...samples.map((x) => x.rssMb).filter(Number.isFinite));
const result = {
  date: new Date().toISOString(), command: 'npm run bench:memory', node: process.version,
  events: EVENTS, threads: THREADS, senders: SENDERS, webhookDeliveries: sandbox.webhooks!.deliveries.length, hubspotCalls: sandbox.calls.length,
  drainSeconds: Number(drainSeconds.toFixed(1)), eventsPerSecond: Math.round(EVENTS / drainSeconds),
  workerRssMb: { idle: Math.round(idleRss), afterFirstTenth: warm, peak, afterDrain: Math.round(after) }, targetMb: 250,
  contacts: account.objects.contacts!.all().length, deadLetters: (await web.deadLetters.list(10_000)).length,
  samplesEvery10s: samples.filter((x) => x.s % 10 === 0),
};
console.log(JSON.stringify({ ...result, samplesEvery10s: undefined }));
writeFileSync(new URL('./results/memory.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
worker.kill('SIGTERM');
await web.stop();
await sandbox.stop();
const redis = new Redis(REDIS_URL);
for (let cursor = '0'; ;) {
  const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
  if (found.length) await redis.unlink(...found);
  if ((cursor = next) === '0') break;
}
await redis.quit();
process.exit(0);
