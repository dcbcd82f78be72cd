import { crashPoint } from '../platform/crash-points.js';
import { readById, type RecordReader } from '../hubspot/record-reader.js';
import type { TimelineCopyBatch } from './timeline-copy.js';
import { createHash } from 'node:crypto';
import { normalizeEmail } from '../contacts/normalize-email.js';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import { isPermanent, PermanentError, TransientError } from '../queue/errors.js';
import type { Settings } from '../settings/settings-schema.js';
import { caps, keys, ttl } from '../store/keys.js';
import { LockBusyError, type Store } from '../store/store.js';
import type { TemplateName } from './default-templates.js';
import { renderTemplate, withoutSecrets, type RenderedEmail } from './email-template.js';
import type { SnippetRegistry } from './snippets.js';
import { languageChain, type TemplateRepository } from './template-repository.js';
import { rememberContactData } from '../contacts/contact-data.js';
import type { EmailTransport } from './transports.js';
import { TimelineCopies } from './timeline-copy.js';

export interface SendRequest {
  /** The cause, e.g. "credentials:<contactId>:<ticketId>": the same cause never sends twice. */
  cause: string;
  template: TemplateName;
  contactId: string;
  ticketId?: string;
  /** Values of module snippets (portal credentials), made in-process at send time; never queued. */
  extra?: Record<string, string>;
  /**
   * Makes module snippet values at the moment of sending, after the "already sent?" and
   * suppression checks, so a redelivered job never mints a second one-time link.
   */
  makeExtra?: () => Promise<Record<string, string>>;
  /**
   * An address that is not a contact (a support contact who is a HubSpot user or a plain address):
   * then `contactId` names where the email is logged (the company), no contact is read, and the
   * account's language is used.
   */
  recipient?: { email: string; companyId: string };
  /** The company the email is about ({[Company Name]}), when it is not the recipient's own (an issue report). */
  companyId?: string;
}

/** Why an email was not sent, for the cards to say in the agent's language (others: HubSpot's or the server's own words). */
export type EmailReasonCode = 'no-address' | 'unsubscribed' | 'bounced' | 'no-reply' | 'loop-stop';

export interface EmailRecord {
  cause: string;
  template: TemplateName;
  contactId: string;
  to: string | null;
  state: 'sent' | 'failed' | 'suppressed';
  /** In English for logs and the API; the cards say it in the agent's language from `reasonCode`. */
  reason?: string;
  reasonCode?: EmailReasonCode;
  /** The hourly cap that stopped a loop (reasonCode loop-stop). */
  limit?: number;
  transport?: string;
  language?: string;
  engagementId?: string;
  /** The copy on the contact's timeline: made once HubSpot has it ('pending' until then). */
  timeline?: 'pending' | 'done' | 'failed';
  at: string;
}

export interface EmailContext { portalId: number; hubspot: HubSpotGateway; store: Store; settings: Settings; batches?: { records: RecordReader; timelineCopies: TimelineCopyBatch } }

const CONTACT_PROPS = ['email', 'firstname', 'lastname', 'hs_language', 'hs_email_optout', 'hs_email_hard_bounce_reason_enum', 'associatedcompanyid'];

/**
 * Renders a template for a contact and sends it once per cause: suppression and loop protection
 * first, the language chain for the content, the account's transport for delivery, and a copy
 * without secrets on the contact's timeline. Every outcome is recorded where agents can see it.
 */
/** One send per account, cause and template: the key its record is kept under. */
export const sendKey = (portalId: number, cause: string, template: string) => createHash('sha256').update(`${portalId}:${cause}:${template}`).digest('base64url').slice(0, 32);

/** What became of one cause's email (the rules' "queued" actions read it). */
export async function emailOutcome(store: Store, portalId: number, cause: string, template: string): Promise<EmailRecord | null> {
  const raw = await store.get(keys.emailSend(portalId, sendKey(portalId, cause, template)));
  return raw ? JSON.parse(raw) as EmailRecord : null;
}

export class EmailService {
  private readonly copies = new TimelineCopies();

  constructor(private readonly d: { templates: TemplateRepository; registry: SnippetRegistry; transport: (ctx: EmailContext) => Promise<EmailTransport>; lockMs?: number }) {}

  async send(ctx: EmailContext, req: SendRequest): Promise<EmailRecord> {
    const key = sendKey(ctx.portalId, req.cause, req.template);
    // One sender per cause at a time: a redelivered job waits its turn and then finds the record.
    try {
      return await ctx.store.withLock(`${keys.emailSend(ctx.portalId, key)}:lock`, this.d.lockMs ?? 60_000, () => this.sendOnce(ctx, req, key));
    } catch (err) {
      if (err instanceof LockBusyError) throw new TransientError('this email is being sent by another worker right now', 1000);
      throw err;
    }
  }

  private async sendOnce(ctx: EmailContext, req: SendRequest, key: string): Promise<EmailRecord> {
    const previous = await ctx.store.get(keys.emailSend(ctx.portalId, key));
    if (previous) {
      const record = JSON.parse(previous) as EmailRecord;
      // Sent, its timeline copy not yet made: only the copy is left to do (never the email again).
      if (record.state === 'sent' && record.timeline === 'pending') return this.finishCopy(ctx, key, record);
      if (record.state !== 'failed') return record;
    }
    const base = { cause: req.cause, template: req.template, contactId: req.contactId, at: new Date().toISOString() };
    const contact: Record<string, string | null> = req.recipient
      ? { email: req.recipient.email, associatedcompanyid: req.recipient.companyId }
      : await readById(ctx, 'contacts', req.contactId, CONTACT_PROPS);
    const to = normalizeEmail(contact.email ?? '');
    const why: [EmailReasonCode, string] | undefined = !to ? ['no-address', 'the contact has no email address']
      : contact.hs_email_optout === 'true' ? ['unsubscribed', 'the contact unsubscribed from all email']
        : contact.hs_email_hard_bounce_reason_enum ? ['bounced', `earlier email to ${to.email} bounced (${contact.hs_email_hard_bounce_reason_enum})`]
          : ctx.settings.inbound.ignoredSenders.some((p) => to.local === p || to.email === p || p === `@${to.domain}`) ? ['no-reply', `${to.email} is a no-reply address`] : undefined;
    if (why) return this.record(ctx, key, { ...base, to: to?.email ?? null, state: 'suppressed', reason: why[1], reasonCode: why[0] });

    // Counted once per cause, so a retried send does not count against its own recipient. Issue
    // reports to support contacts are counted apart from customers' emails, with their own cap.
    const isReport = req.template === 'support-issue-report';
    const limit = isReport ? ctx.settings.supportContacts.maxReportsPerRecipientPerHour : ctx.settings.email.maxPerRecipientPerHour;
    const rateKey = keys.recipientRate(ctx.portalId, isReport ? `reports:${to!.email}` : to!.email, Math.floor(Date.now() / 3_600_000));
    await rememberContactData(ctx.store, ctx.portalId, req.contactId, rateKey);
    const firstTry = await ctx.store.setIfAbsent(keys.idempotency(ctx.portalId, `rate-counted:${key}`), '1', 3600);
    const sent = firstTry ? await ctx.store.increment(rateKey, 3600) : Number(await ctx.store.get(rateKey) ?? 0);
    if (sent > limit) {
      const reason = `more than ${limit} ${isReport ? 'issue reports' : 'emails'} to ${to!.email} in one hour: stopped as a possible loop`;
      await this.record(ctx, key, { ...base, to: to!.email, state: 'failed', reason, reasonCode: 'loop-stop', limit });
      throw new PermanentError(reason);
    }

    const companyId = req.companyId ?? contact.associatedcompanyid;
    const company = companyId
      ? await readById(ctx, 'companies', companyId, ['name', 'domain'])
      : undefined;
    const ticket = req.ticketId ? await readTicketForEmail(ctx, req.ticketId) : undefined;
    const extra = { ...(req.extra ?? {}), ...(req.makeExtra ? await req.makeExtra() : {}) };
    const { rendered, language } = await this.render(ctx, { ...req, extra }, { contact, company, ticket });

    const transport = await this.d.transport(ctx);
    try {
      await transport.send(ctx.portalId, { to: to!.email, templateName: req.template, rendered, contactId: req.contactId }, key);
    } catch (err) {
      if ((err as { permanent?: boolean }).permanent) await this.record(ctx, key, { ...base, to: to!.email, state: 'failed', reason: (err as Error).message, transport: transport.kind, language });
      throw err;
    }
    // The email is out: it is recorded as sent before anything else can fail, so no retry sends
    // it again. A recipient who is not a contact has no timeline; for a contact the copy (without
    // secrets) is kept and made exactly once (timeline-copy.ts), by this attempt or the next.
    const outcome: EmailRecord = { ...base, to: to!.email, state: 'sent', transport: transport.kind, language };
    if (req.recipient) return this.record(ctx, key, outcome);
    // The copy is kept before the record says "copy pending": a crash between the two sends again
    // through the transport's key (one message) and keeps the copy again. The other order lost
    // the copy: the record said pending, and nothing was kept to make it from.
    const pending: EmailRecord = { ...outcome, timeline: 'pending' };
    await this.copies.keep(ctx, key, req.contactId, withoutSecrets(rendered));
    crashPoint('email.copy-kept');
    await this.saveSendRecord(ctx, key, pending);
    return this.finishCopy(ctx, key, pending);
  }

  /**
   * Makes the timeline copy, then records the email where agents see it (once, with how its copy
   * went); HubSpot refusing the copy for good is noted there, never a reason to send again.
   */
  private async finishCopy(ctx: EmailContext, key: string, record: EmailRecord): Promise<EmailRecord> {
    try {
      const outcome = await this.copies.finish(ctx, key);
      return this.record(ctx, key, outcome.state === 'done'
        ? { ...record, timeline: 'done', engagementId: outcome.engagementId }
        : { ...record, timeline: 'failed', reason: 'sent; the timeline copy was given up after 7 days' });
    } catch (err) {
      if (!isPermanent(err)) throw err;
      return this.record(ctx, key, { ...record, timeline: 'failed', reason: `sent; the timeline copy was not made: ${(err as Error).message}` });
    }
  }

  private async render(ctx: EmailContext, req: SendRequest, input: Parameters<typeof renderTemplate>[2]): Promise<{ rendered: RenderedEmail; language: string }> {
    for (const language of languageChain(input.contact?.hs_language, ctx.settings.defaultLanguage)) {
      const rendered = renderTemplate(await this.d.templates.get(ctx.portalId, req.template, language), this.d.registry, input, req.extra ?? {});
      if (rendered.subject && (rendered.text.trim() || rendered.html.replace(/<[^>]*>/g, '').trim())) return { rendered, language };
    }
    throw new PermanentError(`template ${req.template} renders an empty message in every language it has`);
  }

  /** What the next attempt of this cause reads first (sent, failed, suppressed, copy pending). */
  private async saveSendRecord(ctx: EmailContext, key: string, record: EmailRecord): Promise<void> {
    await ctx.store.set(keys.emailSend(ctx.portalId, key), JSON.stringify(record), ttl.idempotency);
    await rememberContactData(ctx.store, ctx.portalId, record.contactId, keys.emailSend(ctx.portalId, key));
  }

  private async record(ctx: EmailContext, key: string, record: EmailRecord): Promise<EmailRecord> {
    await this.saveSendRecord(ctx, key, record);
    await ctx.store.pushCapped(keys.emailLog(ctx.portalId, record.contactId), JSON.stringify(record), caps.emailLog);
    return record;
  }

  /** What was sent, suppressed or failed for a contact, newest first. */
  async log(store: Store, portalId: number, contactId: string): Promise<EmailRecord[]> {
    return (await store.range(keys.emailLog(portalId, contactId), 0, -1)).map((r) => JSON.parse(r) as EmailRecord);
  }
}

/** Excerpt length of a ticket's description in an email. */
const EXCERPT = 300;

/**
 * The ticket's fields a template may use, with two made here: an excerpt of the description and
 * the ticket's address in HubSpot (app.hubspot.com; accounts in the EU data centre open it on
 * app-eu1 through HubSpot's own redirect).
 */
async function readTicketForEmail(ctx: EmailContext, ticketId: string): Promise<Record<string, string | null>> {
  const p = (await ctx.hubspot.call(ctx.portalId, 'crm.tickets.get', (c) => c.crm.tickets.basicApi.getById(ticketId, ['subject', 'content', 'hs_object_id', 'hs_ticket_priority']))).properties;
  const content = (p.content ?? '').replace(/\s+/g, ' ').trim();
  return { ...p, excerpt: content.length > EXCERPT ? `${content.slice(0, EXCERPT - 1)}…` : content, link: `https://app.hubspot.com/contacts/${ctx.portalId}/record/0-5/${ticketId}` };
}
