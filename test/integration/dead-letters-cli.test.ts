import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetters } from '../../src/queue/dead-letters.js';
import { runDeadLettersCli } from '../../src/server/cli/dead-letters-cli.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { testKeyPrefix, testRedis, testRedisUrl } from '../support/redis.js';

let redis: Redis;
beforeAll(async () => { redis = testRedis(); await redis.del('app:dead-letters'); });
afterAll(async () => { await redis.del('app:dead-letters'); await redis.quit(); });

const event = { eventId: 1, subscriptionId: 1, portalId: 42, occurredAt: 1, subscriptionType: 'ticket.creation', attemptNumber: 0, objectId: 7 };

describe('dead-letters CLI', () => {
  it('lists dead letters with their reasons and replays them onto the queue', async () => {
    await new DeadLetters(new RedisStore(redis)).add({ id: 'job-1', event }, 'HubSpot answered 404: ticket not found', 1);
    const lines: string[] = [];
    expect(await runDeadLettersCli(['list'], { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: testKeyPrefix }, (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/job-1 {2}ticket\.creation portal 42 object 7 {2}after 1 attempt\(s\): HubSpot answered 404: ticket not found$/);
    expect(await runDeadLettersCli(['replay', 'job-1'], { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: testKeyPrefix }, (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toBe('1 dead letter(s) put back on the queue');
    expect(await redis.exists('bull:hubspot-events:job-1')).toBe(1);
    expect(await new DeadLetters(new RedisStore(redis)).list()).toEqual([]);
  });

  it('explains why it needs REDIS_URL and refuses unknown commands', async () => {
    const lines: string[] = [];
    expect(await runDeadLettersCli(['list'], {}, (l) => lines.push(l))).toBe(2);
    expect(await runDeadLettersCli(['purge'], { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: testKeyPrefix }, (l) => lines.push(l))).toBe(2);
    expect(lines).toEqual([expect.stringContaining('REDIS_URL is not set'), 'unknown command "purge": use "list [N]" or "replay [ID ...]"']);
  });
});
