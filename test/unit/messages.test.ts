import { describe, expect, it } from 'vitest';
import { catalogues, languages, pickLanguage, t } from '../../src/i18n/messages.js';

describe('message catalogue', () => {
  it('has every message in English, German, Italian and Spanish, none left empty or in English', () => {
    const keys = Object.keys(catalogues.en);
    for (const lang of languages) {
      expect(Object.keys(catalogues[lang]).sort()).toEqual([...keys].sort());
      for (const k of keys) expect(catalogues[lang][k as keyof typeof catalogues.en].trim()).not.toBe('');
    }
    // Words that are the same in a language on purpose (a name, "HTML", German "Text", a pattern of placeholders,
    // HubSpot's own "Pipeline" in every language, the articles' name of the "Ignore Flow" switch).
    const everywhere = ['rb.field.pipeline', 'rb.ignoreFlowOf'];
    const same: Record<string, string[]> = { de: ['templates.text', ...everywhere], it: everywhere, es: everywhere };
    const translated = keys.filter((k) => !['app.name', 'status.title', 'templates.html', 'ticketRules.action', 'ticketRules.actionLine', 'ticketRules.actionLineWhy'].includes(k));
    for (const lang of ['de', 'it', 'es'] as const) {
      for (const k of translated.filter((x) => !same[lang]!.includes(x))) expect(catalogues[lang][k as keyof typeof catalogues.en], `${lang} ${k}`).not.toBe(catalogues.en[k as keyof typeof catalogues.en]);
    }
  });

  it('keeps the same placeholders in every language', () => {
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const [k, v] of Object.entries(catalogues.en)) {
      for (const lang of languages) expect(placeholders(catalogues[lang][k as keyof typeof catalogues.en]), `${lang} ${k}`).toEqual(placeholders(v));
    }
  });

  it('fills placeholders and picks the language from a HubSpot locale', () => {
    expect(t('de', 'status.connected', { portalId: 42 })).toBe('Mit Account 42 verbunden');
    expect(pickLanguage('es-MX')).toBe('es');
    expect(pickLanguage('fr')).toBe('en');
    expect(pickLanguage(undefined)).toBe('en');
  });
});
