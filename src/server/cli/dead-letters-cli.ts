import { appQueuePrefix, BullmqQueue } from '../../queue/bullmq-queue.js';
import { DeadLetters } from '../../queue/dead-letters.js';
import { RedisStore } from '../../store/redis-store.js';
import { connectRedis } from '../../store/redis-client.js';

/**
 * npm run dead-letters -- list [N]        the newest N dead letters (default 20), with their reasons
 * npm run dead-letters -- replay [ID ...] puts all (or the given job ids) back on the queue
 * Needs REDIS_URL: in embedded mode dead letters live inside the running process.
 */
export async function runDeadLettersCli(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const [command = 'list', ...rest] = argv;
  if (!env.REDIS_URL) {
    out('REDIS_URL is not set: dead letters are kept in Redis in production mode (embedded mode keeps them in the running process).');
    return 2;
  }
  const target = { url: env.REDIS_URL, cluster: env.REDIS_CLUSTER === 'true' };
  const redis = connectRedis(target, 'cli', env.REDIS_KEY_PREFIX ?? '');
  const dead = new DeadLetters(new RedisStore(redis));
  try {
    if (command === 'list') {
      const entries = await dead.list(Number(rest[0] ?? 20));
      if (!entries.length) out('no dead letters');
      for (const d of entries) {
        out(`${d.at}  ${d.job.id}  ${d.job.event.subscriptionType} portal ${d.job.event.portalId} object ${d.job.event.objectId ?? '-'}  after ${d.attempts} attempt(s): ${d.reason}`);
      }
      return 0;
    }
    if (command === 'replay') {
      const queue = new BullmqQueue(target, dead, { prefix: appQueuePrefix(env.REDIS_KEY_PREFIX ?? '') });
      const n = await dead.replay(queue, rest.length ? rest : undefined);
      await queue.close();
      out(`${n} dead letter(s) put back on the queue`);
      return 0;
    }
    out(`unknown command "${command}": use "list [N]" or "replay [ID ...]"`);
    return 2;
  } finally {
    redis.disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runDeadLettersCli(process.argv.slice(2), process.env, (l) => console.log(l));
}
