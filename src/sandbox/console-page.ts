import escapeHtml from 'escape-html';
import { Router, type Response } from 'express';
import type { SandboxAccount } from './sandbox-account.js';

/** What the app knows, for the console; the demo passes it in (the sandbox itself knows only HubSpot's side). */
export interface AppView {
  filing: (contactId: string) => Promise<{ companyId: string | null; matchedDomain?: string; reason: string } | null>;
  portalAccess: (contactId: string) => Promise<string>;
  ruleRuns: (ticketId: string) => Promise<{ trigger: string; decisions: { name: string; fired: boolean; note?: string }[]; actions: { type: string; status: string; detail: string; delivered?: { state: string; reason?: string } }[] }[]>;
  /** Messages as their recipients got them (outbox mode). */
  mailbox: () => Promise<{ to: string; subject: string; html: string; text: string; at: string }[]>;
}

const h = (v: unknown) => escapeHtml(String(v ?? ''));
const CSS = `body{font-family:system-ui,sans-serif;margin:0;color:#213343;background:#f5f8fa}header{background:#213343;color:#fff;padding:12px 24px}
main{padding:16px 24px;max-width:1200px}section{background:#fff;border:1px solid #cbd6e2;border-radius:6px;padding:12px 16px;margin:0 0 16px}pre{white-space:pre-wrap;font:13px/1.4 ui-monospace,monospace;background:#f5f8fa;padding:8px;border-radius:4px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eaf0f6;vertical-align:top}
th{font-size:.85rem;color:#516f90}h2{margin:4px 0 10px;font-size:1.1rem}.muted{color:#7c98b6}iframe{width:100%;height:220px;border:1px solid #cbd6e2;background:#fff}
form{display:flex;gap:8px;flex-wrap:wrap;align-items:end}label{display:flex;flex-direction:column;font-size:.85rem}input{padding:6px}button{padding:7px 12px;background:#0b6e99;color:#fff;border:0;border-radius:4px}
.tag{display:inline-block;padding:1px 8px;border-radius:10px;background:#eaf0f6;font-size:.85rem}`;

/**
 * GET /_console: one page that shows what happened, for people trying the app locally: contacts
 * with their companies and why, companies with their domains, tickets with the rules that ran, and
 * every email as the customer sees it. Server-rendered, no script (the emails sit in sandboxed
 * frames). Forms add a company or make an email arrive through the sandbox's control routes.
 */
export function consoleRoutes(o: { account: () => SandboxAccount; portalUrl: () => string; app?: () => AppView | undefined }): Router {
  const r = Router();
  r.get('/_console', async (_req, res: Response) => {
    const a = o.account();
    const app = o.app?.();
    const companies = a.objects.companies!.all();
    const companyName = new Map(companies.map((c) => [c.id, c.properties.name ?? c.id]));
    const contacts = a.objects.contacts!.all();
    const replies = [...a.messages.values()].flat().filter((x) => x.direction === 'OUTGOING').reverse();
    const mails = (await app?.mailbox()) ?? [];
    // An invited customer first opens the newest link they were sent; an active one signs in.
    const linkFor = (email: string | undefined) => mails.map((m) => (m.to === email ? /https?:\/\/\S+\/set-password\/[\w-]{43}/.exec(m.text)?.[0] : undefined)).find(Boolean);
    const contactRows = await Promise.all(contacts.map(async (c) => {
      const to = a.associationsOf('contacts', c.id, 'companies')[0]?.toObjectId;
      const filing = await app?.filing(c.id);
      const why = filing ? (filing.reason === 'domain' ? `owns ${filing.matchedDomain}` : filing.reason) : 'not created by the app';
      const access = (await app?.portalAccess(c.id)) ?? '';
      return `<tr><td>${h(c.properties.email)}</td><td>${h([c.properties.firstname, c.properties.lastname].filter(Boolean).join(' '))}</td>
        <td>${to ? h(companyName.get(to)) : '<span class="muted">none</span>'}</td><td>${h(why)}</td><td><span class="tag">${h(access || 'none')}</span></td>
        <td>${access === 'active' ? `<a href="${h(o.portalUrl())}">sign in as this customer</a>` : access === 'invited' && linkFor(c.properties.email) ? `<a href="${h(linkFor(c.properties.email))}">set the password as this customer</a>` : ''}</td></tr>`;
    }));
    const ticketRows = await Promise.all(a.objects.tickets!.all().map(async (t) => {
      const requester = a.associationsOf('tickets', t.id, 'contacts')[0]?.toObjectId;
      const runs = (await app?.ruleRuns(t.id)) ?? [];
      const explained = runs.flatMap((run) => run.decisions.map((d) => `${d.name}: ${d.fired ? 'fired' : d.note ?? 'did not match'}`)
        .concat(run.actions.map((x) => (x.delivered ? `→ ${x.type} ${x.delivered.state === 'sent' ? 'sent' : `${x.delivered.state}: ${x.delivered.reason ?? ''}`} (${x.detail})` : `→ ${x.type} ${x.status} (${x.detail})`)))).map(h).join('<br>');
      return `<tr><td>${h(t.id)}</td><td>${h(t.properties.subject)}</td><td>${requester ? h(a.objects.contacts!.get(requester)?.properties.email) : ''}</td><td>${explained || '<span class="muted">no rule ran</span>'}</td></tr>`;
    }));
    const mailBlocks = mails.map((m) => `<div><p><strong>${h(m.subject)}</strong> to ${h(m.to)} <span class="muted">${h(m.at)}</span></p>
      <iframe sandbox title="${h(m.subject)}" srcdoc="${h(m.html || `<pre>${h(m.text)}</pre>`)}"></iframe></div>`).join('');
    // The emails are shown in sandboxed frames (no script, no network); the page itself loads nothing.
    res.set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'");
    res.type('html').send(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Portal Autopilot – local console</title><style>${CSS}</style></head><body>
      <header><strong>Portal Autopilot – local console</strong> · HubSpot sandbox account ${h(a.portalId)} · <a style="color:#fff" href="${h(o.portalUrl())}">customer portal</a></header><main>
      <section><h2>Contacts (${contacts.length})</h2><table><tr><th>email</th><th>name</th><th>company</th><th>why</th><th>portal</th><th></th></tr>${contactRows.join('') || '<tr><td colspan="6" class="muted">No contacts yet: make an email arrive below.</td></tr>'}</table></section>
      <section><h2>Companies (${companies.length})</h2><table><tr><th>name</th><th>domains</th></tr>${companies.map((c) => `<tr><td>${h(c.properties.name)}</td><td>${h([c.properties.domain, ...(c.properties.hs_additional_domains ?? '').split(';')].filter(Boolean).join(', '))}</td></tr>`).join('')}</table>
        <form method="post" action="/_sandbox/companies"><input type="hidden" name="portalId" value="${h(a.portalId)}"><label>name<input name="name" required></label><label>domain<input name="domain" required></label><label>more domains (;)<input name="hs_additional_domains"></label><button>Add company</button></form></section>
      <section><h2>Make an email arrive</h2><form method="post" action="/_sandbox/inbound-email"><input type="hidden" name="portalId" value="${h(a.portalId)}"><label>from<input name="from" type="email" required></label><label>name<input name="name"></label><label>subject<input name="subject" required></label><input type="hidden" name="text" value="Sent from the console"><button>Send</button></form></section>
      <section><h2>Tickets</h2><table><tr><th>id</th><th>title</th><th>requester</th><th>rules</th></tr>${ticketRows.join('') || '<tr><td colspan="4" class="muted">No tickets yet.</td></tr>'}</table></section>
      <section><h2>Agents' replies on conversations (${replies.length})</h2>${replies.map((m) => `<p><strong>${h(m.subject || '(reply)')}</strong> to ${h(m.recipients.join(', '))} on thread ${h(m.threadId)} <span class="muted">${h(m.createdAt)}</span></p><pre>${h(m.text)}</pre>`).join('') || '<p class="muted">No agent has replied on a conversation yet.</p>'}</section>
      <section><h2>Emails (${mails.length}), as the customer sees them</h2>${mailBlocks || '<p class="muted">No email sent yet (delivery: outbox).</p>'}</section>
      </main></body></html>`);
  });
  return r;
}
