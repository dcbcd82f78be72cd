import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { candidateDomains, canonicalDomain, companyDomains, matchDomain, type DomainIndex } from '../../src/companies/domain-match.js';
import { freeMailDomains } from '../../src/companies/free-mail.js';

const acme = { id: '10', name: 'Acme', createdAt: '2020-01-01T00:00:00Z' };
const acmeUk = { id: '11', name: 'Acme UK', createdAt: '2021-01-01T00:00:00Z' };
const copycat = { id: '12', name: 'Acme copy', createdAt: '2022-01-01T00:00:00Z' };
const montpellier = { id: '20', name: 'Ville de Montpellier', createdAt: '2020-01-01T00:00:00Z' };
const index: DomainIndex = {
  'acme.example': [copycat, acme],
  'acme.co.uk': [acmeUk],
  'ville-montpellier.fr': [montpellier],
  'xn--mnchen-3ya.de': [{ id: '30', name: 'München GmbH', createdAt: '2020-01-01T00:00:00Z' }],
};
const options = { matchSubdomains: true, freeMail: freeMailDomains(), defaultCompanyId: null };

describe('matching an email domain to a company', () => {
  it('files a sender under the company owning the domain, case-insensitively', () => {
    expect(matchDomain('ACME.co.uk', index, options)).toMatchObject({ kind: 'company', company: acmeUk, matchedDomain: 'acme.co.uk' });
  });

  it('falls back through subdomains to the registrable domain, never to the public suffix', () => {
    expect(candidateDomains('eu.mail.acme.co.uk', true)).toEqual(['eu.mail.acme.co.uk', 'mail.acme.co.uk', 'acme.co.uk']);
    expect(matchDomain('eu.mail.acme.co.uk', index, options)).toMatchObject({ kind: 'company', company: acmeUk });
    expect(matchDomain('other.co.uk', index, options)).toEqual({ kind: 'none', reason: 'no-company-owns-domain' });
  });

  it('does not fall back to parents when subdomain matching is off', () => {
    expect(matchDomain('eu.acme.co.uk', index, { ...options, matchSubdomains: false })).toEqual({ kind: 'none', reason: 'no-company-owns-domain' });
  });

  it('never counts a substring as a match', () => {
    expect(matchDomain('ontpellier.fr', index, options).kind).toBe('none');
    expect(matchDomain('montpellier.fr', index, options).kind).toBe('none');
    expect(matchDomain('ville-montpellier.fr', index, options)).toMatchObject({ kind: 'company', company: montpellier });
  });

  it('matches internationalised domains after punycode normalisation', () => {
    expect(matchDomain('MÜNCHEN.de', index, options)).toMatchObject({ kind: 'company', matchedDomain: 'xn--mnchen-3ya.de' });
  });

  it('never matches free-mail, even when a company lists it, and uses the default company instead', () => {
    const withGmail: DomainIndex = { ...index, 'gmail.com': [acme] };
    expect(matchDomain('gmail.com', withGmail, options)).toEqual({ kind: 'none', reason: 'free-mail' });
    expect(matchDomain('googlemail.com', withGmail, { ...options, defaultCompanyId: '99' })).toEqual({ kind: 'default', companyId: '99', reason: 'free-mail' });
    expect(matchDomain('web.de', index, options).kind).toBe('none');
    expect(matchDomain('partner.example', { 'partner.example': [acme] }, { ...options, freeMail: freeMailDomains(['Partner.example']) })).toMatchObject({ reason: 'free-mail' });
  });

  it('picks the oldest company when two own a domain, and names the other', () => {
    expect(matchDomain('acme.example', index, options)).toEqual({ kind: 'company', company: acme, matchedDomain: 'acme.example', conflictsWith: [copycat] });
  });

  it('reads a company\'s domain and additional domains, cleaned', () => {
    expect(companyDomains({ domain: 'https://www.Acme.example/', hs_additional_domains: 'acme.test; ACME-support.example;;' }))
      .toEqual(['acme.example', 'acme.test', 'acme-support.example']);
    expect(canonicalDomain('not a domain')).toBeNull();
  });

  it('is deterministic and never throws, whatever the domain and index order', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    fc.assert(fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), fc.boolean(), (labels, sub) => {
      const domain = [...labels, 'example'].join('.');
      const a = matchDomain(domain, index, { ...options, matchSubdomains: sub });
      const reversed: DomainIndex = Object.fromEntries(Object.entries(index).map(([k, v]) => [k, [...v].reverse()]));
      expect(matchDomain(domain, reversed, { ...options, matchSubdomains: sub })).toEqual(a);
    }));
    fc.assert(fc.property(fc.string(), (s) => { matchDomain(s, index, options); }));
  });

  it('files every subdomain of an indexed domain under it, and a name that only ends with it never', () => {
    const owned = Object.keys(index);
    fc.assert(fc.property(fc.constantFrom(...owned), fc.array(fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/), { minLength: 0, maxLength: 3 }), fc.stringMatching(/^[a-z]{1,6}$/), (domain, labels, glued) => {
      const sub = [...labels, domain].join('.');
      const m = matchDomain(sub, index, options);
      // Always reached: a subdomain of an indexed domain is filed under that domain (or a more specific indexed one).
      expect(m.kind).toBe('company');
      if (m.kind === 'company') expect(sub === m.matchedDomain || sub.endsWith(`.${m.matchedDomain}`)).toBe(true);
      // "notacme.example" shares the suffix but not a label: it never matches acme.example.
      const lookalike = matchDomain(`${glued}${domain}`, index, options);
      expect(lookalike.kind === 'company' && lookalike.matchedDomain === domain).toBe(false);
    }));
  });
});

describe('domain details the mutation run found unpinned', () => {
  it('cleans what admins type: spaces, case, scheme, port, path, query, fragment, a final dot', () => {
    expect(canonicalDomain('  ACME.Example  ')).toBe('acme.example');
    expect(canonicalDomain('HTTPS://www.Acme.example:8443/path/x?q=1#top')).toBe('acme.example');
    expect(canonicalDomain('acme.example.')).toBe('acme.example');
    expect(canonicalDomain('acme.example?x')).toBe('acme.example');
    expect(canonicalDomain('acme.example#x')).toBe('acme.example');
    // A second line pasted after a path is not glued onto the domain.
    expect(canonicalDomain('acme.example/\nbeta.example')).toBe('acme.example');
  });

  it('refuses what is not a domain: a port that is not a number, a scheme in the middle, one label, nothing', () => {
    for (const raw of ['acme.example:80x', 'acme.examplehttp://x', 'localhost', '', '   ', 'acme.example:', '.acme.example', 'a..example']) {
      expect(canonicalDomain(raw), raw).toBeNull();
    }
  });

  it('drops "www." only where what is left is more than a public suffix, private suffixes included', () => {
    expect(canonicalDomain('www.acme.example')).toBe('acme.example');
    expect(canonicalDomain('www.ck')).toBe('www.ck');
    expect(canonicalDomain('www.github.io')).toBe('www.github.io');
    expect(canonicalDomain('www.acme.github.io')).toBe('acme.github.io');
  });

  it('reads a company with no domain, with only additional domains, and any separator', () => {
    expect(companyDomains({})).toEqual([]);
    expect(companyDomains({ domain: null, hs_additional_domains: 'a.example;;b.example, ,c.example\td.example' })).toEqual(['a.example', 'b.example', 'c.example', 'd.example']);
    expect(companyDomains({ domain: 'Acme.example' })).toEqual(['acme.example']);
  });

  it('lists the candidates from the domain up to the registrable domain, by the private suffixes too', () => {
    expect(candidateDomains('eu.mail.acme.co.uk', true)).toEqual(['eu.mail.acme.co.uk', 'mail.acme.co.uk', 'acme.co.uk']);
    expect(candidateDomains('eu.mail.acme.co.uk', false)).toEqual(['eu.mail.acme.co.uk']);
    expect(candidateDomains('eu.acme.github.io', true)).toEqual(['eu.acme.github.io', 'acme.github.io']);
    expect(candidateDomains('acme.co.uk', true)).toEqual(['acme.co.uk']);
    expect(candidateDomains('co.uk', true)).toEqual(['co.uk']);
  });

  it('picks the oldest owner, and between owners created at the same moment the lower id, as a number', () => {
    const same = '2020-01-01T00:00:00Z';
    const i: DomainIndex = { 'twin.example': [{ id: '20', name: 'B', createdAt: same }, { id: '3', name: 'A', createdAt: same }, { id: '1', name: 'New', createdAt: '2024-01-01T00:00:00Z' }] };
    const m = matchDomain('twin.example', i, options);
    expect(m).toMatchObject({ kind: 'company', company: { id: '3' } });
    expect(m.kind === 'company' && m.conflictsWith.map((c) => c.id)).toEqual(['20', '1']);
  });

  it('sends a sender whose domain is not a domain to the default company, saying why', () => {
    expect(matchDomain('not a domain', index, { ...options, defaultCompanyId: '99' })).toEqual({ kind: 'default', companyId: '99', reason: 'no-company-owns-domain' });
    expect(matchDomain('not a domain', index, options)).toEqual({ kind: 'none', reason: 'no-company-owns-domain' });
  });

  it('a free-mail provider on a private suffix does not swallow the separate sites under it', () => {
    const i: DomainIndex = { 'acme.github.io': [acme] };
    const o = { ...options, freeMail: new Set(['github.io']) };
    expect(matchDomain('acme.github.io', i, o)).toMatchObject({ kind: 'company', company: acme });
    expect(matchDomain('github.io', i, o)).toEqual({ kind: 'none', reason: 'free-mail' });
  });
});
