import type { DomainIndexCache } from '../companies/domain-index-cache.js';
import { matchDomain } from '../companies/domain-match.js';
import { freeMailDomains } from '../companies/free-mail.js';
import { normalizeEmail } from '../contacts/normalize-email.js';
import { isIgnoredAddress, isInternalDomain } from '../contacts/pick-sender.js';
import { readById } from '../hubspot/record-reader.js';
import { caps, keys } from '../store/keys.js';
import type { AccountContext } from '../webhooks/route-event.js';

/** Why a request for access was not granted (never shown to the person: their page is the same either way). */
export type RegistrationRefusal = 'invalid-address' | 'internal-domain' | 'no-reply' | 'free-mail' | 'unknown-domain' | 'not-a-customer';

export type RegistrationVerdict =
  | { kind: 'customer'; email: string; domain: string; companyId: string }
  | { kind: 'refused'; reason: RegistrationRefusal; domain?: string };

/**
 * Whether an address that asked for access on the sign-in page may have it: only when its domain
 * (or, where the account matches subdomains, a parent domain) belongs to a company that is a
 * customer (the support-contacts setting's property and value, lifecyclestage = customer by
 * default). Free mail, unknown domains, the account's own domains and no-reply senders never
 * qualify, and the default company is never a fallback here.
 */
export async function judgeRegistration(ctx: AccountContext, index: DomainIndexCache, typed: string): Promise<RegistrationVerdict> {
  const s = ctx.settings;
  const address = normalizeEmail(typed, { stripPlus: s.inbound.stripPlusAddresses });
  if (!address) return { kind: 'refused', reason: 'invalid-address' };
  const { domain } = address;
  if (isInternalDomain(domain, s.internalDomains)) return { kind: 'refused', reason: 'internal-domain', domain };
  if (isIgnoredAddress(address, s.inbound.ignoredSenders)) return { kind: 'refused', reason: 'no-reply', domain };
  const match = matchDomain(domain, await index.get(ctx.portalId, ctx.hubspot), {
    matchSubdomains: s.inbound.matchSubdomains, freeMail: freeMailDomains(s.inbound.freeMailAdditions), defaultCompanyId: null,
  });
  if (match.kind !== 'company') return { kind: 'refused', reason: match.reason === 'free-mail' ? 'free-mail' : 'unknown-domain', domain };
  const { customerProperty, customerValue } = s.supportContacts;
  const company = await readById(ctx, 'companies', match.company.id, [customerProperty]);
  if ((company[customerProperty] ?? '') !== customerValue) return { kind: 'refused', reason: 'not-a-customer', domain };
  return { kind: 'customer', email: address.email, domain, companyId: match.company.id };
}

export interface SelfRegistration { contactId: string; at: string }

/** Noted for the company card: who of the company got access by asking for it. */
export async function noteSelfRegistration(ctx: AccountContext, companyId: string, contactId: string): Promise<void> {
  const entry: SelfRegistration = { contactId, at: new Date().toISOString() };
  await ctx.store.pushCapped(keys.selfRegistered(ctx.portalId, companyId), JSON.stringify(entry), caps.selfRegistered);
}

/** The company's self-registrations, newest first, one per contact. */
export async function selfRegistrations(ctx: Pick<AccountContext, 'store' | 'portalId'>, companyId: string): Promise<SelfRegistration[]> {
  const seen = new Set<string>();
  return (await ctx.store.range(keys.selfRegistered(ctx.portalId, companyId), 0, -1))
    .map((raw) => JSON.parse(raw) as SelfRegistration)
    .filter((r) => !seen.has(r.contactId) && seen.add(r.contactId));
}
