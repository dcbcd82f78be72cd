import { describe, expect, it } from 'vitest';
import { personalWords } from '../../src/portal/personal-words.js';

// What an attacker who knows the customer tries first: the exact list, so a part lost or a case
// kept (a separator dropped from a pattern, a length bound moved) shows.
describe('the personal words a password is checked against', () => {
  it('splits the name at spaces, hyphens, both apostrophes, dots and commas, and keeps it whole too', () => {
    expect(personalWords({ email: 'x@y.example', name: 'Ada Mary O\'Brien-Lovelace, Jr. D’Arcy' })).toEqual([
      'ada', 'mary', 'brien', 'lovelace', 'arcy', 'adamaryobrienlovelacejrdarcy', 'y.example', 'example',
    ]);
  });

  it('takes the address\'s local part whole and at . _ + -, and its domain whole and by label, all in lower case', () => {
    expect(personalWords({ email: 'Ada.King_Byron+Work-Mail@Mail.Acme-Labs.Example' })).toEqual([
      'ada.king_byron+work-mail', 'ada', 'king', 'byron', 'work', 'mail', 'mail.acme-labs.example', 'acme-labs', 'example',
    ]);
  });

  it('leaves out parts shorter than three letters, and counts a three-letter one', () => {
    expect(personalWords({ email: 'jo.li@de.co', name: 'Jo Li' })).toEqual(['joli', 'jo.li', 'de.co']);
    expect(personalWords({ email: 'ada@de.co', name: 'Ada' })).toEqual(['ada', 'de.co']);
  });

  it('adds each company\'s name (whole, and at spaces, punctuation and &) and every domain it owns, whole and by label', () => {
    expect(personalWords({ email: 'ada@acme.example' }, [{ name: 'Acme & Sons, Ltd.', domains: ['acme.example', 'acme-labs.io'] }])).toEqual([
      'ada', 'acme.example', 'acme', 'example', 'acmesonsltd', 'sons', 'ltd', 'acme-labs.io',
      'acme-labs',
    ]);
  });

  it('keeps each word once, and at most 100 words whatever the companies', () => {
    const many = Array.from({ length: 80 }, (_, i) => ({ name: `Company Number${i}`, domains: [`company${i}.example`] }));
    const words = personalWords({ email: 'ada@acme.example', name: 'Ada' }, many);
    expect(words).toHaveLength(100);
    expect(new Set(words).size).toBe(100);
    expect(words.slice(0, 4)).toEqual(['ada', 'acme.example', 'acme', 'example']);
  });

  it('copes with no name and an address without a domain', () => {
    expect(personalWords({ email: 'postmaster' })).toEqual(['postmaster']);
  });
});
