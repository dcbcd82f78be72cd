import type { SubscriptionHandler } from '../webhooks/route-event.js';

/**
 * Subscription type → handler. Capabilities register here as they land (inbound contacts,
 * company domain index, ticket rules); until then their events are accepted, counted as
 * "unhandled" in /metrics, and completed.
 */
export const eventHandlers: Record<string, SubscriptionHandler> = {};
