import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** One Redis server, or a Redis Cluster reached through any of its nodes (ioredis finds the rest). */
export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  url: string;
  /** REDIS_CLUSTER=true: `url` is one node of a Redis Cluster. */
  cluster: boolean;
}

/**
 * How each use behaves while Redis is away: the store and the edge's producer fail fast (HubSpot
 * gets a 503 and retries), BullMQ's worker waits (BullMQ requires maxRetriesPerRequest null),
 * command-line tools retry once. Every use but the worker's gives each command a time limit: on a
 * Redis Cluster whose nodes die and come back, a command can be queued on a node connection that
 * never answers it (ioredis has no other bound), and a job or a sign-in waiting on it would wait
 * for good. (The worker's connection carries BullMQ's blocking reads, which a time limit would
 * break; its jobs have a deadline of their own, routeEvent.)
 */
const USES = {
  store: { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 5000 },
  producer: { maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: 5000 },
  worker: { maxRetriesPerRequest: null, enableOfflineQueue: true, commandTimeout: undefined },
  cli: { maxRetriesPerRequest: 1, enableOfflineQueue: true, commandTimeout: 30_000 },
} as const;

export function connectRedis(target: RedisTarget, use: keyof typeof USES, keyPrefix = ''): RedisClient {
  const { maxRetriesPerRequest, enableOfflineQueue, commandTimeout } = USES[use];
  if (!target.cluster) return new Redis(target.url, { maxRetriesPerRequest, enableOfflineQueue, keyPrefix, commandTimeout });
  const u = new URL(target.url);
  const node: RedisOptions = {
    maxRetriesPerRequest, commandTimeout,
    username: decodeURIComponent(u.username) || undefined,
    password: decodeURIComponent(u.password) || undefined,
    tls: u.protocol === 'rediss:' ? { servername: u.hostname } : undefined,
  };
  return new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], { keyPrefix, enableOfflineQueue, redisOptions: node });
}

/**
 * The part of a key Redis Cluster hashes (its spec: the text inside the first `{…}` when it is not
 * empty, else the whole key): keys with the same part share a slot.
 */
export function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/**
 * Splits positions of `keys` into groups whose keys share a slot (a cluster answers a multi-key
 * command or pipeline only within one slot); a single server takes them all at once.
 */
export function groupBySlot(client: RedisClient, keys: string[]): number[][] {
  if (!client.isCluster) return [keys.map((_, i) => i)];
  const groups = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const part = hashedPart(key);
    const group = groups.get(part);
    if (group) group.push(i); else groups.set(part, [i]);
  });
  return [...groups.values()];
}
