import { describe, expect, it } from 'vitest';
import { pageLanguage } from '../../src/portal/pages/page-language.js';

// What the browser would say (Express's req.acceptsLanguages): the first of ours it accepts, or false.
const browser = (...accepted: string[]) => (ours: string[]) => accepted.find((l) => ours.includes(l)) ?? false;

describe('the language of a customer page', () => {
  it('takes the first of the relying party\'s ui_locales that we speak, in its order, whatever the spacing', () => {
    expect(pageLanguage('fr-FR  it-IT de', undefined, browser('es'))).toBe('it');
    expect(pageLanguage(' de-CH', 'es', browser('it'))).toBe('de');
    expect(pageLanguage('es\tde', undefined, browser())).toBe('es');
  });

  it('reads at most ten ui_locales (a long list cannot make the page work through all of it)', () => {
    const tenUnknown = Array.from({ length: 10 }, (_, i) => `x${i}`).join(' ');
    expect(pageLanguage(`${tenUnknown} de`, undefined, browser())).toBe('en');
    expect(pageLanguage(`${tenUnknown.split(' ').slice(1).join(' ')} de`, undefined, browser())).toBe('de');
    // Spaces before, between or after are not tags.
    expect(pageLanguage(`  ${tenUnknown.split(' ').slice(1).join('   ')} de `, undefined, browser())).toBe('de');
  });

  it('falls back to the contact\'s own language, then the browser\'s, then English', () => {
    expect(pageLanguage('fr ja', 'it-IT', browser('de'))).toBe('it');
    expect(pageLanguage(undefined, undefined, browser('es'))).toBe('es');
    expect(pageLanguage('', 'fr', browser('fr', 'de'))).toBe('de');
    expect(pageLanguage(undefined, undefined, browser('fr'))).toBe('en');
    expect(pageLanguage(undefined, 'pt-BR', browser())).toBe('en');
  });

  it('asks the browser about the four languages the pages are written in', () => {
    let asked: string[] = [];
    pageLanguage(undefined, undefined, (ours) => { asked = ours; return false; });
    expect(asked).toEqual(['en', 'de', 'it', 'es']);
  });
});
