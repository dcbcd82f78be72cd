import { languages, matchLanguage, type Language } from '../../i18n/messages.js';

/**
 * The page's language: the relying party's `ui_locales` (first one we speak), then the contact's
 * own language, then the browser's Accept-Language, then English.
 */
export function pageLanguage(uiLocales: string | undefined, contactLocale: string | undefined, acceptLanguage: (langs: string[]) => string | false): Language {
  for (const tag of uiLocales?.split(/\s+/).filter(Boolean).slice(0, 10) ?? []) {
    const hit = matchLanguage(tag);
    if (hit) return hit;
  }
  return matchLanguage(contactLocale) ?? matchLanguage(acceptLanguage([...languages]) || undefined) ?? 'en';
}
