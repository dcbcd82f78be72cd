/**
 * npm run bench:memory — a worker's memory after 100,000 events, as production runs it (the
 * compiled build, `node dist/server/main.js`). This process is the web (edge) and the sandbox as
 * HubSpot; one worker process of its own handles every event. The events: BENCH_EVENTS (default
 * 100,000) from inbound conversations (a creation and a message event each, so half as many
 * threads) by 5,000 senders over 100 company domains, each webhook delivered once.
 * Two runs side by side: Node's default heap, then the worker with --max-old-space-size=96, which
 * tells a leak (it would run out of heap) from a collector that is merely lazy. The worker's resident memory (VmRSS from /proc) is sampled every second; reported: idle,
 * after the first tenth of the events, the peak and after the drain, against the target of 250 MB.
 * BENCH_REDIS_URL (default db 14).
 */
import { execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { dropKeys } from './bench-support.js';
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

// As production runs it: the compiled build, not through tsx.
execSync('npm run build', { cwd: root, stdio: 'ignore' });

async function run(workerNodeOptions: string) {
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
  const web = createRuntime(loadConfig({ ...env, APP_ROLE: 'web', LOG_LEVEL: 'silent' }), { log: pino({ level: 'silent' }) });
  await web.start(0);
  await provisionAccount(PORTAL, web.hubspot, web.store, accountSetupTasks(web.settings, web.store));
  const worker = spawn(process.execPath, ['dist/server/main.js'], {
    cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env, APP_ROLE: 'worker', NODE_ENV: 'production', NODE_OPTIONS: workerNodeOptions },
  });
  let finished = false;
  worker.once('exit', (code) => { if (!finished) { console.error(`the worker exited (${code}) before the drain`); process.exit(1); } });
  const rssMb = () => { try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))?.[1]) / 1024; } catch { return NaN; } };
  await new Promise((r) => setTimeout(r, 3000));
  const idle = rssMb();

  sandbox.connectWebhooks({ targetUrl: `${web.url}/webhooks/hubspot`, clientSecret: secret, signAs: 'https://autopilot.bench/webhooks/hubspot', maxConcurrentRequests: 10 });
  const samples: { s: number; rssMb: number; processed: number }[] = [];
  const started = Date.now();
  /** Events the edge accepted so far, less those still queued. */
  const processed = async () => {
    const accepted = sandbox.webhooks!.deliveries.filter((d) => d.status === 200).reduce((n, d) => n + d.events, 0);
    const c = await web.queue.counts();
    return accepted - c.waiting - c.active - c.delayed;
  };
  const sampler = setInterval(() => { void processed().then((p) => samples.push({ s: Math.round((Date.now() - started) / 1000), rssMb: Math.round(rssMb()), processed: p })); }, 1000);
  for (let t = 0; t < THREADS; t++) {
    const s = t % SENDERS;
    sandbox.inboundEmail(PORTAL, { from: `person${s}@company${s % DOMAINS}.example`, name: `Person${s} Example`, subject: `Question ${t}`, text: 'Hello' });
    // HubSpot delivers as things happen; the sandbox keeps no more than 500 threads' webhooks waiting.
    if (t % 500 === 499) await sandbox.webhooks!.drain();
  }
  await sandbox.webhooks!.drain();
  await web.queue.idle(60 * 60_000);
  clearInterval(sampler);
  const drainSeconds = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 2000));
  const result = {
    workerNodeOptions: workerNodeOptions || '(none: Node\'s default heap)',
    drainSeconds: Number(drainSeconds.toFixed(1)), eventsPerSecond: Math.round(EVENTS / drainSeconds), hubspotCalls: sandbox.calls.length,
    workerRssMb: { idle: Math.round(idle), afterFirstTenth: samples.find((x) => x.processed >= EVENTS / 10)?.rssMb ?? null, peak: Math.max(...samples.map((x) => x.rssMb).filter(Number.isFinite)), afterDrain: Math.round(rssMb()) },
    contacts: account.objects.contacts!.all().length, deadLetters: (await web.deadLetters.list(10_000)).length,
    samplesEvery30s: samples.filter((x) => x.s % 30 === 0),
  };
  finished = true;
  worker.kill('SIGTERM');
  await web.stop();
  await sandbox.stop();
  await dropKeys(REDIS_URL, prefix);
  console.log(JSON.stringify({ ...result, samplesEvery30s: undefined }));
  return result;
}

const runs = [await run(''), await run('--max-old-space-size=96')];
const summary = {
  date: new Date().toISOString(), command: 'npm run bench:memory', node: process.version,
  setup: { events: EVENTS, threads: THREADS, senders: SENDERS, domains: DOMAINS, worker: 'node dist/server/main.js, APP_ROLE=worker, one process' },
  targetMb: 250,
  peakRatioCappedToDefault: Number((runs[1]!.workerRssMb.peak / runs[0]!.workerRssMb.peak).toFixed(2)),
  throughputRatioCappedToDefault: Number((runs[1]!.eventsPerSecond / runs[0]!.eventsPerSecond).toFixed(2)),
  runs,
};
writeFileSync(new URL('./results/memory.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`worker peak RSS: ${runs[0]!.workerRssMb.peak} MB with Node's default heap, ${runs[1]!.workerRssMb.peak} MB with --max-old-space-size=96 (target 250 MB)`);
process.exit(0);
