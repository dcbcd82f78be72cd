import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { EventQueue, QueuedEvent } from '../queue/event-queue.js';
import type { Metrics } from '../server/metrics.js';
import { keys, ttl } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { dedupeKey } from './dedupe-key.js';
import { webhookBatchSchema, type HubSpotEvent } from './event-schema.js';
import { signedUri } from './signed-uri.js';
import { verifyRequest } from './verify-signature.js';
import { describeZodError } from '../server/describe-zod-error.js';

export interface WebhookEdgeDeps {
  clientSecret: string;
  publicBaseUrl: string;
  store: Store;
  queue: EventQueue;
  metrics: Metrics;
  log: Logger;
  knownTypes: ReadonlySet<string>;
  now?: () => number;
}

/**
 * POST /webhooks/hubspot. Verifies, validates, deduplicates, enqueues and answers; it never calls
 * HubSpot. 200 means every event of the batch is durably queued; anything else makes HubSpot retry.
 */
export function webhookEdge(deps: WebhookEdgeDeps) {
  const now = deps.now ?? Date.now;
  const answer = (res: Response, status: number, body: object) => {
    deps.metrics.webhookRequests.inc({ status: String(status) });
    res.status(status).json(body);
  };

  return async (req: Request, res: Response): Promise<void> => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    // HubSpot signs the URL it called, i.e. our public address, not what a proxy forwards.
    const uri = signedUri(deps.publicBaseUrl, req.originalUrl);
    if (!uri) {
      deps.log.warn({ reason: 'request target is not a path (absolute-form request line)' }, 'webhook refused: bad signature');
      return answer(res, 401, { message: 'request target must be a path on this app\'s public URL' });
    }
    const verdict = verifyRequest(deps.clientSecret, { method: req.method, uri, body, header: (n) => req.get(n) }, now());
    if (!verdict.ok) {
      deps.log.warn({ reason: verdict.reason }, 'webhook refused: bad signature');
      return answer(res, 401, { message: verdict.reason });
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return answer(res, 400, { message: 'body is not valid JSON' });
    }
    const batch = webhookBatchSchema.safeParse(parsed);
    if (!batch.success) return answer(res, 400, { message: describeZodError(batch.error, 'event') });

    try {
      const fresh = await freshEvents(deps.store, batch.data);
      await deps.queue.enqueue(fresh);
      await deps.store.setMany(fresh.map((j) => [keys.eventSeen(j.event.portalId, j.id), '1']), ttl.eventSeen);
      const queuedEvents = new Set(fresh.map((j) => j.event));
      for (const e of batch.data) {
        const queued = queuedEvents.has(e);
        deps.metrics.webhookEvents.inc({
          outcome: queued ? 'queued' : 'duplicate',
          subscription_type: e.subscriptionType,
          known: String(deps.knownTypes.has(e.subscriptionType)),
        });
      }
      answer(res, 200, { queued: fresh.length, duplicates: batch.data.length - fresh.length });
    } catch (err) {
      deps.log.error({ err }, 'webhook batch could not be queued');
      answer(res, 503, { message: 'events could not be queued; HubSpot will retry' });
    }
  };
}

/** Drops events seen before (the same batch redelivered) and repeats within the batch. */
async function freshEvents(store: Store, events: HubSpotEvent[]): Promise<QueuedEvent[]> {
  const jobs = events.map((event) => ({ id: dedupeKey(event), event }));
  const seen = await store.getMany(jobs.map((j) => keys.eventSeen(j.event.portalId, j.id)));
  const taken = new Set<string>();
  return jobs.filter((j, i) => {
    if (seen[i] || taken.has(j.id)) return false;
    taken.add(j.id);
    return true;
  });
}
