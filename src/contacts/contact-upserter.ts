import type { HubSpotGateway } from '../hubspot/gateway.js';
import { primaryCompanyInputs } from '../hubspot/association-types.js';
import { Coalescer } from '../hubspot/coalescer.js';
import type { PersonName } from './parse-display-name.js';
import { crashPoint } from '../platform/crash-points.js';
import { keys, ttl } from '../store/keys.js';
import type { Store } from '../store/store.js';

export interface UpsertResult { contactId: string; isNew: boolean; createdAt: string }

/**
 * Senders of an account that arrive close together go into one `batch/upsert` by email (up to 100):
 * one HubSpot call for many conversations. Only the email is sent, so an existing contact is left
 * exactly as it is; names go to the new contacts in one `batch/update`.
 *
 * HubSpot says `new: true` once. So the name is an intent recorded before the upsert and closed
 * after the update: a retry (after a crash or a failed update) that finds its intent still open,
 * from an earlier attempt, writes the name to a contact HubSpot created since that intent was
 * recorded, though the upsert now says `new: false`. A contact older than the intent keeps its name.
 */
/** HubSpot's clock and ours may disagree by this much. */
const CLOCK_MARGIN_MS = 5 * 60_000;

export function contactUpserter(hubspot: HubSpotGateway, store: Store, o = { windowMs: 150, maxBatch: 100 }) {
  return new Coalescer<{ email: string; name: PersonName }, UpsertResult>(async (portalId, inputs) => {
    const emails = [...new Set(inputs.map((i) => i.email))];
    const named = new Map(inputs.filter((i) => Object.keys(i.name).length).map((i) => [i.email, i.name]));
    const intentKeys = [...named.keys()].map((email) => keys.nameIntent(portalId, email));
    // One round trip each: open the intents, then read the ones an earlier attempt left open.
    const openedAt = Date.now();
    const fresh = await store.claimMany(intentKeys, String(openedAt), ttl.nameIntent);
    const reopened = [...named.keys()].filter((_, i) => !fresh[i]);
    const since = await store.getMany(reopened.map((email) => keys.nameIntent(portalId, email)));
    const earlier = new Map(reopened.map((email, i) => [email, Number(since[i])]));
    let sent = 0;
    const answer = await hubspot.call(portalId, 'crm.contacts.batch.upsert', (c) => {
      sent++;
      return c.crm.contacts.batchApi.upsert({ inputs: emails.map((email) => ({ id: email, idProperty: 'email', properties: { email } })) });
    });
    // Sent again after an unclear failure (an answer lost after HubSpot carried it out), the upsert
    // says new: false for the contacts the first sending created: this attempt's own intents then
    // count from their opening, as an earlier attempt's do.
    if (sent > 1) for (const email of named.keys()) if (!earlier.has(email)) earlier.set(email, openedAt);
    crashPoint('inbound.contact-upserted');
    const byEmail = new Map(answer.results.map((r) => [String(r.properties.email).toLowerCase(), r]));
    const createdAt = (r: (typeof answer.results)[number]) => r.properties.createdate ?? r.createdAt.toISOString();
    const names = answer.results.filter((r) => {
      if (r._new) return true;
      const since = earlier.get(String(r.properties.email).toLowerCase());
      return since !== undefined && Date.parse(createdAt(r)) >= since - CLOCK_MARGIN_MS;
    }).map((r) => ({ id: r.id, properties: { ...named.get(String(r.properties.email).toLowerCase()) } as Record<string, string> }))
      .filter((u) => Object.keys(u.properties).length);
    if (names.length) await hubspot.call(portalId, 'crm.contacts.batch.update', (c) => c.crm.contacts.batchApi.update({ inputs: names }));
    crashPoint('inbound.names-written');
    await Promise.all(intentKeys.map((k) => store.del(k)));
    return inputs.map((i) => {
      const r = byEmail.get(i.email);
      if (!r) throw new Error(`HubSpot's upsert answer has no contact for ${i.email}`);
      return { contactId: r.id, isNew: Boolean(r._new), createdAt: createdAt(r) };
    });
  }, o);
}

/** New contacts' primary company, many per `batch/create` call (279 unlabeled + 1 primary). */
export function companyAssociator(hubspot: HubSpotGateway, o = { windowMs: 150, maxBatch: 100 }) {
  return new Coalescer<{ contactId: string; companyId: string }, void>(async (portalId, inputs) => {
    await hubspot.call(portalId, 'crm.associations.contacts-companies.batch.create', (c) => c.crm.associations.v4.batchApi.create('contacts', 'companies', {
      inputs: primaryCompanyInputs(inputs),
    }));
    return inputs.map(() => undefined);
  }, o);
}
