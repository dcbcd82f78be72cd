import { connectRedis, type RedisClient } from '../../store/redis-client.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { createRuntime, type Runtime } from '../runtime.js';

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

/**
 * What an operator's command that works through the app starts with: the app's configuration (its
 * problems said, exit 2), the app's runtime once Redis answers, and its connections closed after `run`.
 */
export async function withCliRuntime(env: NodeJS.ProcessEnv, out: (line: string) => void, run: (runtime: Runtime) => Promise<number>): Promise<number> {
  let config;
  try {
    config = loadConfig({ LOG_LEVEL: 'warn', ...env });
  } catch (err) {
    out((err as Error).message);
    return 2;
  }
  const runtime = createRuntime(config);
  try {
    await runtime.waitUntilReady();
    return await run(runtime);
  } finally {
    await runtime.store.close();
    await runtime.queue.close();
  }
}
