import { createHash } from 'node:crypto';
import type { HubSpotEvent } from './event-schema.js';

/**
 * HubSpot says eventId alone is not unique, and a retry changes attemptNumber only; so the key
 * is built from what identifies the change itself. attemptNumber is left out on purpose.
 */
export function dedupeKey(e: HubSpotEvent): string {
  const parts = [
    e.portalId, e.subscriptionType, e.objectId ?? '', e.occurredAt, e.eventId, e.subscriptionId,
    e.propertyName ?? '', typeof e.propertyValue === 'string' ? e.propertyValue : JSON.stringify(e.propertyValue ?? ''),
    e.messageId ?? '', e.changeFlag ?? '',
  ];
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
}
