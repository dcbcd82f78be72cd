import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BullmqQueue } from '../../src/queue/bullmq-queue.js';
import { DeadLetters } from '../../src/queue/dead-letters.js';
import { PermanentError, TransientError } from '../../src/queue/errors.js';
import type { EventQueue, QueuedEvent } from '../../src/queue/event-queue.js';
import { MemoryQueue } from '../../src/queue/memory-queue.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { flushTestRedis, testRedis, testRedisUrl } from '../support/redis.js';

let redis: Redis;
beforeAll(async () => { await flushTestRedis(); redis = testRedis(); });
afterAll(async () => { await redis.quit(); });

const backoff = { attempts: 3, baseMs: 5, maxMs: 20 };
const job = (id: string, type = 'ticket.creation'): QueuedEvent => ({
  id, event: { eventId: 1, subscriptionId: 2, portalId: 42, occurredAt: 1, subscriptionType: type, attemptNumber: 0, objectId: 7 },
});

type Made = { queue: EventQueue; dead: DeadLetters };
const kinds: [string, () => Made][] = [
  ['memory', () => { const dead = new DeadLetters(new MemoryStore()); return { dead, queue: new MemoryQueue(dead, { backoff }) }; }],
  ['bullmq', () => {
    const dead = new DeadLetters(new RedisStore(redis));
    return { dead, queue: new BullmqQueue(testRedisUrl(), dead, { backoff, prefix: `t${Math.random().toString(36).slice(2)}` }) };
  }],
];

describe.each(kinds)('%s queue (one contract for both)', (_name, make) => {
  let made: Made;
  afterEach(async () => { await made.queue.close(); await redis.del('app:dead-letters'); });

  it('runs every queued job once', async () => {
    made = make();
    const seen: string[] = [];
    made.queue.startWorker(async (j) => { seen.push(j.id); });
    await made.queue.enqueue([job('a'), job('b'), job('c')]);
    await made.queue.idle(10_000);
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
  });

  it('does not queue a job twice while it is still waiting', async () => {
    made = make();
    await made.queue.enqueue([job('same')]);
    await made.queue.enqueue([job('same')]);
    const seen: string[] = [];
    made.queue.startWorker(async (j) => { seen.push(j.id); });
    await made.queue.idle(10_000);
    expect(seen).toEqual(['same']);
  });

  it('retries a transient failure and then succeeds', async () => {
    made = make();
    const attempts: number[] = [];
    made.queue.startWorker(async (_j, attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw new TransientError('HubSpot answered 503');
    });
    await made.queue.enqueue([job('flaky')]);
    await made.queue.idle(10_000);
    expect(attempts).toEqual([1, 2, 3]);
    expect(await made.dead.list()).toEqual([]);
  });

  it('dead-letters a permanent failure at once, with its reason', async () => {
    made = make();
    let calls = 0;
    made.queue.startWorker(async () => { calls++; throw new PermanentError('HubSpot answered 400: property "foo" does not exist'); });
    await made.queue.enqueue([job('bad')]);
    await made.queue.idle(10_000);
    expect(calls).toBe(1);
    const dead = await made.dead.list();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ job: { id: 'bad' }, reason: 'HubSpot answered 400: property "foo" does not exist', attempts: 1 });
  });

  it('dead-letters a job whose transient failures outlast its attempts, and replays it', async () => {
    made = make();
    let healthy = false;
    const done: string[] = [];
    made.queue.startWorker(async (j) => {
      if (!healthy) throw new TransientError('timeout');
      done.push(j.id);
    });
    await made.queue.enqueue([job('slow')]);
    await made.queue.idle(10_000);
    expect((await made.dead.list()).map((d) => [d.job.id, d.attempts])).toEqual([['slow', 3]]);
    healthy = true;
    expect(await made.dead.replay(made.queue)).toBe(1);
    await made.queue.idle(10_000);
    expect(done).toEqual(['slow']);
    expect(await made.dead.list()).toEqual([]);
  });

  it('runs a replay made while the failed job it replays is still leaving the queue (never a lost duplicate)', async () => {
    made = make();
    // The handler's first run holds its job until released, then fails for good; the second succeeds.
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let started!: () => void;
    const running = new Promise<void>((r) => { started = r; });
    const runs: number[] = [];
    made.queue.startWorker(async () => {
      runs.push(runs.length + 1);
      if (runs.length > 1) return;
      started();
      await held;
      throw new PermanentError('HubSpot answered 404: ticket not found');
    });
    await made.queue.enqueue([job('lost-and-found')]);
    await running;
    // A replay of that event while its job still runs (as when its dead letter was just written).
    let requeued = false;
    const replay = made.queue.requeue([job('lost-and-found')]).then(() => { requeued = true; });
    await vi.waitFor(async () => expect((await made.queue.counts()).active).toBe(1));
    expect(requeued).toBe(false);
    release();
    await replay;
    await made.queue.idle(10_000);
    expect(runs).toEqual([1, 2]);
  });
});

describe('bullmq: a job BullMQ fails without running it', () => {
  it('ends as a dead letter with the reason (a job stalled beyond the limit is never silently dropped)', async () => {
    const prefix = `t${Math.random().toString(36).slice(2)}`;
    const dead = new DeadLetters(new RedisStore(redis));
    const queue = new BullmqQueue(testRedisUrl(), dead, { backoff, prefix });
    const ran: string[] = [];
    await queue.enqueue([job('stalled-1')]);
    // What BullMQ's own stalled-jobs script writes when a job stalled more often than allowed.
    const raw = new Redis(testRedisUrl());
    expect(await raw.hset(`${prefix}:hubspot-events:stalled-1`, 'defa', 'job stalled more than allowable limit')).toBe(1);
    await raw.quit();
    queue.startWorker(async (j) => { ran.push(j.id); });
    await vi.waitFor(async () => expect((await dead.list()).map((d) => d.job.id)).toContain('stalled-1'), { timeout: 10_000, interval: 100 });
    expect((await dead.list()).find((d) => d.job.id === 'stalled-1')!.reason).toMatch(/^job stalled more than allowable limit/);
    expect(ran).toEqual([]);
    await queue.close();
  });
});
