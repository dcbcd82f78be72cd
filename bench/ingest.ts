/**
 * npm run bench:ingest — signed batches of 100 events against the webhook edge with Redis on
 * loopback, beside a bare Express handler answering 200, measured in the same run, alternating,
 * several rounds; medians reported. Every accepted event must be found in the queue.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dropKeys } from './bench-support.js';
import { batches, CONNECTIONS, load, median, startTarget, summarise, type Run } from './ingest-load.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 1500);
const TARGET_EVENTS_PER_SECOND = 5000;

async function main() {
  // A key prefix of this run's own: the Redis may serve other runs and tools; only it is removed.
  const prefix = `bench-ingest-${process.pid}:`;
  const app = await startTarget('app', { BENCH_REDIS_URL: REDIS_URL, BENCH_PREFIX: prefix });
  const waiting = app.pending;
  const bare = await startTarget('bare', { BENCH_REDIS_URL: REDIS_URL });

  await load(app.url, batches(50, 1)); // warm-up, not counted
  await load(bare.url, batches(50, 1));
  const rounds: { saturated: { app: Run; bare: Run }; atTarget: { app: Run; bare: Run }; accepted: number; queued: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const before = await waiting(); // 0 once the round's keys are dropped, except in the first round (the warm-up's events)
    const appMax = await load(app.url, batches(BATCHES, 100 + i));
    const appTarget = await load(app.url, batches(TARGET_EVENTS_PER_SECOND / 100 * 4, 200 + i), TARGET_EVENTS_PER_SECOND / 100);
    const queued = (await waiting()) - before;
    const bareMax = await load(bare.url, batches(BATCHES, 100 + i));
    const bareTarget = await load(bare.url, batches(TARGET_EVENTS_PER_SECOND / 100 * 4, 200 + i), TARGET_EVENTS_PER_SECOND / 100);
    const accepted = (appMax.ok + appTarget.ok) * 100;
    await dropKeys(REDIS_URL, prefix); // keeps Redis small between rounds; the count above is what was checked
    rounds.push({ saturated: { app: appMax, bare: bareMax }, atTarget: { app: appTarget, bare: bareTarget }, accepted, queued });
    console.log(`round ${i + 1}: saturated edge ${Math.round(appMax.eventsPerSecond)} ev/s (p99 ${appMax.p99} ms) vs bare ${Math.round(bareMax.eventsPerSecond)} ev/s; at ${TARGET_EVENTS_PER_SECOND} ev/s edge p50 ${appTarget.p50} ms p99 ${appTarget.p99} ms vs bare p99 ${bareTarget.p99} ms; accepted ${accepted}, in queue ${queued}`);
  }

  const summary = {
    date: new Date().toISOString(),
    command: 'npm run bench:ingest',
    machine: `${process.platform} ${process.arch}, node ${process.version}, ${cpus().length} cores; load generator and target in separate processes, Redis on loopback`,
    setup: { rounds: ROUNDS, batchesPerSaturatedRun: BATCHES, eventsPerBatch: 100, connections: CONNECTIONS, targetEventsPerSecond: TARGET_EVENTS_PER_SECOND },
    saturated: { edge: summarise(rounds.map((r) => r.saturated.app)), bareExpress: summarise(rounds.map((r) => r.saturated.bare)) },
    atTargetRate: { edge: summarise(rounds.map((r) => r.atTarget.app)), bareExpress: summarise(rounds.map((r) => r.atTarget.bare)) },
    throughputRatioEdgeToBare: Number(median(rounds.map((r) => r.saturated.app.eventsPerSecond / r.saturated.bare.eventsPerSecond)).toFixed(2)),
    everyAcceptedEventQueued: rounds.every((r) => r.queued === r.accepted && r.saturated.app.non2xx === 0 && r.saturated.app.errors === 0 && r.atTarget.app.non2xx === 0),
    rounds,
  };
  writeFileSync(new URL('./results/ingest.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify({ saturated: summary.saturated, atTargetRate: summary.atTargetRate, ratio: summary.throughputRatioEdgeToBare, everyAcceptedEventQueued: summary.everyAcceptedEventQueued }, null, 2));

  app.child.disconnect();
  bare.child.disconnect();
  await dropKeys(REDIS_URL, prefix);
  if (!summary.everyAcceptedEventQueued) process.exitCode = 1;
}

await main();
