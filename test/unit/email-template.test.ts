import { describe, expect, it } from 'vitest';
import { defaultTemplate, templateNames } from '../../src/email/default-templates.js';
import { renderTemplate, validateTemplate, withoutSecrets, type EmailTemplate } from '../../src/email/email-template.js';
import { builtInSnippets, SnippetRegistry } from '../../src/email/snippets.js';
import { languages } from '../../src/i18n/messages.js';
import { portalSnippets } from '../../src/portal/portal-snippets.js';

const registry = new SnippetRegistry([...builtInSnippets, ...portalSnippets]);
const link = 'https://portal.acme.example/set-password?token=s3cr3t-t0k3n';
const extra = { 'Portal Address': 'https://portal.acme.example', 'Portal Username': 'ada@acme.example', 'Portal Password': link };
const input = { contact: { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@acme.example' }, company: { name: 'Acme' }, ticket: { subject: 'Printer on fire', hs_object_id: '77', content: 'Smoke' } };
const t = (over: Partial<EmailTemplate>): EmailTemplate => ({ name: 'portal-credentials', language: 'en', subject: 'Hi', text: 'Hello', html: '<p>Hello</p>', ...over });

describe('email templates', () => {
  it.each(languages)('renders the shipped credentials email in %s with every snippet filled', (language) => {
    const out = renderTemplate(defaultTemplate('portal-credentials', language), registry, input, extra);
    expect(out.text).toContain('Ada');
    expect(out.text).toContain('https://portal.acme.example');
    expect(out.text).toContain('ada@acme.example');
    expect(out.text).toContain(link);
    expect(out.html).toContain('<p>');
    expect(out.text).not.toMatch(/\{\[|\]\}/);
  });

  it('ships every template in the four languages, each valid and each different', () => {
    for (const name of templateNames) {
      const subjects = languages.map((l) => defaultTemplate(name, l).subject);
      expect(new Set(subjects).size).toBe(4);
      for (const l of languages) expect(validateTemplate(defaultTemplate(name, l), registry)).toEqual([]);
    }
  });

  it('reads the Italian and Spanish snippet names of the articles', () => {
    const it_ = renderTemplate(t({ text: '{[Indirizzo del Portale]} {[Nome Utente del Portale]}' }), registry, input, extra);
    expect(it_.text).toBe('https://portal.acme.example ada@acme.example');
    expect(renderTemplate(t({ text: '{[Contraseña del Portal]}' }), registry, input, extra).secrets).toEqual([link]);
  });

  it('refuses an unknown snippet, naming it and the field', () => {
    expect(validateTemplate(t({ subject: 'Hi {[Contact Shoe Size]}' }), registry)).toEqual(['subject: unknown snippet {[Contact Shoe Size]}']);
  });

  it('refuses a broken template with a message that says where', () => {
    expect(validateTemplate(t({ text: 'Hello {[Contact First Name' }), registry)).toEqual(['text: snippet opened at character 7 is never closed with "]}"']);
    expect(validateTemplate(t({ html: 'oops ]} here' }), registry)).toEqual(['html: "]}" at character 6 closes no snippet']);
    expect(validateTemplate(t({ text: 'a {[]} b' }), registry)).toEqual(['text: empty snippet "{[]}" at character 3']);
    expect(validateTemplate(t({ subject: ' ', text: '', html: '' }), registry)).toEqual(['subject: must not be empty', 'text and html: at least one body is required']);
  });

  it('escapes values in the HTML body, not in the text body, and keeps template text literal', () => {
    const evil = { contact: { firstname: '<script>alert(1)</script>', lastname: '"&' } };
    const out = renderTemplate(t({ text: '{[Contact First Name]} {{x}}', html: '<b>{[Contact First Name]}</b> {[Contact Last Name]} {{#each}}' }), registry, evil);
    expect(out.html).toBe('<b>&lt;script&gt;alert(1)&lt;/script&gt;</b> &quot;&amp; {{#each}}');
    expect(out.text).toBe('<script>alert(1)</script> {{x}}');
  });

  it('never lets a value add a header through the subject', () => {
    const out = renderTemplate(t({ subject: 'Hello {[Contact First Name]}' }), registry, { contact: { firstname: 'Ada\r\nBcc: victim@example.com' } });
    expect(out.subject).toBe('Hello Ada Bcc: victim@example.com');
    expect(out.subject).not.toMatch(/[\r\n]/);
  });

  it('cuts secrets from the copy that is logged, in text, HTML and snippet values', () => {
    const out = renderTemplate(defaultTemplate('portal-credentials', 'de'), registry, input, { ...extra, 'Portal Password': 'https://x.example/?a=1&b=2' });
    const copy = withoutSecrets(out);
    expect(JSON.stringify(copy)).not.toContain('a=1');
    expect(copy.text).toContain('[removed]');
    expect(copy.html).toContain('[removed]');
    expect(copy.values.portal_password).toBe('[removed]');
  });

  it('gives HubSpot every snippet value by a snake_case name', () => {
    const out = renderTemplate(defaultTemplate('portal-credentials', 'es'), registry, input, extra);
    expect(out.values).toMatchObject({ contact_first_name: 'Ada', portal_address: 'https://portal.acme.example', portal_username: 'ada@acme.example', portal_password: link });
  });
});

describe('the issue report\'s priority', () => {
  const registry = new SnippetRegistry([...builtInSnippets, ...portalSnippets]);
  const report = (language: (typeof languages)[number], priority?: string) => renderTemplate(defaultTemplate('support-issue-report', language), registry, {
    company: { name: 'Acme' }, ticket: { subject: 'Printer on fire', hs_object_id: '1031', hs_ticket_priority: priority, link: 'https://app.hubspot.com/x', excerpt: '' },
  }).text;

  it('says a ticket has no priority instead of leaving a blank, in the report\'s language', () => {
    expect(report('en')).toContain('Printer on fire (ticket 1031, priority not set)');
    expect(report('en', '')).toContain('(ticket 1031, priority not set)');
    expect(report('de')).toContain('(Ticket 1031, Priorität nicht gesetzt)');
    expect(report('it')).toContain('(ticket 1031, priorità non impostata)');
    expect(report('es')).toContain('(ticket 1031, prioridad sin definir)');
  });

  it('names HubSpot\'s priorities in the report\'s words, and keeps one it does not know as it is', () => {
    expect(report('en', 'HIGH')).toContain('priority high)');
    expect(report('de', 'URGENT')).toContain('Priorität dringend)');
    expect(report('es', 'LOW')).toContain('prioridad baja)');
    expect(report('it', 'P1-custom')).toContain('priorità P1-custom)');
  });
});
