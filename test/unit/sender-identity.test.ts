import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/contacts/normalize-email.js';
import { parseDisplayName } from '../../src/contacts/parse-display-name.js';

describe('normalising a sender\'s email', () => {
  it('trims, lower-cases and converts internationalised domains to punycode', () => {
    expect(normalizeEmail('  Ada.Lovelace@ACME.Example ')).toEqual({ email: 'ada.lovelace@acme.example', local: 'ada.lovelace', domain: 'acme.example' });
    expect(normalizeEmail('jürgen@MÜNCHEN.de')?.email).toBe('jürgen@xn--mnchen-3ya.de');
    expect(normalizeEmail('<ada@acme.example>')?.email).toBe('ada@acme.example');
  });

  it('keeps plus-addresses unless told to strip them', () => {
    expect(normalizeEmail('ada+support@acme.example')?.email).toBe('ada+support@acme.example');
    expect(normalizeEmail('ada+support@acme.example', { stripPlus: true })?.email).toBe('ada@acme.example');
  });

  it('refuses what is not one address', () => {
    for (const bad of ['', 'ada', '@acme.example', 'ada@', 'ada@localhost', 'a b@acme.example']) expect(normalizeEmail(bad), bad).toBeNull();
  });

  it('is idempotent', () => {
    fc.assert(fc.property(fc.emailAddress(), (e) => {
      const once = normalizeEmail(e);
      if (once) expect(normalizeEmail(once.email)).toEqual(once);
    }));
  });
});

describe('first and last name from a display name', () => {
  it.each([
    ['Ada Lovelace', { firstname: 'Ada', lastname: 'Lovelace' }],
    ['Lovelace, Ada', { firstname: 'Ada', lastname: 'Lovelace' }],
    ['"Ada Lovelace"', { firstname: 'Ada', lastname: 'Lovelace' }],
    ["'Lovelace, Ada'", { firstname: 'Ada', lastname: 'Lovelace' }],
    ['Ada King Lovelace', { firstname: 'Ada King', lastname: 'Lovelace' }],
    ['=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?=', { firstname: 'Jürgen', lastname: 'Müller' }],
    ['=?ISO-8859-1?Q?Andr=E9?= Pirard', { firstname: 'André', lastname: 'Pirard' }],
    ['Ada Lovelace (Acme Ltd)', { firstname: 'Ada', lastname: 'Lovelace' }],
    ['Ada', { firstname: 'Ada' }],
    ['ada@acme.example', {}],
    ['', {}],
    [undefined, {}],
  ])('%s', (raw, expected) => {
    expect(parseDisplayName(raw)).toEqual(expected);
  });

  it('never throws and never returns an empty name part', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const n = parseDisplayName(s);
      for (const v of Object.values(n)) expect(v.trim()).not.toBe('');
    }));
  });
});
