import type { TokenCipher } from '../auth/token-cipher.js';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import { portalSnippets } from '../portal/portal-snippets.js';
import { PermanentError } from '../queue/errors.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { EmailService, type EmailContext } from './send-email.js';
import { builtInSnippets, SnippetRegistry } from './snippets.js';
import { TemplateRepository } from './template-repository.js';
import { resolveSmtpTarget } from './smtp-target.js';
import { HubSpotTransport, OutboxTransport, SmtpTransport, type EmailTransport } from './transports.js';

/** The email capability, wired: snippet registry (with the portal's snippets), templates, transports. */
/** `sendLockMs`: how long one send holds its cause; a killed worker's hold lapses with its job's lock (WORKER_LOCK_MS). */
export function createEmail(store: Store, hubspot: HubSpotGateway, cipher?: TokenCipher, smtpAllowedHosts: readonly string[] = [], sendLockMs = 60_000) {
  const registry = new SnippetRegistry([...builtInSnippets, ...portalSnippets]);
  const templates = new TemplateRepository(store, registry);
  const outbox = new OutboxTransport(store);

  const transport = async (ctx: EmailContext): Promise<EmailTransport> => {
    const e = ctx.settings.email;
    if (e.transport === 'hubspot') return new HubSpotTransport(hubspot, e.hubspotEmailIds);
    if (e.transport === 'smtp') {
      if (!e.smtp) throw new PermanentError('email transport is smtp but settings.email.smtp is not filled in');
      const blob = await store.get(keys.smtpPassword(ctx.portalId));
      const password = blob && cipher ? cipher.decrypt(blob, `smtp:${ctx.portalId}`) : undefined;
      // Connect to the checked address; TLS still checks the certificate against the host name.
      const address = await resolveSmtpTarget(e.smtp.host, smtpAllowedHosts);
      return new SmtpTransport({ ...e.smtp, password, address });
    }
    return outbox;
  };

  /** Keeps the SMTP password encrypted at rest, apart from the settings (which are shown to admins). */
  const saveSmtpPassword = async (portalId: number, password: string) => {
    if (!cipher) throw new Error('TOKEN_ENCRYPTION_KEY must be set on the server to store an SMTP password encrypted');
    await store.set(keys.smtpPassword(portalId), cipher.encrypt(password, `smtp:${portalId}`));
  };

  return { registry, templates, outbox, saveSmtpPassword, transport, service: new EmailService({ templates, registry, transport, lockMs: sendLockMs }) };
}

export type Email = ReturnType<typeof createEmail>;
