import type { Response, Router } from 'express';
import { z } from 'zod';
import { renderTemplate } from '../../email/email-template.js';
import { languageChain } from '../../email/template-repository.js';
import { describeZodError } from '../../platform/describe-zod-error.js';
import { isMissingScopes } from '../../hubspot/classify-failure.js';
import { credentialsTemplateFor, PortalAccess } from '../../portal/portal-access.js';
import { caps, keys, ttl } from '../../store/keys.js';
import { readTicket } from '../../tickets/ticket-snapshot.js';
import { rulePorts } from '../event-handlers.js';
import type { ExtensionsDeps } from './extensions-deps.js';
import type { CardCaller } from './verify-extension-request.js';

const caller = (res: Response) => res.locals.caller as CardCaller;
const body = z.strictObject({ requestId: z.string().regex(/^[\w-]{8,64}$/, 'must be 8–64 letters, digits, - or _ (one per click, so a retried request replies once)') });

type Thread = { id: string; originalChannelId: string; originalChannelAccountId: string };
/** What a quick reply did, as the ticket card lists it (never the reply's text: it holds a one-time link). */
export interface PortalReply { at: string; by: string; channel: 'thread' | 'email'; threadId?: string; to: string; template: string; language: string; /** Why an email went instead: no thread, no agent to post as, or the scope is missing. */ why?: 'no-thread' | 'no-user' | 'scope' }

/**
 * The article's manual process, in one click: the agent answers the customer's ticket with a reply
 * that holds the portal's address, the username and the password part (a one-time link), on the
 * ticket's own conversation thread, in the customer's language. A ticket without a thread gets the
 * credentials email instead.
 */
export function replyRoutes(r: Router, deps: ExtensionsDeps): void {
  const plan = async (res: Response, ticketId: string) => {
    const { portalId } = caller(res);
    const settings = (await deps.settings.read(portalId)).settings;
    const ctx = { portalId, hubspot: deps.hubspot, store: deps.store, settings, log: res.locals.log };
    const { requesterId } = await readTicket(portalId, ticketId, deps.hubspot, { requester: true, company: false });
    if (!requesterId) return { error: 'this ticket has no requester contact: associate the customer with the ticket first' } as const;
    const contact = (await deps.hubspot.call(portalId, 'crm.contacts.get', (c) => c.crm.contacts.basicApi.getById(requesterId, ['email', 'firstname', 'hs_language']))).properties;
    if (!contact.email) return { error: 'the ticket\'s requester has no email address: the portal username is the email address' } as const;
    const threads = await deps.hubspot.request<{ results: Thread[] }>(portalId, 'conversations.threads.list', {
      method: 'GET', path: '/conversations/v3/conversations/threads', qs: { associatedTicketId: ticketId, limit: '1' },
    });
    const account = await deps.portal.accounts.get(portalId, requesterId);
    const template = credentialsTemplateFor(account);
    const language = languageChain(contact.hs_language, settings.defaultLanguage)[0]!;
    return { ctx, requesterId, contact, thread: threads.results[0], needsAccess: !account || account.state === 'disabled', template, language };
  };

  r.get('/tickets/:ticketId/portal-reply', async (req, res) => {
    const raw = await deps.store.range(keys.portalReplies(caller(res).portalId, String(req.params.ticketId)), 0, -1);
    res.json({ replies: raw.map((x) => JSON.parse(x) as PortalReply) });
  });

  /** What the reply would say (no link is made, nothing changes), and where it would go. */
  r.post('/tickets/:ticketId/portal-reply/preview', async (req, res) => {
    const p = await plan(res, String(req.params.ticketId));
    if ('error' in p) return void res.status(409).json({ message: p.error });
    const tpl = await deps.email.templates.get(p.ctx.portalId, p.template, p.language);
    const rendered = renderTemplate(tpl, deps.email.registry, { contact: p.contact }, PortalAccess.previewValues(p.ctx, p.contact.email!));
    res.json({ channel: p.thread ? 'thread' : 'email', threadId: p.thread?.id, to: p.contact.email, language: p.language, template: p.template, needsAccess: p.needsAccess, subject: rendered.subject, text: rendered.text });
  });

  r.post('/tickets/:ticketId/portal-reply', async (req, res) => {
    const parsed = body.safeParse(res.locals.json ?? {});
    if (!parsed.success) return void res.status(400).json({ message: describeZodError(parsed.error) });
    const { portalId, userId, userEmail } = caller(res);
    const ticketId = String(req.params.ticketId);
    // Once per click: a retried request finds what the first one did.
    const once = keys.idempotency(portalId, `portal-reply:${ticketId}:${parsed.data.requestId}`);
    if (!(await deps.store.setIfAbsent(once, 'running', ttl.idempotency))) {
      const done = await deps.store.get(once);
      return void res.status(done === 'running' ? 409 : 200).json(done === 'running' ? { message: 'this reply is being sent right now' } : JSON.parse(done!));
    }
    try {
      const p = await plan(res, ticketId);
      if ('error' in p) { await deps.store.del(once); return void res.status(409).json({ message: p.error }); }
      const by = userEmail ?? `user ${userId ?? 'unknown'}`;
      if (p.needsAccess) await deps.portal.access.grant(p.ctx, p.requesterId, by, `quick reply on ticket ${ticketId}`);
      let reply: PortalReply;
      let posted = false;
      let why: PortalReply['why'];
      if (p.thread && userId) {
        const values = await deps.portal.access.credentialValues(p.ctx, p.requesterId, p.template === 'portal-reset' ? 'reset' : 'welcome');
        const rendered = renderTemplate(await deps.email.templates.get(portalId, p.template, p.language), deps.email.registry, { contact: p.contact }, values);
        posted = await deps.hubspot.request(portalId, 'conversations.messages.create', {
          method: 'POST', path: `/conversations/v3/conversations/threads/${p.thread.id}/messages`,
          body: {
            type: 'MESSAGE', text: rendered.text, richText: rendered.html, subject: rendered.subject, attachments: [],
            senderActorId: `A-${userId}`, channelId: p.thread.originalChannelId, channelAccountId: p.thread.originalChannelAccountId,
            recipients: [{ deliveryIdentifiers: [{ type: 'HS_EMAIL_ADDRESS', value: p.contact.email! }] }],
          },
        }).then(() => true, (err: unknown) => {
          // An install without the optional conversations.write scope cannot post: the email goes instead.
          if (isMissingScopes(err)) { why = 'scope'; return false; }
          throw err;
        });
      } else why = p.thread ? 'no-user' : 'no-thread';
      if (posted) {
        reply = { at: new Date().toISOString(), by, channel: 'thread', threadId: p.thread!.id, to: p.contact.email!, template: p.template, language: p.language };
      } else {
        await rulePorts(deps.queue).queueEmail(portalId, { cause: `reply:${ticketId}:${parsed.data.requestId}`, template: p.template, contactId: p.requesterId, ticketId });
        reply = { at: new Date().toISOString(), by, channel: 'email', why, to: p.contact.email!, template: p.template, language: p.language };
      }
      await deps.store.pushCapped(keys.portalReplies(portalId, ticketId), JSON.stringify(reply), caps.portalReplies, ttl.portalReplies);
      await deps.store.set(once, JSON.stringify(reply), ttl.idempotency);
      res.status(201).json(reply);
    } catch (err) {
      // A reply whose answer was lost may have been posted: the card says to look at the thread.
      await deps.store.del(once);
      throw err;
    }
  });
}
