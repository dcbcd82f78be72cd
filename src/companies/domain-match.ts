import { domainToASCII } from 'node:url';
import { getDomain, getPublicSuffix } from 'tldts';

export interface IndexedCompany { id: string; name: string; createdAt: string }

/** domain (ASCII, lower-case) → the companies that own it through `domain` or `hs_additional_domains`. */
export type DomainIndex = Record<string, IndexedCompany[]>;

export interface MatchOptions { matchSubdomains: boolean; freeMail: ReadonlySet<string>; defaultCompanyId: string | null }

export type DomainMatch =
  | { kind: 'company'; company: IndexedCompany; matchedDomain: string; conflictsWith: IndexedCompany[] }
  | { kind: 'default'; companyId: string; reason: 'free-mail' | 'no-company-owns-domain' }
  | { kind: 'none'; reason: 'free-mail' | 'no-company-owns-domain' };

/**
 * "ACME.example", "https://www.acme.example/", "münchen.de" → "acme.example", "xn--mnchen-3ya.de".
 * "www." goes only where what is left is more than a public suffix ("www.ck" is itself a
 * registrable domain, "ck" is not); an empty label (".acme.example", "a..b") is refused, not climbed.
 */
export function canonicalDomain(raw: string): string | null {
  let d = raw.trim().toLowerCase();
  d = d.replace(/^[a-z]+:\/\//, '').replace(/[/?#].*$/, '').replace(/:\d+$/, '').replace(/\.$/, '');
  if (d.startsWith('.') || d.includes('..')) return null;
  if (d.startsWith('www.')) {
    const rest = d.slice(4);
    if (getPublicSuffix(rest, { allowPrivateDomains: true }) !== rest) d = rest;
  }
  const ascii = domainToASCII(d);
  return ascii && ascii.includes('.') ? ascii : null;
}

/** Every domain a company owns: `domain` plus `hs_additional_domains` (semicolon-separated). */
export function companyDomains(properties: Record<string, string | null | undefined>): string[] {
  // Stryker disable next-line StringLiteral: an absent property read as any text that is not a domain gives no domain.
  const all = [properties.domain ?? '', ...(properties.hs_additional_domains ?? '').split(/[;,\s]/)];
  return [...new Set(all.map(canonicalDomain).filter((d): d is string => !!d))];
}

/**
 * The domain itself, then (when allowed) each parent up to the registrable domain by the public
 * suffix list: eu.mail.acme.co.uk → mail.acme.co.uk → acme.co.uk, never co.uk.
 */
export function candidateDomains(domain: string, matchSubdomains: boolean): string[] {
  if (!matchSubdomains) return [domain];
  const registrable = getDomain(domain, { allowPrivateDomains: true });
  if (!registrable) return [domain];
  // One candidate per label above the registrable domain, so the list is finite whatever tldts answers.
  const labels = domain.split('.');
  const parents = labels.length - registrable.split('.').length;
  return Array.from({ length: Math.max(0, parents) + 1 }, (_, i) => labels.slice(i).join('.'));
}

const oldestFirst = (a: IndexedCompany, b: IndexedCompany) => a.createdAt.localeCompare(b.createdAt) || Number(a.id) - Number(b.id);

/**
 * Which company an email domain belongs to. Whole labels only (ontpellier.fr never matches
 * ville-montpellier.fr); free-mail never matches; two owners → the oldest, with the conflict told.
 */
export function matchDomain(emailDomain: string, index: DomainIndex, o: MatchOptions): DomainMatch {
  const fallback = (reason: 'free-mail' | 'no-company-owns-domain'): DomainMatch =>
    o.defaultCompanyId ? { kind: 'default', companyId: o.defaultCompanyId, reason } : { kind: 'none', reason };
  const domain = canonicalDomain(emailDomain);
  // Stryker disable next-line ConditionalExpression: equivalent (a null domain matches nothing and falls through to the same answer); it keeps the types honest.
  if (!domain) return fallback('no-company-owns-domain');
  const registrable = getDomain(domain, { allowPrivateDomains: true }) ?? domain;
  if (o.freeMail.has(domain) || o.freeMail.has(registrable)) return fallback('free-mail');
  for (const candidate of candidateDomains(domain, o.matchSubdomains)) {
    const owners = [...(index[candidate] ?? [])].sort(oldestFirst);
    if (owners.length) return { kind: 'company', company: owners[0]!, matchedDomain: candidate, conflictsWith: owners.slice(1) };
  }
  return fallback('no-company-owns-domain');
}
