import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Cluster } from 'ioredis';
import { connectRedis, type RedisClient, type RedisTarget } from '../store/redis-client.js';
import { backoffDelay, defaultBackoff, type BackoffPolicy } from './backoff.js';
import type { DeadLetters } from './dead-letters.js';
import { isPermanent, retryAfterOf } from './errors.js';
import type { EventHandler, EventQueue, QueueCounts, QueuedEvent } from './event-queue.js';

const QUEUE_NAME = 'hubspot-events';
/** A whole webhook request's events, stored as one job by the edge and fanned out by a worker. */
const INTAKE = '__intake';

/** The queue prefix every process of an install uses: BullMQ's `bull` under REDIS_KEY_PREFIX. */
export const appQueuePrefix = (redisKeyPrefix: string) => `${redisKeyPrefix}bull`;

/**
 * BullMQ's key prefix. On a Redis Cluster every key of a queue must share a slot (BullMQ's scripts
 * touch several at once), so the prefix becomes a hash tag: `{bull}`.
 */
export function queuePrefix(prefix: string | undefined, cluster: boolean): string {
  const p = prefix ?? 'bull';
  return cluster && !/\{[^}]+\}/.test(p) ? `{${p}}` : p;
}

/** Production mode: BullMQ on Redis (one server or a cluster), shared by any number of web and worker processes. */
export class BullmqQueue implements EventQueue {
  private readonly queue: Queue;
  private readonly producer: RedisClient;
  private readonly target: RedisTarget;
  private readonly prefix: string;
  private worker?: Worker;
  private queueSlot?: number;
  /** Handlers running in this process (a graceful stop waits for them, within its bound). */
  private running = 0;

  constructor(
    target: RedisTarget | string,
    private readonly deadLetters: DeadLetters,
    private readonly options: { concurrency?: number; backoff?: BackoffPolicy; prefix?: string; lockMs?: number } = {},
  ) {
    this.target = typeof target === 'string' ? { url: target, cluster: false } : target;
    this.prefix = queuePrefix(options.prefix, this.target.cluster);
    // The edge must fail fast when Redis is away (HubSpot then gets a 503 and retries),
    // so the producer connection neither queues commands offline nor retries them.
    this.producer = connectRedis(this.target, 'producer');
    this.producer.on('error', () => undefined);
    this.queue = new Queue(QUEUE_NAME, { connection: this.producer, prefix: this.prefix });
    this.queue.on('error', () => undefined);
  }

  private get policy() { return this.options.backoff ?? defaultBackoff; }

  /**
   * Adding 100 BullMQ jobs costs ~6 ms of Redis scripting, which the edge cannot afford on
   * HubSpot's 5-second clock; so the edge stores a batch as one durable intake job, and a worker
   * turns it into one job per event (ids are the dedupe keys, so a repeated fan-out adds nothing).
   */
  async enqueue(jobs: QueuedEvent[]): Promise<void> {
    if (jobs.length > 1) {
      await this.queue.add(INTAKE, { jobs }, { attempts: this.policy.attempts, backoff: { type: 'jittered' }, removeOnComplete: true, removeOnFail: true });
      return;
    }
    await this.addEvents(jobs);
  }

  async requeue(jobs: QueuedEvent[], timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    const fresh: QueuedEvent[] = [];
    for (const job of jobs) {
      for (;;) {
        const state = await this.queue.getJobState(job.id);
        if (state === 'unknown') { fresh.push(job); break; }
        // The same event queued again meanwhile (a redelivery): it runs, nothing to add.
        if (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') break;
        // A finished job kept under its id (its removal not yet done) would turn the add into a no-op.
        if (state === 'failed' || state === 'completed') { await this.queue.remove(job.id); continue; }
        if (Date.now() > until) throw new Error(`job ${job.id} is still running after ${timeoutMs} ms; replay it once it has finished`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await this.addEvents(fresh);
  }

  private async addEvents(jobs: QueuedEvent[]): Promise<void> {
    if (!jobs.length) return;
    await this.queue.addBulk(jobs.map((job) => ({
      name: job.event.subscriptionType,
      data: job,
      opts: {
        jobId: job.id,
        attempts: this.policy.attempts,
        backoff: { type: 'jittered' },
        removeOnComplete: true,
        // Failed jobs move to our dead-letter list with their reason, freeing the id for a replay.
        removeOnFail: true,
      },
    })));
  }

  startWorker(handler: EventHandler): void {
    const connection = connectRedis(this.target, 'worker');
    // Reconnection is ioredis' job; an outage is reported by /readyz, not by unhandled events.
    connection.on('error', () => undefined);
    this.worker = new Worker<QueuedEvent>(QUEUE_NAME, async (job: Job<QueuedEvent>) => {
      if (job.name === INTAKE) return this.addEvents((job.data as unknown as { jobs: QueuedEvent[] }).jobs);
      this.running++;
      try {
        await handler(job.data, job.attemptsMade + 1);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const attempt = job.attemptsMade + 1;
        // Written before the job leaves BullMQ, so a crash cannot lose a failed event.
        if (isPermanent(err) || attempt >= (job.opts.attempts ?? 1)) await this.deadLetters.add(job.data, reason, attempt);
        if (isPermanent(err)) throw new UnrecoverableError(reason);
        throw err;
      } finally {
        this.running--;
      }
    }, {
      connection,
      prefix: this.prefix,
      concurrency: this.options.concurrency ?? 16,
      // A killed worker's jobs go back to the queue once their lock lapses (checked twice as often).
      lockDuration: this.options.lockMs ?? 30_000,
      stalledInterval: Math.round((this.options.lockMs ?? 30_000) / 2),
      // A job can stall more than once (its worker killed, then Redis restarted while the next one
      // held it): every handler is safe to run again, so it goes back to the queue up to 5 times
      // (BullMQ's default, 1, failed such a job without running it and removed it: lost).
      maxStalledCount: 5,
      // A fetch that failed (a Redis node down, the cluster not serving every slot yet) is tried
      // again after a second, not BullMQ's 15 s: one failure while the node was away and one more
      // while its slots came back held a queued event for 30 s after Redis was ready again.
      runRetryDelay: 1000,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
          backoffDelay(this.policy, attemptsMade, retryAfterOf(err)),
      },
    });
    this.worker.on('error', () => undefined);
    // A failure BullMQ decides without running the handler (stalled beyond the limit) still ends
    // as a dead letter with its reason, replayable, never as a job that silently disappears.
    this.worker.on('failed', (job, err) => {
      if (!job?.deferredFailure) return;
      const jobs = job.name === INTAKE ? (job.data as unknown as { jobs: QueuedEvent[] }).jobs : [job.data];
      void Promise.all(jobs.map((j) => this.deadLetters.add(j, `${err.message} (the worker running it stopped or lost Redis too often)`, job.attemptsMade))).catch(() => undefined);
    });
  }

  async counts(): Promise<QueueCounts> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0 };
  }

  async idle(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const c = await this.counts();
      if (!c.waiting && !c.active && !c.delayed) return;
      if (Date.now() > until) throw new Error(`queue not idle after ${timeoutMs} ms: ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async ping(): Promise<void> { await this.producer.ping(); }

  /**
   * WAIT counts the writes of one connection: the producer's, or on a cluster its connection to the
   * master that serves the queue's hash tag (every queue key is in that one slot).
   */
  async replicated(replicas: number, timeoutMs: number): Promise<number> {
    const p = this.producer;
    if (!(p instanceof Cluster)) return Number(await p.wait(replicas, timeoutMs));
    this.queueSlot ??= Number(await p.cluster('KEYSLOT', `${this.prefix}:${QUEUE_NAME}:id`));
    const owner = p.slots[this.queueSlot]?.[0];
    const node = p.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
    return node ? Number(await node.wait(replicas, timeoutMs)) : 0;
  }

  async pendingFor(portalId: number, cap = 1000): Promise<number> {
    const jobs = await this.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized'], 0, cap - 1);
    return jobs.reduce((n, j) => n + (j.name === INTAKE
      ? (j.data as unknown as { jobs: QueuedEvent[] }).jobs.filter((x) => x.event.portalId === portalId).length
      : (j.data as QueuedEvent).event.portalId === portalId ? 1 : 0), 0);
  }

  /** Events not yet processed, counting those still inside intake jobs (benchmarks check nothing is lost). */
  async pendingEvents(): Promise<number> {
    const jobs = await this.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
    return jobs.reduce((n, j) => n + (j.name === INTAKE ? (j.data as { jobs: unknown[] }).jobs.length : 1), 0);
  }

  /**
   * Takes no new jobs, lets running ones finish for up to `timeoutMs`, then closes: a job still
   * running then is left to its lock, which lapses, and another worker runs it again (every
   * handler is safe to repeat), so SIGTERM never waits for good on a job that hangs.
   */
  async close(timeoutMs = 30_000): Promise<void> {
    if (this.worker) {
      await this.worker.pause(true);
      const until = Date.now() + timeoutMs;
      while (this.running > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      await this.worker.close(this.running > 0);
    }
    await this.queue.close();
    this.producer.disconnect();
  }
}
