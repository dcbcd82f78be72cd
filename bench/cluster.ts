/**
 * npm run bench:cluster — the webhook edge on a three-node Redis Cluster beside the same edge on
 * one Redis server, in the same run, alternating, several rounds; medians reported. Both Redis are
 * this benchmark's own, on loopback, without persistence. Every batch mixes ten accounts, so a
 * request's dedupe claims go to several slots (on the cluster: to all three nodes). Every accepted
 * event must be found in the queue. What it shows: what one web process gives up for a cluster
 * (a cluster is for more memory and more accounts than one Redis holds, not for a faster edge).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { clusterPorts, startRedisCluster } from '../test/support/redis-cluster.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { batches, CONNECTIONS, load, median, startTarget, summarise, type Run, type Target } from './ingest-load.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 2000);
const ACCOUNTS = 10;
const noPersistence = ['--save', '', '--appendonly', 'no'];

async function flushAll(ports: number[]) {
  for (const port of ports) {
    const r = new Redis(port, '127.0.0.1');
    await r.flushall();
    await r.quit();
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'portal-autopilot-bench-cluster-'));
  const [serverPort] = await clusterPorts(1);
  const server = await startRedisServer(serverPort!, noPersistence);
  const cluster = await startRedisCluster(await clusterPorts(3), dir, noPersistence);
  const kinds: { name: 'server' | 'cluster'; ports: number[]; target: Target }[] = [
    { name: 'server', ports: [serverPort!], target: await startTarget('app', { BENCH_REDIS_URL: `redis://127.0.0.1:${serverPort}` }) },
    { name: 'cluster', ports: cluster.ports, target: await startTarget('app', { BENCH_REDIS_URL: cluster.url, BENCH_REDIS_CLUSTER: 'true' }) },
  ];
  const mixed = (i: number) => 1000 + (i % ACCOUNTS);
  for (const k of kinds) await load(k.target.url, batches(50, mixed)); // warm-up, not counted

  const rounds: { server: Run; cluster: Run; accepted: Record<string, number>; queued: Record<string, number> }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const round = { accepted: {}, queued: {} } as (typeof rounds)[number];
    // Alternate which goes first, so neither always meets a warmer machine.
    for (const k of i % 2 ? [...kinds].reverse() : kinds) {
      await flushAll(k.ports);
      const run = await load(k.target.url, batches(BATCHES, mixed));
      round[k.name] = run;
      round.accepted[k.name] = run.ok * 100;
      round.queued[k.name] = await k.target.pending();
    }
    rounds.push(round);
    console.log(`round ${i + 1}: one server ${Math.round(round.server.eventsPerSecond)} ev/s (p99 ${round.server.p99} ms); cluster ${Math.round(round.cluster.eventsPerSecond)} ev/s (p99 ${round.cluster.p99} ms); queued ${JSON.stringify(round.queued)} of ${JSON.stringify(round.accepted)}`);
  }

  const summary = {
    date: new Date().toISOString(),
    command: 'npm run bench:cluster',
    machine: `${process.platform} ${process.arch}, node ${process.version}, ${cpus().length} cores; load generator, edge and every Redis node on one machine, loopback`,
    setup: { rounds: ROUNDS, batchesPerRun: BATCHES, eventsPerBatch: 100, accountsPerBatch: ACCOUNTS, connections: CONNECTIONS, clusterNodes: 3 },
    oneServer: summarise(rounds.map((r) => r.server)),
    cluster: summarise(rounds.map((r) => r.cluster)),
    throughputRatioClusterToServer: Number(median(rounds.map((r) => r.cluster.eventsPerSecond / r.server.eventsPerSecond)).toFixed(2)),
    everyAcceptedEventQueued: rounds.every((r) => kinds.every((k) => r.queued[k.name] === r.accepted[k.name] && r[k.name].non2xx === 0 && r[k.name].errors === 0)),
    rounds,
  };
  writeFileSync(new URL('./results/cluster.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify({ oneServer: summary.oneServer, cluster: summary.cluster, ratio: summary.throughputRatioClusterToServer, everyAcceptedEventQueued: summary.everyAcceptedEventQueued }, null, 2));

  for (const k of kinds) k.target.child.disconnect();
  await cluster.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  if (!summary.everyAcceptedEventQueued) process.exitCode = 1;
}

await main();
