import { KEY_FORMAT, revertKeyFormat } from '../../store/migrate-key-format.js';
import { keys } from '../../store/keys.js';
import { RedisStore } from '../../store/redis-store.js';
import { cliRedis } from './cli-redis.js';

/**
 * npm run key-format -- status   which key format the Redis holds (this version moves keys over at start)
 * npm run key-format -- down     give the keys the names older versions read, to roll back to one of them
 * Stop every process first: one still running would go on writing the names it knows.
 */
export async function runKeyFormatCli(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const command = argv[0] ?? 'status';
  if (command !== 'status' && command !== 'down') { out('usage: npm run key-format -- status | down'); return 2; }
  const opened = cliRedis(env, out, 'the key format is a matter of the Redis in production mode.');
  if (typeof opened === 'number') return opened;
  const { redis } = opened;
  try {
    const store = new RedisStore(redis);
    if (command === 'status') {
      const format = await store.get(keys.keyFormat());
      out(format === KEY_FORMAT ? `key format ${KEY_FORMAT}: account keys are hash-tagged (portal:{id}:…)` : 'key format 1: account keys are portal:id:… (this version moves them over at its next start)');
      return 0;
    }
    try {
      const moved = await revertKeyFormat(redis, store);
      out(`${moved} key(s) renamed to portal:id:…; start the older version now (this version would move them back at its start)`);
      return 0;
    } catch (err) { out((err as Error).message); return 2; }
  } finally {
    redis.disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(await runKeyFormatCli(process.argv.slice(2), process.env, (l) => process.stdout.write(`${l}\n`)));
}
