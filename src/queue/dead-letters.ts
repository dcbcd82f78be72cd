import { caps, keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { EventQueue, QueuedEvent } from './event-queue.js';

export interface DeadLetter { job: QueuedEvent; reason: string; attempts: number; at: string }

/** Jobs that failed for good, with the reason; kept in the store so every process sees them. */
export class DeadLetters {
  /** Told of each new letter (after it is kept): a workflow step waiting on the job fails now. Its own failure is its own. */
  onAdded?: (job: QueuedEvent, reason: string) => Promise<void>;

  constructor(private readonly store: Store) {}

  async add(job: QueuedEvent, reason: string, attempts: number): Promise<void> {
    const entry = JSON.stringify({ job, reason, attempts, at: new Date().toISOString() } satisfies DeadLetter);
    // The operator's list of every account, and each account's own (its status card counts only these).
    await this.store.pushCapped(keys.deadLetters(), entry, caps.deadLetters);
    await this.store.pushCapped(keys.accountDeadLetters(job.event.portalId), entry, caps.accountDeadLetters);
    await this.onAdded?.(job, reason).catch(() => undefined);
  }

  /** One account's dead letters (its status card): never another account's. */
  async countFor(portalId: number): Promise<number> {
    return (await this.store.range(keys.accountDeadLetters(portalId), 0, -1)).length;
  }

  async list(limit = 100): Promise<DeadLetter[]> {
    const raw = await this.store.range(keys.deadLetters(), 0, limit - 1);
    return raw.map((r) => JSON.parse(r) as DeadLetter);
  }

  /**
   * Puts dead letters back on the queue (all, or those whose job id is given); returns how many.
   * Through requeue, never enqueue: a letter replayed the moment it appears would otherwise be a
   * no-op duplicate of its own failed job, still leaving the queue, and be lost.
   */
  async replay(queue: Pick<EventQueue, 'requeue'>, ids?: string[]): Promise<number> {
    const entries = (await this.store.range(keys.deadLetters(), 0, -1)).map((raw) => ({ raw, letter: JSON.parse(raw) as DeadLetter }));
    const chosen = entries.filter((e) => !ids || ids.includes(e.letter.job.id));
    for (const { raw, letter } of chosen) {
      await queue.requeue([letter.job]);
      await this.store.removeFromList(keys.deadLetters(), raw);
      await this.store.removeFromList(keys.accountDeadLetters(letter.job.event.portalId), raw);
    }
    return chosen.length;
  }

  /** Removes the dead letters whose stored text `matches` (a privacy deletion); returns how many. */
  async remove(matches: (raw: string) => boolean): Promise<number> {
    let removed = 0;
    for (const raw of await this.store.range(keys.deadLetters(), 0, -1)) {
      if (!matches(raw)) continue;
      if (await this.store.removeFromList(keys.deadLetters(), raw)) removed++;
      await this.store.removeFromList(keys.accountDeadLetters((JSON.parse(raw) as DeadLetter).job.event.portalId), raw);
    }
    return removed;
  }
}
