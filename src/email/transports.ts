import { createTransport } from 'nodemailer';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import { TransientError, PermanentError } from '../queue/errors.js';
import { caps, keys, ttl } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { withoutSecrets, type RenderedEmail } from './email-template.js';
import { crashPoint } from '../platform/crash-points.js';

export interface OutgoingEmail { to: string; templateName: string; rendered: RenderedEmail; contactId: string }

/** One way out. `key` is the send's idempotency key: a transport that can, uses it to send at most once. */
export interface EmailTransport { readonly kind: string; send(portalId: number, email: OutgoingEmail, key: string): Promise<{ id: string }> }

export interface OutboxEntry { key: string; to: string; subject: string; text: string; html: string; template: string; at: string }

/**
 * Kept, listed, never sent (the embedded default; the demo and tests read it). The listed copy,
 * which agents see on cards, has no secrets. Beside it, the mailbox keeps each message as its
 * recipient would have received it (one-time link included) for 7 days: it stands in for the
 * customer's inbox in trials and the demo, and no card or API route reads it; only the operator's
 * console and the demo do. One entry per key, however often asked.
 */
export class OutboxTransport implements EmailTransport {
  readonly kind = 'outbox';
  constructor(private readonly store: Store) {}
  async send(portalId: number, email: OutgoingEmail, key: string) {
    // Written first, marked after: a crash between them writes the message again under the same
    // key, and the lists show one entry per key. (Marking first would lose it instead.)
    const once = keys.idempotency(portalId, `outbox:${key}`);
    if (await this.store.get(once)) return { id: key };
    const { subject, text, html } = withoutSecrets(email.rendered);
    const entry: OutboxEntry = { key, to: email.to, subject, text, html, template: email.templateName, at: new Date().toISOString() };
    await this.store.pushCapped(keys.outbox(portalId), JSON.stringify(entry), caps.outbox);
    const delivered: OutboxEntry = { ...entry, subject: email.rendered.subject, text: email.rendered.text, html: email.rendered.html };
    await this.store.pushCapped(keys.outboxMailbox(portalId), JSON.stringify(delivered), caps.outboxMailbox, ttl.outboxMailbox);
    crashPoint('outbox.written');
    await this.store.set(once, '1', ttl.idempotency);
    return { id: key };
  }
  /** The messages as their recipients would have them (operator's console and demo only). */
  async mailbox(portalId: number): Promise<OutboxEntry[]> {
    return onePerKey((await this.store.range(keys.outboxMailbox(portalId), 0, -1)).map((r) => JSON.parse(r) as OutboxEntry));
  }
  async list(portalId: number): Promise<OutboxEntry[]> {
    return onePerKey((await this.store.range(keys.outbox(portalId), 0, -1)).map((r) => JSON.parse(r) as OutboxEntry));
  }
}

/** A message written twice (a crash before its mark) is one message. */
function onePerKey(entries: OutboxEntry[]): OutboxEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(e.key) && seen.add(e.key));
}

/** HubSpot transactional single-send: HubSpot sends at most one message per sendId. */
export class HubSpotTransport implements EmailTransport {
  readonly kind = 'hubspot';
  constructor(private readonly hubspot: HubSpotGateway, private readonly emailIds: Record<string, number>) {}
  async send(portalId: number, email: OutgoingEmail, key: string) {
    const emailId = this.emailIds[email.templateName];
    if (!emailId) throw new PermanentError(`no HubSpot transactional email id is set for template "${email.templateName}" (settings → email)`);
    // The spec types each custom property as an object; the HubSpot template reads {{ custom.NAME.value }}.
    const customProperties = Object.fromEntries(Object.entries(email.rendered.values).map(([k, v]) => [k, { value: v }]));
    const answer = await this.hubspot.request<{ statusId: string }>(portalId, 'marketing.transactional.single-send', {
      method: 'POST', path: '/marketing/v3/transactional/single-email/send',
      body: { emailId, message: { to: email.to, sendId: key }, customProperties },
    });
    return { id: answer.statusId };
  }
}

export interface SmtpOptions { host: string; port: number; secure: boolean; user: string; password?: string; from: string; /** the checked address to connect to (see smtp-target.ts) */ address?: string }

/**
 * Your SMTP server through nodemailer. SMTP has no idempotency key: the Message-ID is derived from
 * ours so a receiving system can tell a repeat, but a crash between the server's answer and our
 * record means the retry sends again (at-least-once in that window).
 */
export class SmtpTransport implements EmailTransport {
  readonly kind = 'smtp';
  private readonly transporter;
  constructor(private readonly o: SmtpOptions) {
    this.transporter = createTransport({
      host: o.address ?? o.host, port: o.port, secure: o.secure, auth: o.user ? { user: o.user, pass: o.password ?? '' } : undefined,
      tls: { servername: o.host },
      connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000,
    });
  }
  async send(_portalId: number, email: OutgoingEmail, key: string) {
    try {
      const info = await this.transporter.sendMail({
        from: this.o.from, to: email.to, subject: email.rendered.subject, text: email.rendered.text, html: email.rendered.html,
        messageId: `<${key}@portal-autopilot>`,
      });
      return { id: info.messageId };
    } catch (err) {
      const e = err as { responseCode?: number; message: string };
      // 5xx from the server is a refusal (bad address, policy); anything else may pass on a retry.
      if (e.responseCode && e.responseCode >= 500) throw new PermanentError(`SMTP server refused the message: ${e.message}`);
      throw new TransientError(`SMTP delivery failed: ${e.message}`);
    }
  }
}
