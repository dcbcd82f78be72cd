import { z } from 'zod';

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(Number);

/**
 * One webhook event as HubSpot sends it. Only what every event carries is required; the rest
 * (objectId, propertyName, messageId, association ids, ...) depends on the subscription type.
 */
export const hubSpotEventSchema = z.looseObject({
  eventId: id,
  subscriptionId: id,
  portalId: id,
  appId: id.optional(),
  occurredAt: z.number().int().nonnegative(),
  subscriptionType: z.string().min(1),
  attemptNumber: z.number().int().nonnegative(),
  objectId: id.optional(),
  objectTypeId: z.string().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.unknown().optional(),
  changeSource: z.string().optional(),
  changeFlag: z.string().optional(),
  messageId: z.string().optional(),
  messageType: z.string().optional(),
});

export type HubSpotEvent = z.infer<typeof hubSpotEventSchema>;

export const MAX_EVENTS_PER_REQUEST = 100;

export const webhookBatchSchema = z
  .array(hubSpotEventSchema, { error: 'body must be a JSON array of HubSpot events' })
  .min(1, 'body is an empty array: expected 1 to 100 events')
  .max(MAX_EVENTS_PER_REQUEST, `more than ${MAX_EVENTS_PER_REQUEST} events in one request`);
