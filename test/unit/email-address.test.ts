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

// Public sets, as published: RFC 3696 section 3's examples, and the "Email address" article of the
// English Wikipedia (its valid and invalid examples). Quoted local parts, escapes, address literals and
// single-label domains are valid in RFC 5322 but refused here on purpose: no support inbox customer has
// one, and each is a way to smuggle a second address past a check.
const publicValid = [
  'customer/department=shipping@example.com', '$A12345@example.com', '!def!xyz%abc@example.com', '_somename@example.com',
  'simple@example.com', 'very.common@example.com', 'FirstName.LastName@EasierReading.org', 'x@example.com',
  'long.email-address-with-hyphens@and.subdomains.example.com', 'user.name+tag+sorting@example.com', 'name/surname@example.com',
  'example-indeed@strange-example.com', 'test/test@test.com', 'mailhost!username@example.org', 'user%example.com@example.org', 'user-@example.org',
];
const publicInvalid = [
  'Abc.example.com', 'A@b@c@example.com', 'a"b(c)d,e:f;g<h>i[j\\k]l@example.com', 'just"not"right@example.com',
  'this is"not\\allowed@example.com', 'this\\ still\\"not\\\\allowed@example.com',
  '1234567890123456789012345678901234567890123456789012345678901234+x@example.com', 'i.like.underscores@but_they_are_not_allowed_in_this_part',
];
const refusedOnPurpose = ['Abc\\@def@example.com', 'Fred\\ Bloggs@example.com', 'Joe.\\\\Blow@example.com', '"Abc@def"@example.com', '"Fred Bloggs"@example.com', 'admin@example', '" "@example.org', 'postmaster@[123.123.123.123]'];

describe('public address sets (RFC 3696 section 3, Wikipedia "Email address")', () => {
  it('accepts every valid example that has no quoting, escape or address literal', () => {
    expect(publicValid.filter((a) => normalizeEmail(a) === null)).toEqual([]);
  });
  it('refuses every invalid example', () => {
    expect(publicInvalid.filter((a) => normalizeEmail(a) !== null)).toEqual([]);
  });
  it('refuses the quoted, escaped, literal and single-label forms on purpose', () => {
    expect(refusedOnPurpose.filter((a) => normalizeEmail(a) !== null)).toEqual([]);
  });
});
