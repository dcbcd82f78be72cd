import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { EventQueue, QueuedEvent } from '../queue/event-queue.js';
import type { Metrics } from '../platform/metrics.js';
import { keys, ttl } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { dedupeKey } from './dedupe-key.js';
import { depthOf, hubSpotEventSchema, MAX_EVENT_BYTES, MAX_VALUE_DEPTH, webhookBatchSchema, type HubSpotEvent } from './event-schema.js';
import type { Quarantine } from './quarantine.js';
import { signedUri } from './signed-uri.js';
import { verifyRequest } from './verify-signature.js';
import { describeZodError } from '../platform/describe-zod-error.js';

export interface WebhookEdgeDeps {
  clientSecret: string;
  publicBaseUrl: string;
  store: Store;
  queue: EventQueue;
  quarantine: Quarantine;
  metrics: Metrics;
  log: Logger;
  knownTypes: ReadonlySet<string>;
  /** Signature v1/v2 (no timestamp: a captured request replays forever) only when an operator allows it. */
  allowLegacySignatures?: boolean;
  /** REDIS_WAIT_REPLICAS: answer 200 only once this many replicas hold the queued events (0: the master's word suffices). */
  waitReplicas?: number;
  now?: () => number;
}

/** How long the edge waits for replicas (HubSpot waits 5 s for the whole answer). */
const REPLICA_WAIT_MS = 1000;

/** A refused signature is logged at most once a minute (with the URL and version tried, never the secret). */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

/**
 * Checks one event of a batch: its schema, its size and the nesting of its property value.
 * `bodyLength` is the length of the whole request body: an event is part of it, so when the body
 * is well within the event limit no event can exceed it, and the event is not serialised to be measured.
 */
export function checkEvent(raw: unknown, bodyLength = Infinity): { ok: true; event: HubSpotEvent } | { ok: false; reason: string } {
  // Depth first, without recursion: serialising a 40,000-deep value would overflow the stack.
  const depth = depthOf(raw, MAX_VALUE_DEPTH + 1);
  if (depth > MAX_VALUE_DEPTH + 1) return { ok: false, reason: `propertyValue is nested deeper than ${MAX_VALUE_DEPTH} levels` };
  // Serialised again, JSON grows by at most a quarter (an exponent "1e21" comes back as "1e+21").
  const size = bodyLength * 1.25 <= MAX_EVENT_BYTES ? 0 : JSON.stringify(raw)?.length ?? 0;
  if (size > MAX_EVENT_BYTES) return { ok: false, reason: `event is ${size} bytes, more than ${MAX_EVENT_BYTES}` };
  const parsed = hubSpotEventSchema.safeParse(raw);
  return parsed.success ? { ok: true, event: parsed.data } : { ok: false, reason: describeZodError(parsed.error) };
}

/**
 * POST /webhooks/hubspot. Verifies, validates, deduplicates, enqueues and answers; it never calls
 * HubSpot. Each event is checked on its own: the valid ones are queued, an invalid one is kept in
 * the quarantine with its reason (HubSpot would otherwise retry the whole batch for a day). 200
 * means every valid event is durably queued; a batch without a single valid event is a 400.
 */
export function webhookEdge(deps: WebhookEdgeDeps) {
  const now = deps.now ?? Date.now;
  let lastRefusalLog = 0;
  const answer = (res: Response, status: number, body: object) => {
    deps.metrics.webhookRequests.inc({ status: String(status) });
    res.status(status).json(body);
  };
  const refuse = (res: Response, reason: string, detail: Record<string, unknown>) => {
    if (now() - lastRefusalLog > REFUSAL_LOG_INTERVAL_MS) {
      lastRefusalLog = now();
      deps.log.warn({ reason, ...detail, checkedAgainst: `${deps.publicBaseUrl}/webhooks/hubspot` }, 'webhook refused: bad signature (is PUBLIC_BASE_URL the address HubSpot calls, and the client secret the app\'s?)');
    }
    answer(res, 401, { message: reason });
  };

  return async (req: Request, res: Response): Promise<void> => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    // HubSpot signs the URL it called, i.e. our public address, not what a proxy forwards.
    const uri = signedUri(deps.publicBaseUrl, req.originalUrl);
    if (!uri) return refuse(res, 'request target must be a path on this app\'s public URL', { target: req.originalUrl.slice(0, 200) });
    const verdict = verifyRequest(deps.clientSecret, { method: req.method, uri, body, header: (n) => req.get(n) }, now(), { allowLegacy: deps.allowLegacySignatures ?? false });
    if (!verdict.ok) return refuse(res, verdict.reason, { uri, version: req.get('x-hubspot-signature-v3') ? 'v3' : req.get('x-hubspot-signature-version') ?? 'none' });

    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return answer(res, 400, { message: 'body is not valid JSON' });
    }
    const batch = webhookBatchSchema.safeParse(parsed);
    if (!batch.success) return answer(res, 400, { message: describeZodError(batch.error, 'event') });

    const valid: HubSpotEvent[] = [];
    const invalid: { index: number; reason: string; portalId: number | null; raw: string }[] = [];
    batch.data.forEach((raw, index) => {
      const checked = checkEvent(raw, body.length);
      if (checked.ok) valid.push(checked.event);
      else {
        const portalId = (raw as { portalId?: unknown } | null)?.portalId;
        invalid.push({ index, reason: `event ${index}: ${checked.reason}`, portalId: typeof portalId === 'number' && Number.isSafeInteger(portalId) ? portalId : null, raw: serialise(raw) });
      }
    });

    try {
      if (invalid.length) {
        await deps.quarantine.add(invalid);
        deps.metrics.webhookEvents.inc({ outcome: 'quarantined', subscription_type: 'invalid', known: 'false' }, invalid.length);
        deps.log.warn({ quarantined: invalid.map((i) => i.reason) }, 'webhook events quarantined');
      }
      if (!valid.length) return answer(res, 400, { message: invalid.map((i) => i.reason).join('; '), quarantined: invalid.length });
      // Each event is claimed atomically (SET NX, all in one round trip), so of two deliveries that
      // arrive together exactly one queues it. A short claim becomes the 48-hour mark once queued;
      // if queueing fails the claims are dropped, and if the process dies they lapse on their own,
      // so HubSpot's retry gets through either way.
      const { fresh, others } = await queueOnce(deps.store, deps.queue, valid);
      // Redis replicates asynchronously: a master that dies for good loses what its replicas lack.
      // Asked on every request, duplicates too, so HubSpot's retry of a 503 below waits as well
      // (WAIT covers this process's connection: a retry through another web process does not).
      if (deps.waitReplicas && deps.queue.replicated) {
        const holding = await deps.queue.replicated(deps.waitReplicas, REPLICA_WAIT_MS);
        if (holding < deps.waitReplicas) {
          deps.log.warn({ replicas: holding, wanted: deps.waitReplicas }, 'queued events are not on enough replicas yet; asking HubSpot to retry');
          return answer(res, 503, { message: `events are queued, but only ${holding} of ${deps.waitReplicas} replica(s) hold them so far; HubSpot will retry` });
        }
      }
      // An event another request claimed but has not queued yet is not a duplicate until it is:
      // if that request failed (Redis went away between its claim and its queueing), a 200 here
      // would end HubSpot's retries and lose the event. Wait briefly, then let HubSpot retry.
      if (!(await allQueued(deps.store, others))) {
        deps.log.warn({ events: others.length }, 'events claimed by another request are not queued yet; asking HubSpot to retry');
        return answer(res, 503, { message: 'some events are still being queued by another request; HubSpot will retry' });
      }
      const queuedEvents = new Set(fresh.map((j) => j.event));
      for (const e of valid) {
        deps.metrics.webhookEvents.inc({
          outcome: queuedEvents.has(e) ? 'queued' : 'duplicate',
          subscription_type: e.subscriptionType,
          known: String(deps.knownTypes.has(e.subscriptionType)),
        });
      }
      answer(res, 200, { queued: fresh.length, duplicates: valid.length - fresh.length, ...(invalid.length ? { quarantined: invalid.map((i) => ({ index: i.index, reason: i.reason })) } : {}) });
    } catch (err) {
      deps.log.error({ err }, 'webhook batch could not be queued');
      answer(res, 503, { message: 'events could not be queued; HubSpot will retry' });
    }
  };
}

/** An invalid event as text for the quarantine; one too deep to serialise is kept by its top level. */
function serialise(raw: unknown): string {
  try {
    return JSON.stringify(raw) ?? 'null';
  } catch {
    const top = raw && typeof raw === 'object' ? Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v && typeof v === 'object' ? '[too deep to keep]' : v])) : String(raw);
    return JSON.stringify(top);
  }
}

/** How long a claim holds before its event is queued (then it becomes the 48-hour mark). */
const CLAIM_S = 15;

/**
 * The events of a batch this request is the first to claim (not seen before, not repeated within
 * the batch), and the others: seen, or claimed by another request at this moment.
 */
export async function claimFresh(store: Store, events: HubSpotEvent[]): Promise<{ fresh: QueuedEvent[]; others: QueuedEvent[] }> {
  const unique = new Map<string, QueuedEvent>();
  for (const event of events) { const id = dedupeKey(event); if (!unique.has(id)) unique.set(id, { id, event }); }
  const jobs = [...unique.values()];
  const claimed = await store.claimMany(jobs.map((j) => keys.eventSeen(j.event.portalId, j.id)), 'claimed', CLAIM_S);
  return { fresh: jobs.filter((_, i) => claimed[i]), others: jobs.filter((_, i) => !claimed[i]) };
}

/**
 * Queues the events nobody queued before, each under its dedupe key (the webhook edge and the
 * journal reader both come here, so an event that arrives both ways is queued once). `others` are
 * the events already seen, or claimed by another request at this moment (see allQueued).
 */
export async function queueOnce(store: Store, queue: EventQueue, events: HubSpotEvent[]): Promise<{ fresh: QueuedEvent[]; others: QueuedEvent[] }> {
  const { fresh, others } = await claimFresh(store, events);
  try {
    await queue.enqueue(fresh);
  } catch (err) {
    for (const j of fresh) await store.del(keys.eventSeen(j.event.portalId, j.id)).catch(() => undefined);
    throw err;
  }
  await store.setMany(fresh.map((j) => [keys.eventSeen(j.event.portalId, j.id), 'queued']), ttl.eventSeen);
  return { fresh, others };
}

/** How long a request waits for another's claim to become a queued mark (HubSpot waits 5 s for an answer). */
const CLAIM_WAIT_MS = 2000;

/** Whether every one of these events is marked queued, waiting up to CLAIM_WAIT_MS for claims in flight. */
export async function allQueued(store: Store, jobs: QueuedEvent[]): Promise<boolean> {
  if (!jobs.length) return true;
  const eventKeys = jobs.map((j) => keys.eventSeen(j.event.portalId, j.id));
  for (const until = Date.now() + CLAIM_WAIT_MS; ;) {
    if ((await store.getMany(eventKeys)).every((v) => v === 'queued')) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
