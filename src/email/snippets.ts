import type { Language } from '../i18n/messages.js';

export interface RenderInput {
  contact?: Record<string, string | null | undefined>;
  company?: Record<string, string | null | undefined>;
  ticket?: Record<string, string | null | undefined>;
}

export interface SnippetDef {
  /** The name in the original articles' syntax, `{[Portal Address]}`; English. */
  name: string;
  /** The same snippet's name in the other languages (the Italian and Spanish articles use these). */
  aliases?: Partial<Record<Language, string>>;
  /** Secret values (passwords, one-time links) are cut from every logged copy. */
  secret?: boolean;
  /** Whether a message needs this context to render it (ticket snippets only in ticket emails). */
  needs?: 'contact' | 'company' | 'ticket';
  /** The value, in the language of the message being written (the words a value is made of, e.g. a priority). */
  resolve: (input: RenderInput, extra: Record<string, string>, language: Language) => string | undefined;
}

/** HubSpot's ticket priorities (LOW, MEDIUM, HIGH, URGENT) in the message's words; a ticket without one says so. */
const priorities: Record<Language, Record<string, string>> = {
  en: { LOW: 'low', MEDIUM: 'medium', HIGH: 'high', URGENT: 'urgent', '': 'not set' },
  de: { LOW: 'niedrig', MEDIUM: 'mittel', HIGH: 'hoch', URGENT: 'dringend', '': 'nicht gesetzt' },
  it: { LOW: 'bassa', MEDIUM: 'media', HIGH: 'alta', URGENT: 'urgente', '': 'non impostata' },
  es: { LOW: 'baja', MEDIUM: 'media', HIGH: 'alta', URGENT: 'urgente', '': 'sin definir' },
};
export function priorityWord(value: string | null | undefined, language: Language): string {
  const key = (value ?? '').trim().toUpperCase();
  return priorities[language][key] ?? value!.trim();
}

const prop = (scope: 'contact' | 'company' | 'ticket', property: string) =>
  (input: RenderInput) => input[scope]?.[property] ?? undefined;

/** Contact, company and ticket snippets every template may use. */
export const builtInSnippets: SnippetDef[] = [
  { name: 'Contact First Name', aliases: { de: 'Kontakt Vorname', it: 'Nome del Contatto', es: 'Nombre del Contacto' }, needs: 'contact', resolve: prop('contact', 'firstname') },
  { name: 'Contact Last Name', aliases: { de: 'Kontakt Nachname', it: 'Cognome del Contatto', es: 'Apellido del Contacto' }, needs: 'contact', resolve: prop('contact', 'lastname') },
  { name: 'Contact Email', aliases: { de: 'Kontakt E-Mail', it: 'Email del Contatto', es: 'Correo del Contacto' }, needs: 'contact', resolve: prop('contact', 'email') },
  { name: 'Company Name', aliases: { de: 'Unternehmensname', it: 'Nome dell’Azienda', es: 'Nombre de la Empresa' }, needs: 'company', resolve: prop('company', 'name') },
  { name: 'Ticket Title', aliases: { de: 'Ticket-Titel', it: 'Titolo del Ticket', es: 'Título del Ticket' }, needs: 'ticket', resolve: prop('ticket', 'subject') },
  { name: 'Ticket ID', aliases: { de: 'Ticket-ID', it: 'ID del Ticket', es: 'ID del Ticket' }, needs: 'ticket', resolve: prop('ticket', 'hs_object_id') },
  { name: 'Ticket Description', aliases: { de: 'Ticket-Beschreibung', it: 'Descrizione del Ticket', es: 'Descripción del Ticket' }, needs: 'ticket', resolve: prop('ticket', 'content') },
  { name: 'Ticket Excerpt', aliases: { de: 'Ticket-Auszug', it: 'Estratto del Ticket', es: 'Extracto del Ticket' }, needs: 'ticket', resolve: prop('ticket', 'excerpt') },
  { name: 'Ticket Priority', aliases: { de: 'Ticket-Priorität', it: 'Priorità del Ticket', es: 'Prioridad del Ticket' }, needs: 'ticket', resolve: (input, _extra, language) => priorityWord(input.ticket?.hs_ticket_priority, language) },
  { name: 'Ticket Link', aliases: { de: 'Ticket-Link', it: 'Link del Ticket', es: 'Enlace del Ticket' }, needs: 'ticket', resolve: prop('ticket', 'link') },
];

/** Every snippet name a template may use, with its aliases; other modules register theirs. */
export class SnippetRegistry {
  private readonly byName = new Map<string, SnippetDef>();

  constructor(defs: SnippetDef[] = builtInSnippets) { defs.forEach((d) => this.register(d)); }

  register(def: SnippetDef): void {
    for (const n of [def.name, ...Object.values(def.aliases ?? {})]) {
      const key = n.toLowerCase();
      const existing = this.byName.get(key);
      if (existing && existing.name !== def.name) throw new Error(`snippet name "${n}" is taken by {[${existing.name}]}`);
      this.byName.set(key, def);
    }
  }

  lookup(name: string): SnippetDef | undefined { return this.byName.get(name.trim().toLowerCase()); }

  /** Each snippet once, with the name to show in a given language. */
  list(language: Language): { name: string; shown: string; secret: boolean }[] {
    return [...new Set(this.byName.values())].map((d) => ({ name: d.name, shown: d.aliases?.[language] ?? d.name, secret: Boolean(d.secret) }));
  }
}
