import type { CompanyWords } from '../companies/companies-of-domain.js';

/** Shorter parts ("de", "co") are in so many strong passwords that counting them says nothing. */
const MIN_WORD = 3;
const MAX_WORDS = 100;

// Each separator splits (empty and short parts are dropped once, at the end).
const split = (text: string, by: RegExp) => text.toLowerCase().split(by);

/**
 * The words an attacker who knows the customer tries first, each whole and in its parts: the first
 * and last name; the address's local part and its domain's labels; the company's name and every
 * domain it owns. zxcvbn matches user inputs as whole strings, so "Ada Lovelace" alone would never
 * match the "lovelace" in "Lovelace1815".
 */
export function personalWords(person: { email: string; name?: string }, companies: CompanyWords[] = []): string[] {
  const [local = '', domain = ''] = person.email.toLowerCase().split('@');
  const words = [
    ...split(person.name ?? '', /[\s\-'’.,]/), (person.name ?? '').toLowerCase().replace(/[\s\-'’.,]/g, ''),
    local, ...split(local, /[._+-]/),
    domain, ...split(domain, /\./),
  ];
  for (const c of companies) {
    words.push(c.name.toLowerCase().replace(/[\s\-'’.,&]/g, ''), ...split(c.name, /[\s\-'’.,&]/));
    for (const d of c.domains) words.push(d, ...split(d, /\./));
  }
  return [...new Set(words.filter((w) => w.length >= MIN_WORD))].slice(0, MAX_WORDS);
}
