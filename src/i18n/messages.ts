/**
 * Every user-facing text, in the languages of the original articles (en.ts, de.ts, it.ts, es.ts).
 * Cards, pages and emails read from here; a missing key fails the catalogue test, never a customer.
 */
export const languages = ['en', 'de', 'it', 'es'] as const;
export type Language = (typeof languages)[number];

// One file per language, so a translator edits one file; the catalogue test checks their keys are English's.
import { en, type Catalogue, type MessageKey } from './en.js';
import { de } from './de.js';
import { it } from './it.js';
import { es } from './es.js';

export type { MessageKey };

export const catalogues: Record<Language, Catalogue> = { en, de, it, es };

/** "de-DE" → "de"; undefined for a language we do not speak. */
export function matchLanguage(locale: string | null | undefined): Language | undefined {
  const base = (locale ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return (languages as readonly string[]).includes(base) ? (base as Language) : undefined;
}

/** "de-DE" → "de"; anything we do not speak → English. */
export function pickLanguage(locale: string | null | undefined): Language {
  return matchLanguage(locale) ?? 'en';
}

export function t(language: Language, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return catalogues[language][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
