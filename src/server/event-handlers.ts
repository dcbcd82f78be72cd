import { runBackfill } from '../companies/backfill.js';
import { z } from 'zod';
import type { DomainIndexCache } from '../companies/domain-index-cache.js';
import { credentialTemplates, templateNames } from '../email/default-templates.js';
import type { Email } from '../email/create-email.js';
import { PermanentError } from '../queue/errors.js';
import type { RuleRepository } from '../tickets/rule-repository.js';
import { isOwnWrite, runTicketRules, type RulePorts } from '../tickets/run-ticket-rules.js';
import { companyAssociator, contactUpserter } from '../contacts/contact-upserter.js';
import { handleInboundConversation, type OnboardedContact } from '../contacts/handle-inbound-conversation.js';
import { threadReader } from '../contacts/thread-reader.js';
import { judgeRegistration, noteSelfRegistration } from '../portal/self-registration.js';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import type { EventQueue } from '../queue/event-queue.js';
import type { HubSpotEvent } from '../webhooks/event-schema.js';
import { keys, ttl } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { SubscriptionHandler } from '../webhooks/route-event.js';
import type { Metrics } from '../platform/metrics.js';
import type { Portal } from '../portal/create-portal.js';
import { reportIssue } from '../support-contacts/report-issue.js';
import { flagIfWithoutSupport } from '../support-contacts/support-contacts.js';
import { forgetContact } from '../contacts/forget-contact.js';
import type { DeadLetters } from '../queue/dead-letters.js';
import type { PortalAccess } from '../portal/portal-access.js';
import { crashPoint } from '../platform/crash-points.js';
import { completeWorkflowAction, emailNotSent, workflowCompletion } from '../hubspot/workflow-callbacks.js';

/** The internal event other capabilities subscribe to (the portal issue grants access on it). */
export const CONTACT_ONBOARDED = 'app.contact.onboarded';
/** HubSpot's changeSource for a change a person made: its web UI and its mobile apps. */
export const PEOPLE_SOURCES: ReadonlySet<string> = new Set(['CRM_UI', 'MOBILE_IOS', 'MOBILE_ANDROID']);
/** Runs an admin's backfill (domain matching for existing contacts) in a worker. */
export const BACKFILL = 'app.backfill';
/** Queues one templated email; the job id is its cause, so the same cause is queued once. */
async function queueEmailJob<J extends { cause: string }>(queue: EventQueue, portalId: number, job: J): Promise<void> {
  await queue.enqueue([{ id: `email-${portalId}-${job.cause.replace(/[^\w-]/g, '_')}`, event: {
    eventId: 0, subscriptionId: 0, portalId, occurredAt: Date.now(), subscriptionType: SEND_EMAIL, attemptNumber: 0, propertyValue: job,
  } }]);
}

/** "Email this address a new link if it has a portal account" (forgot password); the page's answer never waits on it. */
export const PORTAL_RESET = 'app.portal.reset';
/** "Give this address access if its domain is a customer company's" (self-registration); the page's answer never waits on it. */
export const PORTAL_REGISTER = 'app.portal.register';
/** "Email this address a sign-in code if it has an active account" (sign-in by code); the page's answer never waits on it. */
export const PORTAL_CODE = 'app.portal.sign-in-code';
/** One contact of a company's "grant access to all": access, then the credentials email. */
export const PORTAL_BULK_GRANT = 'app.portal.bulk-grant';

/** The rules' ports: an email is a queued job (retried, sent once per cause); portal access is granted in place. */
export function rulePorts(queue: EventQueue, portal?: PortalAccess): RulePorts {
  return {
    notifySupportContacts: async (ctx, ticketId) => {
      await reportIssue(ctx, ticketId, (job) => queueEmailJob(queue, ctx.portalId, job));
    },
    grantPortalAccess: async (ctx, contactId, why) => {
      if (!portal) throw new PermanentError('the portal capability is not running in this process');
      await portal.grant(ctx, contactId, 'rule', why);
    },
    queueEmail: (portalId, job) => queueEmailJob(queue, portalId, job),
    credentialsTemplate: async (ctx, contactId) => (portal ? portal.credentialsTemplate(ctx, contactId) : 'portal-credentials'),
  };
}

/** Sends one templated email; the payload names the cause, template and contact, never a secret. */
export const SEND_EMAIL = 'app.email.send';

export const emailJobPayload = z.object({
  cause: z.string().min(1).max(500), template: z.enum(templateNames),
  // A contact's id, or company-<id> for a support contact who is not a contact (the email is logged under the company).
  contactId: z.string().regex(/^(\d+|company-\d+)$/), ticketId: z.string().regex(/^\d+$/).optional(),
  recipient: z.object({ email: z.string().max(254), companyId: z.string().regex(/^\d+$/) }).optional(),
  companyId: z.string().regex(/^\d+$/).optional(),
  /** A sign-in code email's challenge (the browser and sign-in it is for): where the worker keeps the code's HMAC. */
  challenge: z.string().regex(/^[\w-]{43}$/).optional(),
  /** A workflow action's execution this email finishes (its callbackId and the outputs known when it was queued). */
  workflow: workflowCompletion.optional(),
});

export interface HandlerPorts { store: Store; hubspot: HubSpotGateway; queue: EventQueue; metrics: Metrics; index: DomainIndexCache; email: Email; rules: RuleRepository; portal: Portal; deadLetters: DeadLetters; batchWindowMs?: number }

const portalRequestPayload = z.object({ email: z.string().min(3).max(254), requestId: z.string().regex(/^[\w-]{8,64}$/), challenge: z.string().regex(/^[\w-]{43}$/).optional() });

/** The address and request id a portal page queued (a reset, a registration); `what` names it in the refusal. */
function portalRequest(event: HubSpotEvent, what: string): z.infer<typeof portalRequestPayload> {
  const parsed = portalRequestPayload.safeParse(event.propertyValue);
  if (!parsed.success) throw new PermanentError(`${what} payload is not valid: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return parsed.data;
}

/**
 * Subscription type → handler. Capabilities register here as they land; a type without a handler
 * is accepted, counted as "unhandled" in /metrics, and completed.
 */
export function createEventHandlers(p: HandlerPorts): Record<string, SubscriptionHandler> {
  const { index } = p;
  const window = { windowMs: p.batchWindowMs ?? 150, maxBatch: 100 };
  // Two threads of one new sender both count as "created by this conversation"; the contact is
  // onboarded once. Queued first, with the contact in the job id (BullMQ adds it once while it
  // exists); the onboarding marks itself done only after its effects, which are each idempotent
  // (the list add, the account, the email job keyed by its cause). A crash anywhere in between
  // runs it again; nothing is lost, nothing is sent twice.
  const onboardedKey = (portalId: number, contactId: string) => keys.idempotency(portalId, `onboarded:${contactId}`);
  const onboarded = async (c: OnboardedContact) => {
    if (await p.store.get(onboardedKey(c.portalId, c.contactId))) return;
    await p.queue.enqueue([{
      id: `onboarded-${c.portalId}-${c.contactId}`,
      event: {
        eventId: 0, subscriptionId: 0, portalId: c.portalId, occurredAt: Date.now(), subscriptionType: CONTACT_ONBOARDED,
        attemptNumber: 0, objectId: Number(c.contactId), propertyValue: { email: c.email, threadId: c.threadId, companyId: c.companyId },
      },
    }]);
    crashPoint('inbound.onboarding-queued');
  };
  const upsert = contactUpserter(p.hubspot, p.store, window);
  const associate = companyAssociator(p.hubspot, window);
  const inbound = handleInboundConversation({
    index, threads: threadReader(p.hubspot, { windowMs: window.windowMs, maxBatch: 500 }), upsert, associate, onboarded,
    outcomes: p.metrics.inboundSenders, conflicts: p.metrics.domainConflicts,
  });
  const companyChanged: SubscriptionHandler = async (event, ctx) => {
    if (event.propertyName === ctx.settings.supportContacts.customerProperty) {
      // A company that becomes a customer without a support contact is flagged, so an admin's list or report finds it.
      await flagIfWithoutSupport(ctx, String(event.objectId));
      return;
    }
    await index.invalidate(ctx.portalId);
  };
  const backfill: SubscriptionHandler = async (_event, ctx) => {
    await runBackfill(ctx.portalId, ctx.hubspot, ctx.store, ctx.settings, index);
  };
  const sendEmail: SubscriptionHandler = async (event, ctx) => {
    const parsed = emailJobPayload.safeParse(event.propertyValue);
    if (!parsed.success) throw new PermanentError(`email job payload is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const { template, contactId, challenge, workflow } = parsed.data;
    const makeExtra = template === 'portal-sign-in-code'
      ? async () => {
        if (!challenge) throw new PermanentError('a sign-in code email needs the challenge of the sign-in it is for');
        return { 'Portal Sign-in Code': await p.portal.codes.issue(ctx.portalId, challenge, contactId) };
      }
      : credentialTemplates.includes(template) ? () => p.portal.access.credentialValues(ctx, contactId, template === 'portal-reset' ? 'reset' : 'welcome') : undefined;
    const record = await p.email.service.send(ctx, { ...parsed.data, makeExtra });
    // A workflow action's email: its step waits (BLOCK) until it is known whether it went out. A send
    // that fails for good ends among the dead letters, which fail the step (failWorkflowOfDeadLetter).
    if (workflow) await completeWorkflowAction(ctx, workflow.callbackId, { ...workflow.outputFields, ...(record.state === 'sent' ? { hs_execution_state: 'SUCCESS', emailState: 'sent' } : emailNotSent(record.reason ?? record.state)) });
  };
  const ports = rulePorts(p.queue, p.portal.access);
  // The articles' "send an email to a newly added contact": access and credentials, once per contact.
  const contactOnboarded: SubscriptionHandler = async (event, ctx) => {
    if (!ctx.settings.portal.onboardNewContacts) return;
    const contactId = String(event.objectId);
    const done = onboardedKey(ctx.portalId, contactId);
    if (await p.store.get(done)) return;
    await p.portal.access.grant(ctx, contactId, 'app', 'new contact from the support inbox');
    crashPoint('onboarding.access-granted');
    await ports.queueEmail(ctx.portalId, { cause: `onboarding:${contactId}`, template: 'portal-credentials', contactId });
    await p.store.set(done, '1', ttl.idempotency);
  };
  // The article: credentials go out "after the automatic or manual creation of the contact", not
  // for imports. A contact a person made in HubSpot (its UI or mobile app) is onboarded like one
  // from the inbox; imports, this app's own contacts and other integrations' are left alone.
  const contactCreated: SubscriptionHandler = async (event, ctx) => {
    if (!PEOPLE_SOURCES.has(event.changeSource ?? '')) {
      ctx.log.debug({ contactId: event.objectId, changeSource: event.changeSource }, 'contact not made by a person in HubSpot: not onboarded');
      return;
    }
    await contactOnboarded(event, ctx);
  };
  const bulkGrant: SubscriptionHandler = async (event, ctx) => {
    const contactId = String(event.objectId);
    const by = String((event.propertyValue as { by?: unknown } | undefined)?.by ?? 'an agent').slice(0, 200);
    await p.portal.access.grant(ctx, contactId, by, 'granted to all contacts of the company');
    await ports.queueEmail(ctx.portalId, { cause: `bulk:${contactId}:${event.occurredAt}`, template: await p.portal.access.credentialsTemplate(ctx, contactId), contactId });
  };
  const portalReset: SubscriptionHandler = async (event, ctx) => {
    const { email, requestId } = portalRequest(event, 'password reset');
    const account = await p.portal.accounts.findByLogin(ctx.portalId, email);
    if (!account || account.state === 'disabled') return;
    // "Forgot password" is never a welcome: the reset email, whatever the account's state.
    await ports.queueEmail(ctx.portalId, { cause: `reset:${requestId}`, template: 'portal-reset', contactId: account.contactId });
  };
  // Sign-in by email code: only an active account gets the code; any other address nothing (the
  // page gave every address the same answer). The code itself is made when the email is sent.
  const portalCode: SubscriptionHandler = async (event, ctx) => {
    const { email, requestId, challenge } = portalRequest(event, 'sign-in code');
    if (!ctx.settings.portal.emailCode || !challenge) return;
    const account = await p.portal.accounts.findByLogin(ctx.portalId, email);
    if (account?.state !== 'active') return;
    await queueEmailJob(p.queue, ctx.portalId, { cause: `sign-in-code:${requestId}`, template: 'portal-sign-in-code', contactId: account.contactId, challenge });
  };
  // Self-registration: only an address of a customer company's domain gets access and the link to
  // choose a password; one that already has an account gets the reset link; anyone else nothing.
  const portalRegister: SubscriptionHandler = async (event, ctx) => {
    const { email, requestId } = portalRequest(event, 'registration');
    if (!ctx.settings.portal.selfRegistration) return;
    const verdict = await judgeRegistration(ctx, index, email);
    if (verdict.kind === 'refused') {
      ctx.log.info({ outcome: 'refused', reason: verdict.reason, domain: verdict.domain }, 'portal self-registration');
      return;
    }
    const account = await p.portal.accounts.findByLogin(ctx.portalId, verdict.email);
    if (account) {
      // An account an agent disabled stays disabled; any other gets the reset link, never a second welcome.
      if (account.state !== 'disabled') await ports.queueEmail(ctx.portalId, { cause: `register:${requestId}`, template: 'portal-reset', contactId: account.contactId });
      ctx.log.info({ outcome: account.state === 'disabled' ? 'disabled' : 'has-account', contactId: account.contactId }, 'portal self-registration');
      return;
    }
    const contact = await upsert.add(ctx.portalId, { email: verdict.email, name: {} });
    // A new contact is filed under the company its domain matched; an existing one keeps its company.
    if (contact.isNew) await associate.add(ctx.portalId, { contactId: contact.contactId, companyId: verdict.companyId });
    await p.portal.access.grant(ctx, contact.contactId, 'self-registration', 'asked for access on the sign-in page');
    await noteSelfRegistration(ctx, verdict.companyId, contact.contactId);
    await ports.queueEmail(ctx.portalId, { cause: `register:${requestId}`, template: 'portal-credentials', contactId: contact.contactId });
    ctx.log.info({ outcome: 'granted', contactId: contact.contactId, companyId: verdict.companyId, newContact: contact.isNew }, 'portal self-registration');
  };
  const ticketCreated: SubscriptionHandler = async (event, ctx) => {
    await runTicketRules(ctx, p.rules, ports, String(event.objectId), 'ticket.created', `event:${event.eventId}:${event.occurredAt}`);
    // The support contacts' issue report, unless the admin leaves it to the rules.
    if (ctx.settings.supportContacts.reports === 'every') await ports.notifySupportContacts(ctx, String(event.objectId));
  };
  const ticketChanged: SubscriptionHandler = async (event, ctx) => {
    if (event.propertyName !== 'subject') return;
    // Rules never react to a change the app itself made (a rule that sets the title).
    if (await isOwnWrite(ctx.store, ctx.portalId, String(event.objectId), 'subject', event.propertyValue)) return;
    await runTicketRules(ctx, p.rules, ports, String(event.objectId), 'ticket.titleChanged', `event:${event.eventId}:${event.occurredAt}`);
  };
  // HubSpot deleted a contact: drop what is tied to it; a privacy deletion erases the person everywhere.
  const forget = (privacy: boolean): SubscriptionHandler => async (event, ctx) => {
    const contactId = String(event.objectId ?? '');
    if (!contactId) return;
    const { erased } = await forgetContact({ store: ctx.store, accounts: p.portal.accounts, deadLetters: p.deadLetters }, ctx.portalId, contactId, privacy);
    ctx.log.info({ contactId, privacy, erased }, 'contact data erased');
  };
  // HubSpot's generic object events carry the type as objectTypeId; tickets are 0-5 and take the same route.
  const TICKET_TYPE_ID = '0-5';
  const objectCreated: SubscriptionHandler = async (event, ctx) => { if (event.objectTypeId === TICKET_TYPE_ID) await ticketCreated(event, ctx); };
  const objectChanged: SubscriptionHandler = async (event, ctx) => { if (event.objectTypeId === TICKET_TYPE_ID) await ticketChanged(event, ctx); };
  return {
    [SEND_EMAIL]: sendEmail,
    'contact.creation': contactCreated,
    'contact.deletion': forget(false),
    'contact.privacyDeletion': forget(true),
    'object.creation': objectCreated,
    'object.propertyChange': objectChanged,
    'ticket.creation': ticketCreated,
    'ticket.propertyChange': ticketChanged,
    'conversation.creation': inbound,
    'conversation.newMessage': inbound,
    'company.creation': companyChanged,
    'company.deletion': companyChanged,
    'company.propertyChange': companyChanged,
    [BACKFILL]: backfill,
    [CONTACT_ONBOARDED]: contactOnboarded,
    [PORTAL_RESET]: portalReset,
    [PORTAL_REGISTER]: portalRegister,
    [PORTAL_CODE]: portalCode,
    [PORTAL_BULK_GRANT]: bulkGrant,
  };
}
