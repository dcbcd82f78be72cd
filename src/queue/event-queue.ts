import type { HubSpotEvent } from '../webhooks/event-schema.js';

export interface QueuedEvent {
  /** The dedupe key: also the job id, so a job is never queued twice while it exists. */
  id: string;
  event: HubSpotEvent;
}

export type EventHandler = (job: QueuedEvent, attempt: number) => Promise<void>;

export interface QueueCounts { waiting: number; active: number; delayed: number }

export interface EventQueue {
  /** Resolves only once every job is durably queued; rejects when the queue cannot take them. */
  enqueue(jobs: QueuedEvent[]): Promise<void>;
  /**
   * Puts dead letters back (a replay): a job whose id is still running (a dead letter is written
   * just before its failed job leaves the queue) is added once that job has left, never dropped as
   * a duplicate of it; one already waiting is left to run. Rejects after `timeoutMs`.
   */
  requeue(jobs: QueuedEvent[], timeoutMs?: number): Promise<void>;
  startWorker(handler: EventHandler): void;
  counts(): Promise<QueueCounts>;
  /** One account's events not yet done (waiting, active, delayed), looking at no more than `cap` jobs: for its status card. */
  pendingFor(portalId: number, cap?: number): Promise<number>;
  /** Resolves when nothing is waiting, active or delayed (tests, demo, benchmarks). */
  idle(timeoutMs?: number): Promise<void>;
  ping(): Promise<void>;
  /**
   * How many replicas hold every job this process queued so far, waiting up to `timeoutMs` for
   * `replicas` of them (Redis' WAIT); absent where nothing is replicated (embedded mode).
   */
  replicated?(replicas: number, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}
