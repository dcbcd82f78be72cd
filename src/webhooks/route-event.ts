import type { Logger } from 'pino';
import type { ListAdds } from '../hubspot/list-adds.js';
import type { RecordReader } from '../hubspot/record-reader.js';
import type { TimelineCopyBatch } from '../email/timeline-copy.js';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import type { EventHandler } from '../queue/event-queue.js';
import type { Settings } from '../settings/settings-schema.js';
import type { Store } from '../store/store.js';
import type { Metrics } from '../platform/metrics.js';
import type { HubSpotEvent } from './event-schema.js';
import { withDeadline } from '../platform/with-deadline.js';
import { TransientError } from '../queue/errors.js';

/** What every handler gets, built in one place (the runtime). */
export interface AccountContext {
  portalId: number;
  hubspot: HubSpotGateway;
  store: Store;
  settings: Settings;
  log: Logger;
  /** The worker's batches; absent where a person waits for the answer (cards, pages). */
  batches?: WorkerBatches;
}

/**
 * HubSpot work the worker's jobs of one account share within the batch window: reads by id
 * (record-reader.ts), list additions (list-adds.ts), timeline copies (timeline-copy.ts).
 */
export interface WorkerBatches { records: RecordReader; listAdds: ListAdds; timelineCopies: TimelineCopyBatch }

export type SubscriptionHandler = (event: HubSpotEvent, ctx: AccountContext) => Promise<void>;

/**
 * The worker's job handler: one handler per subscription type, each given a context built in
 * one place. A type without a handler completes and is counted: never failed, never retried.
 */
export function routeEvent(
  handlers: Record<string, SubscriptionHandler>,
  buildContext: (portalId: number) => Promise<AccountContext>,
  metrics: Metrics,
  /** How long a job of this type may run before it fails and is retried (a wait that never ends: a lost Redis reply, a batch that never flushed). */
  deadlineMs: (subscriptionType: string) => number = () => 120_000,
): EventHandler {
  return async ({ event }, attempt) => {
    // Own keys only: a type named like a property of Object.prototype finds no handler.
    const handler = Object.hasOwn(handlers, event.subscriptionType) ? handlers[event.subscriptionType] : undefined;
    const type = event.subscriptionType;
    if (!handler) {
      metrics.jobs.inc({ subscription_type: type, outcome: 'unhandled' });
      return;
    }
    const ctx = await buildContext(event.portalId);
    const deadline = deadlineMs(type);
    try {
      // A handler still waiting at its deadline fails (transient: BullMQ retries it, and every
      // handler is safe to run again), so a job never holds its lock for good.
      await withDeadline(handler(event, ctx), deadline, () => new TransientError(`${type} did not finish within ${deadline / 1000} s; retried`));
      metrics.jobs.inc({ subscription_type: type, outcome: 'done' });
    } catch (err) {
      metrics.jobs.inc({ subscription_type: type, outcome: 'failed' });
      ctx.log.warn({ subscriptionType: type, objectId: event.objectId, attempt, reason: (err as Error).message }, 'event handler failed');
      throw err;
    }
  };
}
