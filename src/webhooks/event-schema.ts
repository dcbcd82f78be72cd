import { z } from 'zod';

const SAFE = 'must be a positive whole number no larger than 2^53 - 1';
/** HubSpot's ids: positive and exact. A larger number (or digit string) would be rounded into another id, so it is refused. */
const id = z.union([
  z.number({ error: SAFE }).refine((n) => Number.isSafeInteger(n) && n > 0, SAFE),
  z.string().regex(/^[1-9]\d{0,15}$/, SAFE).transform(Number).refine(Number.isSafeInteger, SAFE),
], { error: SAFE });
const text = (max: number) => z.string().max(max, `is longer than ${max} characters`);

/**
 * One webhook event as HubSpot sends it. Only what every event carries is required; the rest
 * (objectId, propertyName, messageId, association ids, ...) depends on the subscription type.
 */
export const hubSpotEventSchema = z.looseObject({
  eventId: id,
  subscriptionId: id,
  portalId: id,
  appId: id.optional(),
  occurredAt: z.number().int().nonnegative().refine(Number.isSafeInteger, SAFE),
  // "object.creation", "conversation.newMessage"...; "app." names our internal jobs and never comes from HubSpot.
  subscriptionType: z.string().max(64, 'is longer than 64 characters').regex(/^(?!app\.)[a-z][A-Za-z]*\.[A-Za-z]+$/, 'is not a HubSpot subscription type (like ticket.creation)'),
  attemptNumber: z.number().int().nonnegative().max(100),
  objectId: id.optional(),
  objectTypeId: text(32).optional(),
  propertyName: text(256).optional(),
  propertyValue: z.unknown().optional(),
  changeSource: text(64).optional(),
  /** Who made the change, by kind: "userId:123" for a person in HubSpot, the app id for an integration. */
  sourceId: text(128).optional(),
  changeFlag: text(64).optional(),
  messageId: text(128).optional(),
  messageType: text(64).optional(),
  fromObjectId: id.optional(),
  toObjectId: id.optional(),
  associationType: text(64).optional(),
  associationTypeId: z.number().int().optional(),
  associationCategory: text(64).optional(),
  associationRemoved: z.boolean().optional(),
  isPrimaryAssociation: z.boolean().optional(),
  primaryObjectId: id.optional(),
  newObjectId: id.optional(),
  mergedObjectIds: z.array(id).max(100).optional(),
});

/** Bounds HubSpot's events never come near: one event's JSON and a property value's nesting. */
export const MAX_EVENT_BYTES = 64 * 1024;
export const MAX_VALUE_DEPTH = 16;

/** Nesting depth of a JSON value, walked without recursion (a 40,000-deep value must not overflow the stack). */
export function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    deepest = Math.max(deepest, d);
    if (deepest > limit) return deepest;
    if (v && typeof v === 'object') for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

export type HubSpotEvent = z.infer<typeof hubSpotEventSchema>;

export const MAX_EVENTS_PER_REQUEST = 100;

/** The batch's shape only; each event is checked on its own, so one bad event does not refuse the others. */
export const webhookBatchSchema = z
  .array(z.unknown(), { error: 'body must be a JSON array of HubSpot events' })
  .min(1, 'body is an empty array: expected 1 to 100 events')
  .max(MAX_EVENTS_PER_REQUEST, `more than ${MAX_EVENTS_PER_REQUEST} events in one request`);
