/** A process of its own for the benchmark target, so the load generator does not share its event loop. */
import express from 'express';
import { pino } from 'pino';
import { loadConfig } from '../src/server/config.js';
import { createRuntime } from '../src/server/runtime.js';

const mode = process.argv[2];
if (mode === 'bare') {
  const bare = express();
  bare.post('/webhooks/hubspot', express.raw({ type: () => true, limit: '1mb' }), (_req, res) => { res.sendStatus(200); });
  const s = bare.listen(0, '127.0.0.1', () => process.send!({ port: (s.address() as { port: number }).port }));
} else {
  const config = loadConfig({
    REDIS_URL: process.env.BENCH_REDIS_URL, REDIS_CLUSTER: process.env.BENCH_REDIS_CLUSTER ?? 'false', HUBSPOT_CLIENT_SECRET: process.env.BENCH_SECRET, HUBSPOT_ACCESS_TOKEN: 'unused',
    PUBLIC_BASE_URL: process.env.BENCH_PUBLIC_URL, APP_ROLE: 'web', LOG_LEVEL: 'silent', REDIS_KEY_PREFIX: process.env.BENCH_PREFIX ?? '',
  });
  const app = createRuntime(config, { log: pino({ level: 'silent' }), queuePrefix: `${process.env.BENCH_PREFIX ?? ''}bench` });
  await app.start(0);
  process.send!({ port: Number(new URL(app.url!).port) });
  process.on('message', async (m) => {
    if ((m as { ask?: string }).ask === 'pending') process.send!({ pending: await (app.queue as unknown as { pendingEvents(): Promise<number> }).pendingEvents() });
  });
}
process.on('disconnect', () => process.exit(0));
