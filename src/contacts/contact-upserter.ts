import type { HubSpotGateway } from '../hubspot/gateway.js';
import { primaryCompanyInputs } from '../hubspot/association-types.js';
import { Coalescer } from '../hubspot/coalescer.js';
import type { PersonName } from './parse-display-name.js';

export interface UpsertResult { contactId: string; isNew: boolean; createdAt: string }

/**
 * Senders of an account that arrive close together go into one `batch/upsert` by email (up to 100):
 * one HubSpot call for many conversations. Only the email is sent, so an existing contact is left
 * exactly as it is; names go to the new contacts in one `batch/update`.
 */
export function contactUpserter(hubspot: HubSpotGateway, o = { windowMs: 150, maxBatch: 100 }) {
  return new Coalescer<{ email: string; name: PersonName }, UpsertResult>(async (portalId, inputs) => {
    const emails = [...new Set(inputs.map((i) => i.email))];
    const answer = await hubspot.call(portalId, 'crm.contacts.batch.upsert', (c) => c.crm.contacts.batchApi.upsert({
      inputs: emails.map((email) => ({ id: email, idProperty: 'email', properties: { email } })),
    }));
    const byEmail = new Map(answer.results.map((r) => [String(r.properties.email).toLowerCase(), r]));
    const names = answer.results.filter((r) => r._new).map((r) => ({
      id: r.id, properties: { ...inputs.find((i) => i.email === String(r.properties.email).toLowerCase())?.name } as Record<string, string>,
    })).filter((u) => Object.keys(u.properties).length);
    if (names.length) await hubspot.call(portalId, 'crm.contacts.batch.update', (c) => c.crm.contacts.batchApi.update({ inputs: names }));
    return inputs.map((i) => {
      const r = byEmail.get(i.email);
      if (!r) throw new Error(`HubSpot's upsert answer has no contact for ${i.email}`);
      return { contactId: r.id, isNew: Boolean(r._new), createdAt: r.properties.createdate ?? r.createdAt.toISOString() };
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
