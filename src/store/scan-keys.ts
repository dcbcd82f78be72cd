import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-client.js';

/**
 * Every key matching `match` (a SCAN pattern in the app's names), in batches, by their app names:
 * on a cluster each master's keys (SCAN sees one node's, and ignores keyPrefix, so it is added and
 * taken off here).
 */
export async function* scanKeys(redis: RedisClient, match: string): AsyncGenerator<string[]> {
  const prefix = redis.options.keyPrefix ?? '';
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}${match}`, 'COUNT', 1000);
      cursor = next;
      if (found.length) yield found.map((k) => k.slice(prefix.length));
    } while (cursor !== '0');
  }
}
