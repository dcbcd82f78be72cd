import Handlebars from 'handlebars';
import type { Language } from '../i18n/messages.js';
import type { RenderInput, SnippetRegistry } from './snippets.js';

export interface EmailTemplate { name: string; language: Language; subject: string; text: string; html: string }
export interface RenderedEmail {
  subject: string; text: string; html: string;
  /** Secret values in this message (cut from every logged copy). */
  secrets: string[];
  /** Each snippet's value by its snake_case name ("Portal Address" → portal_address): HubSpot's custom properties. */
  values: Record<string, string>;
}

const snake = (name: string) => name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');

const FIELDS = ['subject', 'text', 'html'] as const;

interface Token { start: number; end: number; name: string }

/** `{[Name]}` tokens of one field, or the problem that makes the field unreadable. */
function tokens(source: string): { tokens: Token[]; problem?: string } {
  const out: Token[] = [];
  let i = 0;
  for (;;) {
    const open = source.indexOf('{[', i);
    const stray = source.indexOf(']}', i);
    if (stray >= 0 && (open < 0 || stray < open)) return { tokens: out, problem: `"]}" at character ${stray + 1} closes no snippet` };
    if (open < 0) return { tokens: out };
    const close = source.indexOf(']}', open + 2);
    if (close < 0) return { tokens: out, problem: `snippet opened at character ${open + 1} is never closed with "]}"` };
    const name = source.slice(open + 2, close);
    if (!name.trim()) return { tokens: out, problem: `empty snippet "{[]}" at character ${open + 1}` };
    if (name.includes('{[')) return { tokens: out, problem: `snippet at character ${open + 1} contains another "{["` };
    out.push({ start: open, end: close + 2, name });
    i = close + 2;
  }
}

/** Problems that make a template unsaveable, each naming the field and the snippet. */
export function validateTemplate(t: EmailTemplate, registry: SnippetRegistry): string[] {
  const problems: string[] = [];
  for (const field of FIELDS) {
    const parsed = tokens(t[field]);
    if (parsed.problem) problems.push(`${field}: ${parsed.problem}`);
    for (const tok of parsed.tokens) if (!registry.lookup(tok.name)) problems.push(`${field}: unknown snippet {[${tok.name}]}`);
  }
  if (!t.subject.trim()) problems.push('subject: must not be empty');
  if (!t.text.trim() && !t.html.trim()) problems.push('text and html: at least one body is required');
  return problems;
}

// Snippet values go in as Handlebars variables `s0, s1, …`; everything else the admin wrote is
// literal text, so a stray "{{" in a template can never become template logic.
function toHandlebars(source: string, names: Map<string, string>): string {
  const parsed = tokens(source);
  let out = '';
  let at = 0;
  for (const tok of parsed.tokens) {
    out += source.slice(at, tok.start).replace(/\\/g, '\\\\').replace(/\{\{/g, '\\{{');
    const key = names.get(tok.name.trim().toLowerCase()) ?? `s${names.size}`;
    names.set(tok.name.trim().toLowerCase(), key);
    out += `{{${key}}}`;
    at = tok.end;
  }
  return out + source.slice(at).replace(/\\/g, '\\\\').replace(/\{\{/g, '\\{{');
}

/**
 * Renders with Handlebars: values are HTML-escaped in the HTML body, left as they are in the text
 * body, and line breaks are removed from the subject so no value can add a mail header.
 */
export function renderTemplate(t: EmailTemplate, registry: SnippetRegistry, input: RenderInput, extra: Record<string, string> = {}): RenderedEmail {
  const problems = validateTemplate(t, registry);
  if (problems.length) throw new Error(`template ${t.name} (${t.language}) cannot be rendered: ${problems.join('; ')}`);
  const names = new Map<string, string>();
  const sources = Object.fromEntries(FIELDS.map((f) => [f, toHandlebars(t[f], names)])) as Record<(typeof FIELDS)[number], string>;
  const values: Record<string, string> = {};
  const byName: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, key] of names) {
    const def = registry.lookup(name)!;
    const value = def.resolve(input, extra) ?? '';
    values[key] = value;
    byName[snake(def.name)] = value;
    if (def.secret && value) secrets.push(value);
  }
  const subject = Handlebars.compile(sources.subject, { noEscape: true, strict: false })(values).replace(/[\r\n]+/g, ' ').trim();
  const text = Handlebars.compile(sources.text, { noEscape: true })(values);
  const html = Handlebars.compile(sources.html)(values);
  return { subject, text, html, secrets, values: byName };
}

/** A copy fit for logs and the CRM timeline: every secret value replaced. */
export function withoutSecrets(email: RenderedEmail, placeholder = '[removed]'): RenderedEmail {
  const cut = (s: string) => email.secrets.reduce((acc, secret) => acc.split(secret).join(placeholder)
    .split(Handlebars.escapeExpression(secret)).join(placeholder), s);
  const values = Object.fromEntries(Object.entries(email.values).map(([k, v]) => [k, cut(v)]));
  return { subject: cut(email.subject), text: cut(email.text), html: cut(email.html), secrets: [], values };
}
