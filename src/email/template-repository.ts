import { languages, matchLanguage, type Language } from '../i18n/messages.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { defaultTemplate, templateNames, type TemplateName } from './default-templates.js';
import { validateTemplate, type EmailTemplate } from './email-template.js';
import type { SnippetRegistry } from './snippets.js';

export class TemplateError extends Error {
  constructor(readonly problems: string[]) { super(problems.join('; ')); }
}

export interface ListedTemplate extends EmailTemplate { customised: boolean }

/** The account's templates: its own versions over the shipped defaults, per language. */
export class TemplateRepository {
  constructor(private readonly store: Store, private readonly registry: SnippetRegistry) {}

  private async custom(portalId: number): Promise<Record<string, EmailTemplate>> {
    const raw = await this.store.get(keys.templates(portalId));
    return raw ? (JSON.parse(raw) as Record<string, EmailTemplate>) : {};
  }

  async list(portalId: number): Promise<ListedTemplate[]> {
    const custom = await this.custom(portalId);
    return templateNames.flatMap((name) => languages.map((language) => {
      const own = custom[`${name}:${language}`];
      return own ? { ...own, customised: true } : { ...defaultTemplate(name, language), customised: false };
    }));
  }

  async get(portalId: number, name: TemplateName, language: Language): Promise<EmailTemplate> {
    return (await this.custom(portalId))[`${name}:${language}`] ?? defaultTemplate(name, language);
  }

  /** Refuses a template with an unknown snippet or a broken one, naming the field and the snippet. */
  async save(portalId: number, template: EmailTemplate): Promise<void> {
    const problems = validateTemplate(template, this.registry);
    if (problems.length) throw new TemplateError(problems);
    await this.store.withLock(`${keys.templates(portalId)}:lock`, 5000, async () => {
      const custom = await this.custom(portalId);
      custom[`${template.name}:${template.language}`] = template;
      await this.store.set(keys.templates(portalId), JSON.stringify(custom));
    });
  }

  /** Back to the shipped default of one template in one language. */
  async restore(portalId: number, name: TemplateName, language: Language): Promise<EmailTemplate> {
    await this.store.withLock(`${keys.templates(portalId)}:lock`, 5000, async () => {
      const custom = await this.custom(portalId);
      delete custom[`${name}:${language}`];
      await this.store.set(keys.templates(portalId), JSON.stringify(custom));
    });
    return defaultTemplate(name, language);
  }
}

/** The language chain for a recipient: theirs, the account's, English; never an empty message. */
export function languageChain(contactLanguage: string | null | undefined, accountDefault: Language): Language[] {
  const own = matchLanguage(contactLanguage);
  return [...new Set([...(own ? [own] : []), accountDefault, 'en' as Language])];
}
