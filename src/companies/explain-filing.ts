import { normalizeEmail } from '../contacts/normalize-email.js';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import type { Settings } from '../settings/settings-schema.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { DomainIndexCache } from './domain-index-cache.js';
import { companyDomains, matchDomain, type IndexedCompany } from './domain-match.js';
import { freeMailDomains } from './free-mail.js';

export interface FilingExplanation {
  contactId: string;
  email: string | null;
  /** What Portal Autopilot recorded when it created the contact, if it did. */
  recorded: boolean;
  companyId: string | null;
  companyName?: string;
  matchedDomain?: string;
  reason: 'domain' | 'free-mail' | 'no-company-owns-domain' | 'no-email' | 'not-created-by-app';
  conflictsWith: string[];
}

/** Why a contact is (or would be) filed under its company: the contact card's section. */
export async function explainFiling(
  portalId: number, contactId: string, hubspot: HubSpotGateway, store: Store, settings: Settings, index: DomainIndexCache,
): Promise<FilingExplanation> {
  const recorded = await store.get(keys.contactFiling(portalId, contactId));
  if (recorded) {
    const f = JSON.parse(recorded) as { email: string; companyId: string | null; companyName?: string; matchedDomain?: string; reason: FilingExplanation['reason']; conflictsWith: string[] };
    return { contactId, recorded: true, ...f };
  }
  const contact = await hubspot.call(portalId, 'crm.contacts.get', (c) => c.crm.contacts.basicApi.getById(contactId, ['email', 'associatedcompanyid']));
  const address = normalizeEmail(contact.properties.email ?? '');
  if (!address) return { contactId, email: null, recorded: false, companyId: contact.properties.associatedcompanyid ?? null, reason: 'no-email', conflictsWith: [] };
  const m = matchDomain(address.domain, await index.get(portalId, hubspot), {
    matchSubdomains: settings.inbound.matchSubdomains, freeMail: freeMailDomains(settings.inbound.freeMailAdditions), defaultCompanyId: null,
  });
  if (m.kind === 'company') {
    return { contactId, email: address.email, recorded: false, companyId: m.company.id, companyName: m.company.name, matchedDomain: m.matchedDomain, reason: 'domain', conflictsWith: m.conflictsWith.map((c) => c.id) };
  }
  return { contactId, email: address.email, recorded: false, companyId: contact.properties.associatedcompanyid ?? null, reason: m.reason, conflictsWith: [] };
}

export interface CompanyDomainsOverview {
  companyId: string;
  domains: { domain: string; contacts: number; alsoOwnedBy: IndexedCompany[] }[];
}

/** The company card: its domains, how many contacts have each, and other companies claiming them. */
export async function companyOverview(portalId: number, companyId: string, hubspot: HubSpotGateway, index: DomainIndexCache): Promise<CompanyDomainsOverview> {
  const company = await hubspot.call(portalId, 'crm.companies.get', (c) => c.crm.companies.basicApi.getById(companyId, ['domain', 'hs_additional_domains', 'name']));
  const byDomain = await index.get(portalId, hubspot);
  const domains = [];
  for (const domain of companyDomains(company.properties)) {
    // One search per domain (HubSpot allows 5 per second; the gateway keeps to it).
    const found = await hubspot.call(portalId, 'crm.contacts.search', (c) => c.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'hs_email_domain', operator: 'EQ' as never, value: domain }] }], limit: 1, after: '0', properties: ['email'], sorts: [],
    }));
    domains.push({ domain, contacts: found.total, alsoOwnedBy: (byDomain[domain] ?? []).filter((c) => c.id !== companyId) });
  }
  return { companyId, domains };
}
