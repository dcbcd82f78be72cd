import { createHash } from 'node:crypto';
import type { HubSpotEvent } from './event-schema.js';

/** The fields that say which change an event reports; every one of them is bounded by the event schema. */
export const IDENTIFYING_FIELDS = [
  'portalId', 'subscriptionType', 'objectTypeId', 'objectId', 'occurredAt', 'eventId', 'propertyName',
  'messageId', 'changeFlag', 'fromObjectId', 'toObjectId', 'associationType', 'associationTypeId', 'associationCategory',
  'associationRemoved', 'isPrimaryAssociation', 'primaryObjectId', 'newObjectId', 'mergedObjectIds',
] as const;

/**
 * HubSpot says eventId alone is not unique, and a retry changes attemptNumber only; so the key
 * is built from every field that identifies the change itself (two association events can share
 * an eventId and differ only in their objects). The subscription is not part of it: the same change
 * reaches the app through a webhook subscription and a journal subscription (different ids), and
 * must have one effect. attemptNumber is left out on purpose; a property
 * value counts only as a short string, never as a whole (possibly huge or deep) value.
 */
export function dedupeKey(e: HubSpotEvent): string {
  const parts: string[] = IDENTIFYING_FIELDS.map((f) => {
    const v = e[f];
    return v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v);
  });
  const value = e.propertyValue;
  parts.push(typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value).slice(0, 1024) : value === undefined || value === null ? '' : 'object');
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
}
