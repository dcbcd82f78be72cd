import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer, until, type TestRedisServer } from './redis-server.js';

const run = promisify(execFile);

export interface TestCluster {
  ports: number[];
  /** The address the app is given (REDIS_URL with REDIS_CLUSTER=true): one node, the others found from it. */
  url: string;
  /** SIGKILL one node (the cluster stops serving its slots, then marks itself failed). */
  killNode(i: number): Promise<void>;
  /** SIGSTOP / SIGCONT one node: it keeps its connections and answers nothing meanwhile. */
  pauseNode(i: number): void;
  resumeNode(i: number): void;
  /** Start killed nodes again: they rejoin from their nodes.conf (and append-only files, when kept); resolves once every slot is served. */
  startNodes(is: number[]): Promise<void>;
  /** Which node (index into ports) serves the slot of `key` now (after a failover: the promoted replica). */
  nodeOf(key: string): Promise<number>;
  /** Resolves once every running node says every slot is served (after a failover, say). */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

const ask = async <T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> => {
  const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try { await r.connect(); return await fn(r); } finally { r.disconnect(); }
};

/** Every node answers and agrees that every slot is served. */
const clusterOk = (ports: number[]) => until(async () => {
  for (const port of ports) {
    const info = String(await ask(port, (r) => r.cluster('INFO')));
    if (!info.includes('cluster_state:ok')) throw new Error(`node ${port}: ${/cluster_state:\w+/.exec(info)?.[0]}`);
  }
}, 30_000, 100);

const isFree = (port: number) => new Promise<boolean>((resolve) => {
  const s = createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
});

/** Where the kernel picks the local ports of outgoing connections (which could take a port between its check and a node's bind). */
const ephemeralStart = () => {
  try { return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768; } catch { return 32_768; }
};

/**
 * Ports for cluster nodes: each node also listens on its port + 10000 (the cluster bus), so both
 * must be free, and both below the ephemeral range, so no outgoing connection takes one meanwhile.
 */
export async function clusterPorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  const span = Math.max(1000, ephemeralStart() - 10_000 - 10_000);
  while (ports.length < n) {
    const p = 10_000 + Math.floor(Math.random() * span);
    if (!ports.includes(p) && await isFree(p) && await isFree(p + 10_000)) ports.push(p);
  }
  return ports;
}

/** Every key on every node that matches `pattern` (SCAN sees one node at a time). */
export async function keysOnNodes(ports: number[], pattern: string): Promise<string[]> {
  return (await Promise.all(ports.map((port) => ask(port, (r) => r.keys(pattern))))).flat();
}

/**
 * A Redis Cluster of a test's own on loopback (three masters; with `replicas`, that many replicas
 * each), made with redis-cli --cluster create. `args` go to every node (persistence; nothing kept
 * by default).
 */
export async function startRedisCluster(ports: number[], dir: string, args: string[] = ['--save', '', '--appendonly', 'no'], replicas = 0): Promise<TestCluster> {
  const nodes: (TestRedisServer | undefined)[] = [];
  const start = async (i: number) => {
    const nodeDir = join(dir, String(ports[i]));
    mkdirSync(nodeDir, { recursive: true });
    nodes[i] = await startRedisServer(ports[i]!, ['--cluster-enabled', 'yes', '--cluster-config-file', join(nodeDir, 'nodes.conf'), '--cluster-node-timeout', '2000', '--dir', nodeDir, ...args]);
  };
  for (let i = 0; i < ports.length; i++) await start(i);
  await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicas), '--cluster-yes']);
  const live = () => ports.filter((_, i) => nodes[i]);
  await clusterOk(live());
  return {
    ports,
    url: `redis://127.0.0.1:${ports[0]}`,
    async killNode(i) { await nodes[i]?.stop(); nodes[i] = undefined; },
    pauseNode(i) { nodes[i]?.pause(); },
    resumeNode(i) { nodes[i]?.resume(); },
    async startNodes(is) { for (const i of is) await start(i); await clusterOk(live()); },
    ready: () => clusterOk(live()),
    async nodeOf(key) {
      const slot = Number(await ask(live()[0]!, (r) => r.cluster('KEYSLOT', key)));
      const ranges = await ask(live()[0]!, (r) => r.cluster('SLOTS'));
      const owner = ranges.find(([from, to]) => slot >= from && slot <= to)![2]![1];
      return ports.indexOf(owner);
    },
    async stop() { await Promise.all(nodes.map((n) => n?.stop())); },
  };
}
