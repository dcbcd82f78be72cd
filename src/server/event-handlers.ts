import { runBackfill } from '../companies/backfill.js';
import { z } from 'zod';
import type { DomainIndexCache } from '../companies/domain-index-cache.js';
import { templateNames } from '../email/default-templates.js';
import type { Email } from '../email/create-email.js';
import { PermanentError } from '../queue/errors.js';
import type { RuleRepository } from '../tickets/rule-repository.js';
import { isOwnWrite, runTicketRules, type RulePorts } from '../tickets/run-ticket-rules.js';
import { companyAssociator, contactUpserter } from '../contacts/contact-upserter.js';
import { handleInboundConversation, type OnboardedContact } from '../contacts/handle-inbound-conversation.js';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import type { EventQueue } from '../queue/event-queue.js';
import { keys, ttl } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { SubscriptionHandler } from '../webhooks/route-event.js';
import type { Metrics } from './metrics.js';

/** The internal event other capabilities subscribe to (the portal issue grants access on it). */
export const CONTACT_ONBOARDED = 'app.contact.onboarded';
/** Runs an admin's backfill (domain matching for existing contacts) in a worker. */
export const BACKFILL = 'app.backfill';
/** The rules' way to ask for an email: a queued job, so the send is retried and done once per cause. */
export function emailQueuePort(queue: EventQueue): RulePorts {
  return {
    queueEmail: async (portalId, job) => {
      await queue.enqueue([{ id: `email-${portalId}-${job.cause.replace(/[^\w-]/g, '_')}`, event: {
        eventId: 0, subscriptionId: 0, portalId, occurredAt: Date.now(), subscriptionType: SEND_EMAIL, attemptNumber: 0, propertyValue: job,
      } }]);
    },
  };
}

/** Sends one templated email; the payload names the cause, template and contact, never a secret. */
export const SEND_EMAIL = 'app.email.send';

export const emailJobPayload = z.object({ cause: z.string().min(1), template: z.enum(templateNames), contactId: z.string().regex(/^\d+$/), ticketId: z.string().regex(/^\d+$/).optional() });

export interface HandlerPorts { store: Store; hubspot: HubSpotGateway; queue: EventQueue; metrics: Metrics; index: DomainIndexCache; email: Email; rules: RuleRepository; batchWindowMs?: number }

/**
 * Subscription type → handler. Capabilities register here as they land; a type without a handler
 * is accepted, counted as "unhandled" in /metrics, and completed.
 */
export function createEventHandlers(p: HandlerPorts): Record<string, SubscriptionHandler> {
  const { index } = p;
  const window = { windowMs: p.batchWindowMs ?? 150, maxBatch: 100 };
  // Two threads of one new sender both count as "created by this conversation"; the contact is
  // onboarded once. The claim is atomic; if publishing fails it is released so the retry publishes.
  // (A process dying between claim and publish loses the event: the window is one Redis round trip.)
  const onboarded = async (c: OnboardedContact) => {
    const once = keys.idempotency(c.portalId, `onboarded:${c.contactId}`);
    if (!(await p.store.setIfAbsent(once, '1', ttl.idempotency))) return;
    await p.queue.enqueue([{
      id: `onboarded-${c.portalId}-${c.contactId}`,
      event: {
        eventId: 0, subscriptionId: 0, portalId: c.portalId, occurredAt: Date.now(), subscriptionType: CONTACT_ONBOARDED,
        attemptNumber: 0, objectId: Number(c.contactId), propertyValue: { email: c.email, threadId: c.threadId, companyId: c.companyId },
      },
    }]).catch(async (err: unknown) => { await p.store.del(once); throw err; });
  };
  const inbound = handleInboundConversation({
    index, upsert: contactUpserter(p.hubspot, window), associate: companyAssociator(p.hubspot, window), onboarded,
    outcomes: p.metrics.inboundSenders, conflicts: p.metrics.domainConflicts,
  });
  const companyChanged: SubscriptionHandler = async (_event, ctx) => { await index.invalidate(ctx.portalId); };
  const backfill: SubscriptionHandler = async (_event, ctx) => {
    await runBackfill(ctx.portalId, ctx.hubspot, ctx.store, ctx.settings, index);
  };
  const sendEmail: SubscriptionHandler = async (event, ctx) => {
    const parsed = emailJobPayload.safeParse(event.propertyValue);
    if (!parsed.success) throw new PermanentError(`email job payload is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    await p.email.service.send(ctx, parsed.data);
  };
  const rulePorts = emailQueuePort(p.queue);
  const ticketCreated: SubscriptionHandler = async (event, ctx) => {
    await runTicketRules(ctx, p.rules, rulePorts, String(event.objectId), 'ticket.created', `event:${event.eventId}:${event.occurredAt}`);
  };
  const ticketChanged: SubscriptionHandler = async (event, ctx) => {
    if (event.propertyName !== 'subject') return;
    // Rules never react to a change the app itself made (a rule that sets the title).
    if (await isOwnWrite(ctx.store, ctx.portalId, String(event.objectId), 'subject', event.propertyValue)) return;
    await runTicketRules(ctx, p.rules, rulePorts, String(event.objectId), 'ticket.titleChanged', `event:${event.eventId}:${event.occurredAt}`);
  };
  return {
    [SEND_EMAIL]: sendEmail,
    'ticket.creation': ticketCreated,
    'ticket.propertyChange': ticketChanged,
    'conversation.creation': inbound,
    'conversation.newMessage': inbound,
    'company.creation': companyChanged,
    'company.deletion': companyChanged,
    'company.propertyChange': companyChanged,
    [BACKFILL]: backfill,
  };
}
