import { backoffDelay, defaultBackoff, type BackoffPolicy } from './backoff.js';
import type { DeadLetters } from './dead-letters.js';
import { isPermanent, retryAfterOf } from './errors.js';
import type { EventHandler, EventQueue, QueueCounts, QueuedEvent } from './event-queue.js';

interface Pending { job: QueuedEvent; attempt: number }

/** Embedded mode: the queue lives in this process (demo, local trials). Same contract as BullMQ. */
export class MemoryQueue implements EventQueue {
  private readonly waiting: Pending[] = [];
  /** Job id → account, from enqueue until the job is done or dead. */
  private readonly known = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Ids whose handler is running now. */
  private readonly running = new Set<string>();
  private active = 0;
  private handler?: EventHandler;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly deadLetters: DeadLetters,
    private readonly options: { concurrency?: number; backoff?: BackoffPolicy } = {},
  ) {}

  async enqueue(jobs: QueuedEvent[]): Promise<void> {
    if (this.closed) throw new Error('queue is closed');
    for (const job of jobs) {
      if (this.known.has(job.id)) continue;
      this.known.set(job.id, job.event.portalId);
      this.waiting.push({ job, attempt: 1 });
    }
    this.pump();
  }

  async requeue(jobs: QueuedEvent[], timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (const job of jobs) {
      // One still running is added once it has finished; one waiting or backing off runs anyway.
      while (this.running.has(job.id)) {
        if (Date.now() > until) throw new Error(`job ${job.id} is still running after ${timeoutMs} ms; replay it once it has finished`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await this.enqueue(jobs);
  }

  startWorker(handler: EventHandler): void {
    this.handler = handler;
    this.pump();
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 8;
    while (this.handler && !this.closed && this.active < concurrency && this.waiting.length) {
      const next = this.waiting.shift()!;
      this.active++;
      void this.run(next).finally(() => {
        this.active--;
        this.pump();
        this.notifyIdle();
      });
    }
  }

  private async run({ job, attempt }: Pending): Promise<void> {
    const policy = this.options.backoff ?? defaultBackoff;
    this.running.add(job.id);
    try {
      await this.handler!(job, attempt);
      this.known.delete(job.id);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (isPermanent(err) || attempt >= policy.attempts) {
        this.known.delete(job.id);
        await this.deadLetters.add(job, reason, attempt);
        return;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.waiting.push({ job, attempt: attempt + 1 });
        this.pump();
      }, backoffDelay(policy, attempt, retryAfterOf(err)));
      this.timers.add(timer);
    } finally {
      this.running.delete(job.id);
    }
  }

  async pendingFor(portalId: number): Promise<number> {
    return [...this.known.values()].filter((p) => p === portalId).length;
  }

  async counts(): Promise<QueueCounts> {
    return { waiting: this.waiting.length, active: this.active, delayed: this.timers.size };
  }

  private isIdle() { return !this.waiting.length && !this.active && !this.timers.size; }

  private notifyIdle() {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((w) => w());
  }

  idle(timeoutMs = 30_000): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`queue not idle after ${timeoutMs} ms`)), timeoutMs);
      this.idleWaiters.push(() => { clearTimeout(t); resolve(); });
    });
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('queue is closed');
  }

  /** Takes no new work, drops pending retries' timers, and waits for running jobs to finish. */
  async close(timeoutMs = 30_000): Promise<void> {
    this.closed = true;
    this.timers.forEach(clearTimeout);
    this.timers.clear();
    const until = Date.now() + timeoutMs;
    while (this.active > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }
}
