import { describe, expect, it } from 'vitest';
import { canonicalDomain, matchDomain } from '../../src/companies/domain-match.js';
import { normalizeEmail } from '../../src/contacts/normalize-email.js';

// The isemail test suite is not shipped in any registry package, so these cases were written here,
// one per rule of its categories (RFC 5321/5322 syntax, lengths, comments, quoting, control characters),
// including every address the outside review named.
const invalid: [string, string][] = [
  ['.test@iana.org', 'local part starts with a dot'],
  ['test.@iana.org', 'local part ends with a dot'],
  ['test..iana@iana.org', 'two dots in the local part'],
  ['test@iana..com', 'empty domain label'],
  ['test@.iana.org', 'domain starts with a dot'],
  ['test@iana.org.', 'domain ends with a dot'],
  ['test@-iana.org', 'label starts with a hyphen'],
  ['test@iana-.org', 'label ends with a hyphen'],
  ['(comment)test@iana.org', 'comment'],
  ['test(comment)@iana.org', 'comment after the local part'],
  ['a\\@b@iana.org', 'escaped at sign'],
  ['"quoted"@iana.org', 'quoted local part'],
  ['test@[127.0.0.1]', 'address literal'],
  ['test@123.123.123.123', 'bare IP address'],
  ['test\u0000@iana.org', 'NUL'],
  ['te\u0007st@iana.org', 'BEL'],
  ['test\r\n@iana.org', 'CRLF'],
  ['te\tst@iana.org', 'tab'],
  ['test @iana.org', 'space in the local part'],
  ['test@ia na.org', 'space in the domain'],
  ['user@domain.com©', 'symbol in the domain'],
  ['us©er@domain.com', 'symbol in the local part'],
  ['@iana.org', 'no local part'],
  ['test@', 'no domain'],
  ['test', 'no at sign'],
  ['test@iana', 'single-label domain'],
  ['a@b@iana.org', 'two at signs'],
  [`${'a'.repeat(65)}@iana.org`, 'local part over 64 octets'],
  [`test@${'a'.repeat(64)}.org`, 'label over 63 octets'],
  [`test@${Array.from({ length: 50 }, () => 'abcde').join('.')}.org`, 'address over 254 octets'],
  ['test@iana.org\u202e', 'bidi control'],
  ['', 'empty'],
];
const valid: [string, string][] = [
  ['Ada@Acme.example', 'ada@acme.example'],
  ['first.last@iana.org', 'first.last@iana.org'],
  ['user+tag@acme.example', 'user+tag@acme.example'],
  ["o'brien@acme.example", "o'brien@acme.example"],
  ['x@www.ck', 'x@www.ck'],
  ['müller@bücher.example', 'müller@xn--bcher-kva.example'],
  ['<Ada@acme.example>', 'ada@acme.example'],
  ['mailto:ada@acme.example', 'ada@acme.example'],
  ['  ada@acme.example ', 'ada@acme.example'],
  ['a@b.co', 'a@b.co'],
];

describe('email addresses (a maintained parser, our normalisation on top)', () => {
  for (const [address, why] of invalid) {
    it(`refuses ${JSON.stringify(address)} (${why})`, () => { expect(normalizeEmail(address)).toBeNull(); });
  }
  for (const [address, normalised] of valid) {
    it(`accepts ${JSON.stringify(address)} as ${normalised}`, () => { expect(normalizeEmail(address)?.email).toBe(normalised); });
  }
});

describe('company domains', () => {
  it('keeps www. where what is left would be a public suffix, drops it elsewhere, and refuses empty labels', () => {
    expect(canonicalDomain('www.ck')).toBe('www.ck');
    expect(canonicalDomain('https://www.acme.example/about')).toBe('acme.example');
    expect(canonicalDomain('.acme.example')).toBeNull();
    expect(canonicalDomain('acme..example')).toBeNull();
  });

  it('files x@www.ck under the company that owns www.ck', () => {
    const index = { 'www.ck': [{ id: '7', name: 'Cook Islands Co', createdAt: '2020-01-01' }] };
    expect(matchDomain('www.ck', index, { matchSubdomains: true, freeMail: new Set(), defaultCompanyId: null })).toMatchObject({ kind: 'company', company: { id: '7' } });
  });
});
