import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { candidateDomains, canonicalDomain, type DomainIndex } from './domain-match.js';

export interface CompanyWords { name: string; domains: string[] }

/**
 * The companies that own an email domain (or a parent of it), with every domain each owns, from the
 * account's cached domain index: no HubSpot call, so a customer's page never waits on HubSpot.
 * When the index is not cached, nothing is known and the answer is empty.
 */
export async function companiesOfDomain(store: Store, portalId: number, emailDomain: string): Promise<CompanyWords[]> {
  const domain = canonicalDomain(emailDomain);
  const raw = domain ? await store.get(keys.domainIndex(portalId)) : null;
  if (!domain || !raw) return [];
  const index = JSON.parse(raw) as DomainIndex;
  const owners = new Map<string, CompanyWords>();
  for (const candidate of candidateDomains(domain, true)) {
    for (const c of index[candidate] ?? []) owners.set(c.id, { name: c.name, domains: [] });
  }
  for (const [d, companies] of Object.entries(index)) {
    for (const c of companies) owners.get(c.id)?.domains.push(d);
  }
  return [...owners.values()];
}
