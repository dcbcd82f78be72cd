import { normalizeEmail } from '../contacts/normalize-email.js';
import { HubSpotApiError } from '../hubspot/classify-failure.js';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import { PermanentError } from '../queue/errors.js';
import type { Settings } from '../settings/settings-schema.js';
import { caps, keys } from '../store/keys.js';
import type { Store } from '../store/store.js';

/** A support contact: a HubSpot contact (labelled association), a HubSpot user, or a plain address. */
export type SupportContact =
  | { kind: 'contact'; contactId: string; email: string; name?: string }
  | { kind: 'user'; userId: string; email: string; name?: string }
  | { kind: 'email'; email: string };

export interface SupportContactsView { companyId: string; companyName: string | null; isCustomer: boolean; contacts: SupportContact[]; needsOne: boolean }
export interface SupportChange { at: string; by: string; added: string[]; removed: string[] }

export class SupportContactsError extends Error {}

/** The association label and the company properties the install creates (install twice = no change). */
export const SUPPORT_LABEL = { label: 'Support contact', name: 'portal_autopilot_support_contact' };
export const PROPS = {
  /** Users and plain addresses, readable in HubSpot's views, lists and reports: "user:123 a@b.example; c@d.example". */
  others: 'portal_autopilot_support_contacts',
  /** Set on a customer company with no support contact, so an admin can build a list or report on it. */
  needsOne: 'portal_autopilot_needs_support_contact',
};

export interface SupportCtx { portalId: number; hubspot: HubSpotGateway; store: Store; settings: Settings }

/** The label's type id for companies → contacts: read from HubSpot, created when missing. */
export async function supportLabelTypeId(ctx: Pick<SupportCtx, 'portalId' | 'hubspot' | 'store'>, create = false): Promise<number | null> {
  return (await supportLabel(ctx, create)).typeId;
}

async function supportLabel(ctx: Pick<SupportCtx, 'portalId' | 'hubspot' | 'store'>, create: boolean): Promise<{ typeId: number | null; created: boolean }> {
  const cached = await ctx.store.get(keys.supportLabel(ctx.portalId));
  if (cached) return { typeId: Number(cached), created: false };
  const list = await ctx.hubspot.request<{ results: { typeId: number; label: string; category: string }[] }>(ctx.portalId, 'crm.associations.labels.list', { method: 'GET', path: '/crm/associations/v4/companies/contacts/labels' });
  let typeId = list.results.find((l) => l.label === SUPPORT_LABEL.label && l.category === 'USER_DEFINED')?.typeId ?? null;
  const created = typeId === null && create;
  if (created) {
    const made = await ctx.hubspot.request<{ results: { typeId: number }[] }>(ctx.portalId, 'crm.associations.labels.create', { method: 'POST', path: '/crm/associations/v4/companies/contacts/labels', body: SUPPORT_LABEL });
    typeId = made.results[0]!.typeId;
  }
  if (typeId !== null) await ctx.store.set(keys.supportLabel(ctx.portalId), String(typeId));
  return { typeId, created };
}

const parseOthers = (raw: string | null | undefined): SupportContact[] => (raw ?? '').split(';').map((s) => s.trim()).filter(Boolean).map((entry) => {
  const m = /^user:(\d+)\s+(\S+)$/.exec(entry);
  return m ? { kind: 'user' as const, userId: m[1]!, email: m[2]! } : { kind: 'email' as const, email: entry };
});
const formatOthers = (list: SupportContact[]) => list.filter((c) => c.kind !== 'contact').map((c) => (c.kind === 'user' ? `user:${c.userId} ${c.email}` : c.email)).join('; ');
const label = (c: SupportContact) => `${c.kind === 'contact' ? `contact ${c.contactId}` : c.kind === 'user' ? `user ${c.userId}` : 'address'} ${c.email}`;

/** A company's support contacts, as HubSpot keeps them (the labelled associations and the property). */
export async function readSupportContacts(ctx: SupportCtx, companyId: string): Promise<SupportContactsView> {
  const s = ctx.settings.supportContacts;
  const company = (await ctx.hubspot.call(ctx.portalId, 'crm.companies.get', (c) => c.crm.companies.basicApi.getById(companyId, ['name', s.customerProperty, PROPS.others]))).properties;
  const typeId = await supportLabelTypeId(ctx);
  const contacts: SupportContact[] = [];
  if (typeId !== null) {
    const assoc = await ctx.hubspot.request<{ results: { toObjectId: string | number; associationTypes: { typeId: number }[] }[] }>(ctx.portalId, 'crm.associations.companies-contacts.get', {
      method: 'GET', path: `/crm/v4/objects/companies/${companyId}/associations/contacts`,
    });
    const ids = assoc.results.filter((a) => a.associationTypes.some((t) => t.typeId === typeId)).map((a) => String(a.toObjectId));
    if (ids.length) {
      const read = await ctx.hubspot.call(ctx.portalId, 'crm.contacts.batch.read', (c) => c.crm.contacts.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: ['email', 'firstname', 'lastname'], propertiesWithHistory: [] }));
      for (const r of read.results) contacts.push({ kind: 'contact', contactId: r.id, email: r.properties.email ?? '', name: [r.properties.firstname, r.properties.lastname].filter(Boolean).join(' ') || undefined });
    }
  }
  const all = [...contacts, ...parseOthers(company[PROPS.others])];
  const isCustomer = (company[s.customerProperty] ?? '') === s.customerValue;
  return { companyId, companyName: company.name ?? null, isCustomer, contacts: all, needsOne: isCustomer && all.length === 0 };
}

/**
 * Saves a company's support contacts as the card says: every address checked by the parser, no
 * duplicates, a bounded count, and a customer company keeps at least one. Nothing of a refused save
 * is kept. Labels are added and removed on the contacts, the property holds the rest, and the change
 * is recorded (who, when, what).
 */
export async function saveSupportContacts(ctx: SupportCtx, companyId: string, wanted: SupportContact[], by: string): Promise<SupportContactsView> {
  const s = ctx.settings.supportContacts;
  const seen = new Set<string>();
  const clean: SupportContact[] = [];
  for (const c of wanted) {
    const address = normalizeEmail(c.email);
    if (!address) throw new SupportContactsError(`invalid email address: ${c.email}`);
    if (seen.has(address.email)) throw new SupportContactsError(`${address.email} is listed twice`);
    seen.add(address.email);
    clean.push({ ...c, email: address.email });
  }
  if (clean.length > s.maxPerCompany) throw new SupportContactsError(`at most ${s.maxPerCompany} support contacts per company`);
  const current = await readSupportContacts(ctx, companyId);
  if (current.isCustomer && clean.length === 0) throw new SupportContactsError(`${current.companyName ?? `company ${companyId}`} is a customer: it must keep at least one support contact`);

  const typeId = await supportLabelTypeId(ctx, true);
  if (typeId === null) throw new PermanentError('the "Support contact" association label could not be read or made');
  const before = new Set(current.contacts.filter((c) => c.kind === 'contact').map((c) => (c as { contactId: string }).contactId));
  const after = new Set(clean.filter((c) => c.kind === 'contact').map((c) => (c as { contactId: string }).contactId));
  const toAdd = [...after].filter((id) => !before.has(id));
  const toRemove = [...before].filter((id) => !after.has(id));
  const types = [{ associationCategory: 'USER_DEFINED', associationTypeId: typeId }];
  if (toAdd.length) {
    await ctx.hubspot.request(ctx.portalId, 'crm.associations.companies-contacts.batch.create', {
      method: 'POST', path: '/crm/v4/associations/companies/contacts/batch/create', body: { inputs: toAdd.map((id) => ({ from: { id: companyId }, to: { id }, types })) },
    });
  }
  if (toRemove.length) {
    await ctx.hubspot.request(ctx.portalId, 'crm.associations.companies-contacts.batch.labels.archive', {
      method: 'POST', path: '/crm/v4/associations/companies/contacts/batch/labels/archive', body: { inputs: toRemove.map((id) => ({ from: { id: companyId }, to: { id }, types })) },
    });
  }
  // A saved list always satisfies the company (a customer's empty one was refused above): the flag goes off.
  await ctx.hubspot.call(ctx.portalId, 'crm.companies.update', (c) => c.crm.companies.basicApi.update(companyId, { properties: { [PROPS.others]: formatOthers(clean), [PROPS.needsOne]: 'false' } }));
  const was = new Set(current.contacts.map(label));
  const is = new Set(clean.map(label));
  const change: SupportChange = { at: new Date().toISOString(), by, added: [...is].filter((x) => !was.has(x)), removed: [...was].filter((x) => !is.has(x)) };
  await ctx.store.pushCapped(keys.supportHistory(ctx.portalId, companyId), JSON.stringify(change), caps.supportHistory);
  return { ...current, contacts: clean, needsOne: false };
}

export async function supportHistory(store: Store, portalId: number, companyId: string): Promise<SupportChange[]> {
  return (await store.range(keys.supportHistory(portalId, companyId), 0, -1)).map((r) => JSON.parse(r) as SupportChange);
}

/** The install's part: the label and the company properties. 409 = already there. */
export async function provisionSupportContacts(portalId: number, hubspot: HubSpotGateway, store: Store): Promise<string> {
  const made: string[] = [];
  const exists = (err: unknown) => err instanceof HubSpotApiError && err.status === 409;
  if ((await supportLabel({ portalId, hubspot, store }, true)).created) made.push('label');
  try {
    await hubspot.request(portalId, 'crm.properties.groups.create', { method: 'POST', path: '/crm/v3/properties/companies/groups', body: { name: 'portal_autopilot', label: 'Portal Autopilot', displayOrder: -1 } });
    made.push('group');
  } catch (err) { if (!exists(err)) throw err; }
  for (const body of [
    { name: PROPS.others, label: 'Support contacts (users and addresses)', type: 'string', fieldType: 'textarea', groupName: 'portal_autopilot', description: 'Portal Autopilot: HubSpot users and email addresses who receive every issue report of this company (contacts carry the "Support contact" association label).' },
    { name: PROPS.needsOne, label: 'Needs a support contact', type: 'bool', fieldType: 'booleancheckbox', groupName: 'portal_autopilot', description: 'Portal Autopilot: a customer company without any support contact.', options: [{ label: 'Yes', value: 'true', displayOrder: 0, hidden: false }, { label: 'No', value: 'false', displayOrder: 1, hidden: false }] },
  ]) {
    try {
      await hubspot.request(portalId, 'crm.properties.create', { method: 'POST', path: '/crm/v3/properties/companies', body });
      made.push(body.name);
    } catch (err) { if (!exists(err)) throw err; }
  }
  return made.length ? `created ${made.join(', ')}` : 'already there';
}

/** Sets the "needs a support contact" property to match: true for a customer company without any. */
export async function flagIfWithoutSupport(ctx: SupportCtx, companyId: string): Promise<boolean> {
  const view = await readSupportContacts(ctx, companyId);
  await ctx.hubspot.call(ctx.portalId, 'crm.companies.update', (c) => c.crm.companies.basicApi.update(companyId, { properties: { [PROPS.needsOne]: String(view.needsOne) } }));
  return view.needsOne;
}

/** Why a support-contact search found no HubSpot users: the scope HubSpot named as missing, or its failure. */
export type UsersUnsearched = { reason: 'missing-scope'; scopes: string[] } | { reason: 'failed'; message: string };
