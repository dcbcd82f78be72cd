import { z } from 'zod';
import { describeZodError } from '../platform/describe-zod-error.js';
import { checkEvent } from './webhook-edge.js';
import type { HubSpotEvent } from './event-schema.js';

/**
 * What a Webhooks Journal file holds. HubSpot's spec (webhooks-journal-2026-03.json) types only the
 * answer that points at the file (`currentOffset`, `url`, `expiresAt`), not the file itself, and
 * HubSpot's guide shows no example; so this is our reading, kept in this one module: a file is one
 * change, or an array of changes, each naming the account, the object (`objectTypeId` as in the
 * subscription: 0-1 contacts, 0-2 companies, 0-5 tickets), the action the subscription asked for
 * (CREATE, UPDATE, DELETE, MERGE, RESTORE, GDPR_DELETE) and, for an UPDATE, the changed properties.
 * Ids are bounded exactly as the webhook edge bounds them (the same schema checks the event made of it).
 */
const change = z.looseObject({
  portalId: z.unknown(),
  eventId: z.unknown().optional(),
  subscriptionId: z.unknown().optional(),
  appId: z.unknown().optional(),
  occurredAt: z.union([z.number(), z.string().max(40)]),
  objectTypeId: z.string().max(32),
  objectId: z.unknown(),
  action: z.enum(['CREATE', 'UPDATE', 'DELETE', 'MERGE', 'RESTORE', 'GDPR_DELETE', 'ASSOCIATION_ADDED', 'ASSOCIATION_REMOVED', 'SNAPSHOT', 'APP_INSTALL', 'APP_UNINSTALL', 'ADDED_TO_LIST', 'REMOVED_FROM_LIST']),
  changeSource: z.string().max(64).optional(),
  sourceId: z.string().max(128).optional(),
  /** UPDATE: the changed properties, name → new value (at most 100 per change). */
  properties: z.record(z.string().max(256), z.unknown()).refine((p) => Object.keys(p).length <= 100, 'names more than 100 properties').optional(),
  mergedObjectIds: z.array(z.unknown()).max(100).optional(),
  primaryObjectId: z.unknown().optional(),
  newObjectId: z.unknown().optional(),
});
export type JournalChange = z.infer<typeof change>;

/** A journal file is read up to this size and this many changes; a larger one is refused whole (and kept in the quarantine). */
export const MAX_JOURNAL_FILE_BYTES = 1024 * 1024;
export const MAX_CHANGES_PER_FILE = 1000;

/** The object types the app subscribes to in the journal, and the webhook names their events have. */
export const JOURNAL_OBJECTS = { '0-1': 'contact', '0-2': 'company', '0-5': 'ticket' } as const;

/**
 * The webhook events a journal change stands for: the same internal event the webhook edge makes,
 * so an event that arrives both ways has the same dedupe key (eventId, object, time, property).
 * UPDATE becomes one propertyChange per changed property, as HubSpot's webhooks send them.
 */
export function toWebhookEvents(c: JournalChange): Record<string, unknown>[] {
  const name = JOURNAL_OBJECTS[c.objectTypeId as keyof typeof JOURNAL_OBJECTS];
  if (!name) return [];
  const occurredAt = typeof c.occurredAt === 'number' ? c.occurredAt : Date.parse(c.occurredAt);
  const base = {
    eventId: c.eventId ?? occurredAt, subscriptionId: c.subscriptionId ?? 1, portalId: c.portalId, ...(c.appId !== undefined ? { appId: c.appId } : {}),
    occurredAt, attemptNumber: 0, objectId: c.objectId,
    ...(c.changeSource ? { changeSource: c.changeSource } : {}), ...(c.sourceId ? { sourceId: c.sourceId } : {}),
  };
  switch (c.action) {
    case 'CREATE': return [{ ...base, subscriptionType: `${name}.creation`, changeFlag: 'NEW' }];
    case 'DELETE': return [{ ...base, subscriptionType: `${name}.deletion`, changeFlag: 'DELETED' }];
    case 'GDPR_DELETE': return name === 'contact' ? [{ ...base, subscriptionType: 'contact.privacyDeletion' }] : [];
    case 'MERGE': return [{ ...base, subscriptionType: `${name}.merge`, mergedObjectIds: c.mergedObjectIds, primaryObjectId: c.primaryObjectId, newObjectId: c.newObjectId }];
    case 'UPDATE': return Object.entries(c.properties ?? {}).map(([propertyName, propertyValue]) => ({ ...base, subscriptionType: `${name}.propertyChange`, propertyName, propertyValue }));
    default: return [];
  }
}

export type ReadFile = { events: HubSpotEvent[]; invalid: { reason: string; portalId: number | null; raw: string }[] };

/**
 * A journal file's text as the events it holds, each checked exactly as the edge checks a webhook
 * event (schema, size, nesting); what does not pass is returned with its reason for the quarantine.
 */
export function readJournalFile(text: string, offset: string): ReadFile {
  const out: ReadFile = { events: [], invalid: [] };
  const refuse = (reason: string, raw: unknown, portalId: unknown = null) => out.invalid.push({
    reason: `journal entry ${offset}: ${reason}`, portalId: typeof portalId === 'number' && Number.isSafeInteger(portalId) ? portalId : null,
    raw: typeof raw === 'string' ? raw.slice(0, 16 * 1024) : JSON.stringify(raw)?.slice(0, 16 * 1024) ?? 'null',
  });
  if (text.length > MAX_JOURNAL_FILE_BYTES) { refuse(`file is ${text.length} bytes, more than ${MAX_JOURNAL_FILE_BYTES}`, text.slice(0, 1024)); return out; }
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { refuse('file is not valid JSON', text); return out; }
  const changes = Array.isArray(parsed) ? parsed : [parsed];
  if (changes.length > MAX_CHANGES_PER_FILE) { refuse(`file holds ${changes.length} changes, more than ${MAX_CHANGES_PER_FILE}`, text.slice(0, 1024)); return out; }
  for (const raw of changes) {
    const c = change.safeParse(raw);
    if (!c.success) { refuse(describeZodError(c.error), raw, (raw as { portalId?: unknown } | null)?.portalId); continue; }
    for (const event of toWebhookEvents(c.data)) {
      const checked = checkEvent(event);
      if (checked.ok) out.events.push(checked.event);
      else refuse(checked.reason, raw, c.data.portalId);
    }
  }
  return out;
}
