import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dedupeKey, IDENTIFYING_FIELDS } from '../../src/webhooks/dedupe-key.js';
import type { HubSpotEvent } from '../../src/webhooks/event-schema.js';

// HubSpot's documented example event (developers.hubspot.com, webhooks API, "Example payload").
const documented: HubSpotEvent = {
  objectId: 1246965, propertyName: 'lifecyclestage', propertyValue: 'subscriber', changeSource: 'ACADEMY', eventId: 3816279340,
  subscriptionId: 25, portalId: 33, appId: 1160452, occurredAt: 1462216307945, subscriptionType: 'contact.propertyChange', attemptNumber: 0,
};
const key = (over: Partial<HubSpotEvent> & Record<string, unknown>) => dedupeKey({ ...documented, ...over } as HubSpotEvent);

describe('dedupeKey: which webhooks are the same', () => {
  it('is the same for HubSpot\'s retry of an event (only attemptNumber, changeSource or appId differ)', () => {
    expect(key({ attemptNumber: 3 })).toBe(key({}));
    expect(key({ changeSource: 'CRM_UI', appId: 7 })).toBe(key({}));
  });

  it('is the same for one change reported by a webhook subscription and by a journal subscription (their ids differ)', () => {
    expect(key({ subscriptionId: 9001 })).toBe(key({}));
  });

  it('differs when any identifying field differs', () => {
    const sample: Record<(typeof IDENTIFYING_FIELDS)[number], [unknown, unknown]> = {
      portalId: [33, 34], subscriptionType: ['contact.propertyChange', 'contact.creation'], objectTypeId: ['0-1', '0-2'], objectId: [1, 2],
      occurredAt: [1, 2], eventId: [1, 2], propertyName: ['a', 'b'], messageId: ['m1', 'm2'], changeFlag: ['NEW', 'MERGED'],
      fromObjectId: [1, 2], toObjectId: [1, 2], associationType: ['CONTACT_TO_COMPANY', 'COMPANY_TO_CONTACT'], associationTypeId: [1, 279],
      associationCategory: ['HUBSPOT_DEFINED', 'USER_DEFINED'], associationRemoved: [false, true], isPrimaryAssociation: [false, true],
      primaryObjectId: [1, 2], newObjectId: [1, 2], mergedObjectIds: [[1, 2], [1, 3]],
    };
    for (const f of IDENTIFYING_FIELDS) {
      const [a, b] = sample[f];
      expect(key({ [f]: a }), f).not.toBe(key({ [f]: b }));
      expect(key({ [f]: a }), `${f} given or not`).not.toBe(key({ [f]: undefined }));
    }
  });

  it('keeps list boundaries: merged ids [1, 2] are not [12]', () => {
    expect(key({ mergedObjectIds: [1, 2] })).not.toBe(key({ mergedObjectIds: [12] }));
  });

  it('tells apart an absent field from one whose text is "undefined"', () => {
    expect(key({ propertyName: undefined })).not.toBe(key({ propertyName: 'undefined' }));
  });

  it('counts a property value of any scalar type, and never an object as a whole', () => {
    expect(key({ propertyValue: 'a' })).not.toBe(key({ propertyValue: 'b' }));
    expect(key({ propertyValue: 1 })).not.toBe(key({ propertyValue: 2 }));
    expect(key({ propertyValue: true })).not.toBe(key({ propertyValue: false }));
    expect(key({ propertyValue: 'x' })).not.toBe(key({ propertyValue: undefined }));
    expect(key({ propertyValue: null })).toBe(key({ propertyValue: undefined }));
    expect(key({ propertyValue: null })).not.toBe(key({ propertyValue: 'null' }));
    expect(key({ propertyValue: { a: 1 } })).toBe(key({ propertyValue: { b: [2] } }));
    expect(key({ propertyValue: { a: 1 } })).not.toBe(key({ propertyValue: undefined }));
    expect(key({ propertyValue: { a: 1 } })).not.toBe(key({ propertyValue: '[object Object]' }));
  });

  it('reads only the first 1,024 characters of a long value', () => {
    const long = 'v'.repeat(1024);
    expect(key({ propertyValue: `${long}a` })).toBe(key({ propertyValue: `${long}b` }));
    expect(key({ propertyValue: `${long.slice(1)}a` })).not.toBe(key({ propertyValue: `${long.slice(1)}b` }));
  });

  it('is 32 URL-safe characters, whatever the event', () => {
    fc.assert(fc.property(fc.string(), fc.integer({ min: 1 }), (v, id) => /^[\w-]{32}$/.test(key({ propertyValue: v, objectId: id }))));
  });

  it('stays the same across releases (keys stored before an upgrade still catch duplicates after it)', () => {
    // If these change, events delivered around a deploy are handled twice: change them only with a migration note.
    expect(key({})).toBe(GOLDEN.documented);
    expect(key({ propertyValue: undefined, propertyName: undefined, mergedObjectIds: [5, 6], subscriptionType: 'contact.merge' })).toBe(GOLDEN.merge);
    expect(key({ propertyValue: { deep: 1 } })).toBe(GOLDEN.object);
    expect(key({ propertyValue: 42 })).toBe(GOLDEN.number);
  });
});

// Changed once, when the subscription id left the key (the journal reports the same change under its own
// subscription): events HubSpot retried across that deploy were queued again, and every handler is
// idempotent on its own claim (thread, once-per-cause email, rule audit), so none acted twice.
const GOLDEN = { documented: 'lfjny_oZQrzqwewRQfHTxECq6VGjhGMy', merge: 'TGUG3Y7epJ93cBQSHAtnKNPkTWFKpCOy', object: 'TcgEzedOJr4ISmkY2q9eqHFMoEqSdMNa', number: 'QYiK04DDi28iR70IrQzZyCdLOTfAPzCz' };
