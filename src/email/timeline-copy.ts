import { rememberContactData } from '../contacts/contact-data.js';
import { crashPoint } from '../platform/crash-points.js';
import { associationTypes } from '../hubspot/association-types.js';
import { isPermanent, TransientError } from '../queue/errors.js';
import { Coalescer } from '../hubspot/coalescer.js';
import { keys, ttl } from '../store/keys.js';
import type { RenderedEmail } from './email-template.js';
import { MaybeAppliedError, type HubSpotGateway } from '../hubspot/gateway.js';
import type { Store } from '../store/store.js';

/** What making a copy needs of the email's context; the worker's carries a batch for the creates. */
interface CopyContext { portalId: number; hubspot: HubSpotGateway; store: Store; batches?: { timelineCopies: TimelineCopyBatch } }

/** What the timeline copy will hold, kept until HubSpot has it. `ts` is its hs_timestamp: the marker it is found by. */
interface PendingCopy { contactId: string; ts: number; subject: string; text: string; html: string; attemptedAt?: number }

/** How many of the contact's emails are read, newest ids first, when looking for a copy. */
const LOOK_AT_MOST = 1000;

export type CopyOutcome = { state: 'done'; engagementId: string } | { state: 'none' };

/** The email engagement a copy is made as: its hs_timestamp is the send's marker, found again by find(). */
function copyInput(c: PendingCopy) {
  return {
    properties: {
      hs_timestamp: new Date(c.ts).toISOString(), hs_email_direction: 'EMAIL', hs_email_status: 'SENT',
      hs_email_subject: c.subject, hs_email_text: c.text, hs_email_html: c.html,
    },
    associations: [{ to: { id: c.contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId: associationTypes.emailToContact }] }],
  };
}

async function createOne(hubspot: HubSpotGateway, portalId: number, c: PendingCopy): Promise<string> {
  const created = await hubspot.call(portalId, 'crm.emails.create', (client) => client.crm.objects.emails.basicApi.create(copyInput(c) as never));
  return created.id;
}

const markerOf = (ts: number, subject: string | null | undefined) => `${ts}\u0000${subject ?? ''}`;

let lastMarkerTime = 0;
/**
 * The copy's hs_timestamp: now, but never the same millisecond twice in this process. Emails of
 * one batch window are sent in the same moment (their reads answer together), and a batch of
 * copies can only be matched back to its emails when their markers differ.
 */
function nextMarkerTime(): number {
  const now = Date.now();
  lastMarkerTime = now > lastMarkerTime ? now : lastMarkerTime + 1;
  return lastMarkerTime;
}

/**
 * The worker's timeline copies that are made within the batch window go to HubSpot as one
 * `emails/batch/create` (up to 100), where each used to be its own create. Each created copy is
 * matched to its email by its marker (hs_timestamp and subject), so copies whose markers repeat
 * within a batch are made on their own. The batch is no more repeatable than a single create:
 * an unclear answer fails every copy of it with MaybeAppliedError (each job then looks for its
 * copy before making it again, as after a single create); a refusal made nothing, so each copy is
 * then made on its own and a bad one fails only its own job.
 */
export class TimelineCopyBatch {
  private readonly batch: Coalescer<PendingCopy, { id: string } | { error: unknown }>;

  constructor(hubspot: HubSpotGateway, o: { windowMs: number; maxBatch: number } = { windowMs: 150, maxBatch: 100 }) {
    this.batch = new Coalescer<PendingCopy, { id: string } | { error: unknown }>(async (portalId, inputs) => {
      const out = new Array<{ id: string } | { error: unknown }>(inputs.length);
      const markers = new Set<string>();
      const together: number[] = [];
      const alone: number[] = [];
      inputs.forEach((c, i) => {
        const m = markerOf(c.ts, c.subject);
        if (markers.has(m)) alone.push(i);
        else { markers.add(m); together.push(i); }
      });
      if (together.length > 1) {
        try {
          const answer = await hubspot.request<{ results: { id: string; properties: Record<string, string | null> }[] }>(portalId, 'crm.emails.batch.create', {
            method: 'POST', path: '/crm/v3/objects/emails/batch/create', body: { inputs: together.map((i) => copyInput(inputs[i]!)) },
          });
          const made = new Map(answer.results.map((r) => [markerOf(Date.parse(r.properties.hs_timestamp ?? ''), r.properties.hs_email_subject), String(r.id)]));
          for (const i of together) {
            const id = made.get(markerOf(inputs[i]!.ts, inputs[i]!.subject));
            out[i] = id ? { id } : { error: new MaybeAppliedError('crm.emails.batch.create', 'its answer lacks this copy') };
          }
        } catch (error) {
          if (error instanceof MaybeAppliedError || !isPermanent(error)) for (const i of together) out[i] = { error };
          else alone.push(...together);
        }
      } else alone.push(...together);
      await Promise.all(alone.map(async (i) => {
        try { out[i] = { id: await createOne(hubspot, portalId, inputs[i]!) }; } catch (error) { out[i] = { error }; }
      }));
      return out;
    }, o);
  }

  async create(portalId: number, copy: PendingCopy): Promise<string> {
    const made = await this.batch.add(portalId, copy);
    if ('error' in made) throw made.error;
    return made.id;
  }
}

/**
 * Every sent email gets exactly one copy on the contact's timeline. HubSpot's emails object takes
 * no idempotency key (crm-emails-v3: no unique property), so each copy carries a marker unique to
 * its send, the hs_timestamp chosen when it was sent, and a create that may have been applied
 * (no clean answer) is never made again before the contact's emails were searched for that marker.
 * The contact's associations are read for that, not the search API: a record just created is
 * associated at once but can take seconds to reach search's index.
 */
export class TimelineCopies {
  /** Called once the email is out, before anything that could fail: the copy to make, without secrets. */
  async keep(ctx: CopyContext, sendKey: string, contactId: string, copy: RenderedEmail): Promise<void> {
    const pending: PendingCopy = { contactId, ts: nextMarkerTime(), subject: copy.subject, text: copy.text, html: copy.html };
    const key = keys.timelineCopy(ctx.portalId, sendKey);
    await ctx.store.set(key, JSON.stringify(pending), ttl.timelineCopy);
    await rememberContactData(ctx.store, ctx.portalId, contactId, key);
  }

  /**
   * Makes the kept copy, or finds the one an earlier attempt made. A failure that leaves it unclear
   * is a TransientError, so the job is retried and the next attempt looks first.
   */
  async finish(ctx: CopyContext, sendKey: string): Promise<CopyOutcome> {
    const key = keys.timelineCopy(ctx.portalId, sendKey);
    const raw = await ctx.store.get(key);
    if (!raw) return { state: 'none' };
    const pending = JSON.parse(raw) as PendingCopy;
    const found = pending.attemptedAt !== undefined ? await this.find(ctx, pending) : undefined;
    if (found) { await ctx.store.del(key); return { state: 'done', engagementId: found }; }
    await ctx.store.set(key, JSON.stringify({ ...pending, attemptedAt: Date.now() }), ttl.timelineCopy);
    let id: string;
    try {
      id = await this.create(ctx, pending);
    } catch (err) {
      if (err instanceof MaybeAppliedError) throw new TransientError(`${err.message}: the copy is looked for before it is made again`, 2000, { cause: err });
      throw err;
    }
    crashPoint('email.timeline-created');
    await ctx.store.del(key);
    return { state: 'done', engagementId: id };
  }

  private async create(ctx: CopyContext, c: PendingCopy): Promise<string> {
    return ctx.batches ? ctx.batches.timelineCopies.create(ctx.portalId, c) : createOne(ctx.hubspot, ctx.portalId, c);
  }

  /** The copy an earlier attempt made: among the contact's emails, the one with this send's hs_timestamp and subject. */
  private async find(ctx: CopyContext, c: PendingCopy): Promise<string | undefined> {
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await ctx.hubspot.request<{ results: { toObjectId: string | number }[]; paging?: { next?: { after?: string } } }>(ctx.portalId, 'crm.associations.v4.read', {
        method: 'GET', path: `/crm/v4/objects/contacts/${c.contactId}/associations/emails`, qs: { limit: '500', ...(after ? { after } : {}) },
      });
      ids.push(...page.results.map((r) => String(r.toObjectId)));
      after = page.paging?.next?.after;
    } while (after && ids.length < 20 * 500);
    // HubSpot's ids grow with time: the copy is among the newest.
    const newest = ids.sort((a, b) => Number(b) - Number(a)).slice(0, LOOK_AT_MOST);
    for (let i = 0; i < newest.length; i += 100) {
      const batch = await ctx.hubspot.request<{ results: { id: string; properties: Record<string, string | null> }[] }>(ctx.portalId, 'crm.emails.batch.read', {
        method: 'POST', path: '/crm/v3/objects/emails/batch/read',
        body: { inputs: newest.slice(i, i + 100).map((id) => ({ id })), properties: ['hs_timestamp', 'hs_email_subject'], propertiesWithHistory: [] },
      });
      const match = batch.results.find((e) => Date.parse(e.properties.hs_timestamp ?? '') === c.ts && e.properties.hs_email_subject === c.subject);
      if (match) return match.id;
    }
    return undefined;
  }
}
