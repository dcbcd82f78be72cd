import { connectRedis, type RedisClient } from '../../store/redis-client.js';
import { ConfigError, loadConfig, type Config } from '../config.js';

/**
 * What an operator's command on the app's Redis starts with: the app's configuration (its problems
 * said, exit 78) and a connection to its Redis (none in embedded mode: `withoutRedis` said, exit 2).
 */
export function cliRedis(env: NodeJS.ProcessEnv, out: (line: string) => void, withoutRedis: string): { config: Config; redis: RedisClient } | number {
  let config;
  try { config = loadConfig(env); } catch (err) {
    if (err instanceof ConfigError) { out(err.message); return 78; }
    throw err;
  }
  if (!config.redisUrl) { out(`REDIS_URL is not set: ${withoutRedis}`); return 2; }
  return { config, redis: connectRedis({ url: config.redisUrl, cluster: config.redisCluster }, 'cli', config.redisKeyPrefix) };
}
