import type { Counter } from 'prom-client';
import type { DomainIndexCache } from '../companies/domain-index-cache.js';
import { matchDomain, type DomainMatch } from '../companies/domain-match.js';
import { freeMailDomains } from '../companies/free-mail.js';
import type { Coalescer } from '../hubspot/coalescer.js';
import { keys, ttl } from '../store/keys.js';
import type { AccountContext, SubscriptionHandler } from '../webhooks/route-event.js';
import type { UpsertResult } from './contact-upserter.js';
import type { PersonName } from './parse-display-name.js';
import { pickSender, type ThreadMessage } from './pick-sender.js';
import type { Thread, ThreadRead } from './thread-reader.js';

export interface OnboardedContact { portalId: number; contactId: string; email: string; threadId: string; companyId: string | null }

export interface InboundDeps {
  index: DomainIndexCache;
  /** Threads read together (thread-reader.ts). */
  threads: Coalescer<{ threadId: string; occurredAt: number }, ThreadRead>;
  upsert: Coalescer<{ email: string; name: PersonName }, UpsertResult>;
  associate: Coalescer<{ contactId: string; companyId: string }, void>;
  /** The internal "contact onboarded" event; the portal capability subscribes to it. */
  onboarded: (c: OnboardedContact) => Promise<void>;
  outcomes: Counter<'outcome'>;
  conflicts: Counter<string>;
}

export interface Filing { email: string; companyId: string | null; companyName?: string; matchedDomain?: string; reason: string; conflictsWith: string[]; at: string }

/**
 * conversation.creation / conversation.newMessage: the first incoming sender of a thread becomes a
 * contact if new, filed under the company owning the email domain. Each thread is resolved once:
 * the first event to claim it does the work, later ones for the same thread cost no HubSpot call.
 */
export function handleInboundConversation(d: InboundDeps): SubscriptionHandler {
  return async (event, ctx) => {
    const threadId = String(event.objectId ?? '');
    if (!threadId) return;
    const { store, portalId } = ctx;
    if (await store.get(keys.threadResolved(portalId, threadId))) return;
    const claim = `${event.subscriptionType}:${event.eventId}:${event.occurredAt}`;
    const claimed = await store.setIfAbsent(keys.threadClaim(portalId, threadId), claim, ttl.threadClaim);
    if (!claimed && (await store.get(keys.threadClaim(portalId, threadId))) !== claim) return;

    const { settings } = ctx;
    const base = `/conversations/v3/conversations/threads/${threadId}`;
    const read = await d.threads.add(portalId, { threadId, occurredAt: event.occurredAt });
    if ('error' in read) throw read.error;
    const thread: Thread = read.thread;
    const messages = thread.spam ? [] : await readMessages(ctx, base);
    const verdict = pickSender(thread, [...messages].sort(byCreatedAt), settings);
    if (verdict.kind === 'ignored') {
      // A thread with no incoming message yet (an agent wrote first) stays open for later events.
      if (verdict.reason !== 'no-incoming-message') await resolve(ctx, threadId);
      else await store.del(keys.threadClaim(portalId, threadId));
      d.outcomes.inc({ outcome: `ignored:${verdict.reason}` });
      ctx.log.info({ threadId, reason: verdict.reason, detail: verdict.detail }, 'sender ignored');
      return;
    }

    const contact = await d.upsert.add(portalId, { email: verdict.address.email, name: verdict.name });
    // "Created by this conversation": new in this upsert, or (after a retry) created since the thread began.
    const createdHere = contact.isNew || Date.parse(contact.createdAt) > Date.parse(thread.createdAt);
    if (!createdHere) {
      d.outcomes.inc({ outcome: 'existing' });
      await resolve(ctx, threadId);
      return;
    }
    const match = matchDomain(verdict.address.domain, await d.index.get(portalId, ctx.hubspot), {
      matchSubdomains: settings.inbound.matchSubdomains, freeMail: freeMailDomains(settings.inbound.freeMailAdditions), defaultCompanyId: settings.inbound.defaultCompanyId,
    });
    const companyId = match.kind === 'company' ? match.company.id : match.kind === 'default' ? match.companyId : null;
    if (companyId) await d.associate.add(portalId, { contactId: contact.contactId, companyId });
    if (match.kind === 'company' && match.conflictsWith.length) {
      d.conflicts.inc();
      ctx.log.warn({ domain: match.matchedDomain, chosen: match.company.id, others: match.conflictsWith.map((c) => c.id) }, 'several companies own this domain; the oldest was chosen');
    }
    await store.set(keys.contactFiling(portalId, contact.contactId), JSON.stringify(filing(verdict.address.email, match)), ttl.contactFiling);
    await d.onboarded({ portalId, contactId: contact.contactId, email: verdict.address.email, threadId, companyId });
    d.outcomes.inc({ outcome: 'created' });
    // Ids, the domain and the company: enough to follow what happened, no address in the log.
    ctx.log.info({ contactId: contact.contactId, threadId, domain: verdict.address.domain, companyId, filedBy: match.kind === 'company' ? 'domain' : match.reason }, 'contact created and filed');
    await resolve(ctx, threadId);
  };
}

/** Pages read at most to find the thread's first incoming email (a long thread started by an agent). */
const MAX_MESSAGE_PAGES = 10;

/** The thread's messages, page after page, until one page has an incoming email message (or the pages end). */
async function readMessages(ctx: AccountContext, base: string): Promise<ThreadMessage[]> {
  const all: ThreadMessage[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_MESSAGE_PAGES; page++) {
    const res = await ctx.hubspot.request<{ results: ThreadMessage[]; paging?: { next?: { after?: string } } }>(ctx.portalId, 'conversations.threads.messages.list', {
      method: 'GET', path: `${base}/messages`, qs: after ? { after } : undefined,
    });
    all.push(...res.results);
    after = res.paging?.next?.after;
    if (!after || res.results.some(isIncomingEmail)) break;
  }
  return all;
}

const isIncomingEmail = (m: ThreadMessage) => (m.type ?? 'MESSAGE') === 'MESSAGE' && m.direction === 'INCOMING' && Boolean(m.senders?.some((s) => s.deliveryIdentifier?.type === 'HS_EMAIL_ADDRESS'));

const byCreatedAt = (a: ThreadMessage & { createdAt?: string }, b: ThreadMessage & { createdAt?: string }) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '');

async function resolve(ctx: AccountContext, threadId: string): Promise<void> {
  await ctx.store.set(keys.threadResolved(ctx.portalId, threadId), '1', ttl.threadResolved);
}

function filing(email: string, m: DomainMatch): Filing {
  const at = new Date().toISOString();
  if (m.kind === 'company') return { email, companyId: m.company.id, companyName: m.company.name, matchedDomain: m.matchedDomain, reason: 'domain', conflictsWith: m.conflictsWith.map((c) => c.id), at };
  if (m.kind === 'default') return { email, companyId: m.companyId, reason: m.reason, conflictsWith: [], at };
  return { email, companyId: null, reason: m.reason, conflictsWith: [], at };
}

