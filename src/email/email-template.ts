import escapeHtml from 'escape-html';
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

/**
 * Renders by putting each snippet's value where its `{[…]}` token stands and copying every other
 * character the admin wrote as it is. No template engine ever reads admin text: `{{…}}`,
 * partials, helpers and logging are just characters here (the `{[…]}` snippets are the only
 * template language an admin has). Values are HTML-escaped in the HTML body, left as they are in
 * the text body, and line breaks are removed from the subject so no value can add a mail header.
 */
export function renderTemplate(t: EmailTemplate, registry: SnippetRegistry, input: RenderInput, extra: Record<string, string> = {}): RenderedEmail {
  const problems = validateTemplate(t, registry);
  if (problems.length) throw new Error(`template ${t.name} (${t.language}) cannot be rendered: ${problems.join('; ')}`);
  const byName: Record<string, string> = {};
  const secrets: string[] = [];
  const resolved = new Map<string, string>();
  const valueOf = (name: string) => {
    const key = name.trim().toLowerCase();
    let value = resolved.get(key);
    if (value === undefined) {
      const def = registry.lookup(name)!;
      value = def.resolve(input, extra, t.language) ?? '';
      resolved.set(key, value);
      byName[snake(def.name)] = value;
      if (def.secret && value) secrets.push(value);
    }
    return value;
  };
  const fill = (source: string, escape: (v: string) => string) => {
    let out = '';
    let at = 0;
    for (const tok of tokens(source).tokens) {
      out += source.slice(at, tok.start) + escape(valueOf(tok.name));
      at = tok.end;
    }
    return out + source.slice(at);
  };
  const asIs = (v: string) => v;
  return {
    subject: fill(t.subject, asIs).replace(/[\r\n]+/g, ' ').trim(),
    text: fill(t.text, asIs),
    html: fill(t.html, escapeHtml),
    secrets, values: byName,
  };
}

/** A copy fit for logs and the CRM timeline: every secret value replaced. */
export function withoutSecrets(email: RenderedEmail, placeholder = '[removed]'): RenderedEmail {
  const cut = (s: string) => email.secrets.reduce((acc, secret) => acc.split(secret).join(placeholder)
    .split(escapeHtml(secret)).join(placeholder), s);
  const values = Object.fromEntries(Object.entries(email.values).map(([k, v]) => [k, cut(v)]));
  return { subject: cut(email.subject), text: cut(email.text), html: cut(email.html), secrets: [], values };
}
