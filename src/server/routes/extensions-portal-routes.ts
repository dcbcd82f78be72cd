import { randomInt } from 'node:crypto';
import { selfRegistrations } from '../../portal/self-registration.js';
import type { Response, Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { renderTemplate } from '../../email/email-template.js';
import { languageChain } from '../../email/template-repository.js';
import { RedirectUriError } from '../../portal/oidc/oidc-clients.js';
import { PortalAccess } from '../../portal/portal-access.js';
import type { AccountContext } from '../../webhooks/route-event.js';
import { describeZodError } from '../../platform/describe-zod-error.js';
import { caps, keys, ttl } from '../../store/keys.js';
import { PORTAL_BULK_GRANT, rulePorts } from '../event-handlers.js';
import type { ExtensionsDeps } from './extensions-deps.js';
import { isAdmin, type AdminAuditEntry } from './require-admin.js';
import { PRIMARY_CONTACT_PROPERTY } from '../provision-account.js';
import type { CardCaller } from './verify-extension-request.js';

const caller = (res: Response) => res.locals.caller as CardCaller;
const who = (c: CardCaller) => c.userEmail ?? `user ${c.userId ?? 'unknown'}`;
const requestBody = z.strictObject({ requestId: z.string().regex(/^[\w-]{8,64}$/, 'must be 8–64 letters, digits, - or _ (one per click, so a retried request sends once)') });
const clientBody = z.strictObject({
  redirectUris: z.array(z.string().max(2000)).min(1, 'add the redirect URI HubSpot shows on its SSO screen').max(5), rotateSecret: z.boolean().default(false),
  pkce: z.enum(['required', 'when-sent'], { error: 'pkce must be required or when-sent' }).optional(),
});
const bulkBody = z.strictObject({ expectedCount: z.number().int().min(0).max(10_000) });
/** A company's contacts read for the card: enough for real customers, bounded for the card's 15 s. */
const MAX_COMPANY_CONTACTS = 2_000;

/** Portal access from the cards: the contact's status and actions, a company's counts and bulk grant, the OIDC client on the settings page. */
export function portalRoutes(r: Router, deps: ExtensionsDeps): void {
  const context = async (res: Response): Promise<AccountContext> => {
    const { portalId } = caller(res);
    return { portalId, hubspot: deps.hubspot, store: deps.store, settings: (await deps.settings.read(portalId)).settings, log: res.locals.log as Logger };
  };
  const queueCredentials = (portalId: number, contactId: string, cause: string, template: 'portal-credentials' | 'portal-reset') => rulePorts(deps.queue).queueEmail(portalId, { cause, template, contactId });

  r.get('/contacts/:contactId/portal', async (req, res) => {
    const { portalId } = caller(res);
    const contactId = String(req.params.contactId);
    const [account, history, emails] = await Promise.all([
      deps.portal.accounts.get(portalId, contactId), deps.portal.accounts.history(portalId, contactId), deps.email.service.log(deps.store, portalId, contactId),
    ]);
    res.json({
      access: account?.state ?? 'none', email: account?.email ?? null, lastSignInAt: account?.lastSignInAt ?? null,
      lastCredentialsEmail: emails.find((e) => e.template === 'portal-credentials' || e.template === 'portal-reset') ?? null, history,
    });
  });

  r.post('/contacts/:contactId/portal/grant', async (req, res) => {
    const ctx = await context(res);
    const { account, changed } = await deps.portal.access.grant(ctx, String(req.params.contactId), who(caller(res)), 'granted on the contact card');
    res.json({ access: account.state, changed });
  });

  r.post('/contacts/:contactId/portal/revoke', async (req, res) => {
    const ctx = await context(res);
    const result = await deps.portal.access.revoke(ctx, String(req.params.contactId), who(caller(res)), 'revoked on the contact card');
    res.json({ access: result?.account.state ?? 'none', changed: result?.changed ?? false });
  });

  /** The credentials email as the customer would read it, before an agent sends it (no link is made). */
  r.post('/contacts/:contactId/portal/credentials/preview', async (req, res) => {
    const ctx = await context(res);
    const contactId = String(req.params.contactId);
    const account = await deps.portal.accounts.get(ctx.portalId, contactId);
    if (!account || account.state === 'disabled') return void res.status(409).json({ message: 'this contact has no portal access: grant it first' });
    const language = languageChain(account.locale, ctx.settings.defaultLanguage)[0]!;
    const template = await deps.email.templates.get(ctx.portalId, 'portal-credentials', language);
    const rendered = renderTemplate(template, deps.email.registry, { contact: { email: account.email, firstname: account.name?.split(' ')[0] ?? '' } }, PortalAccess.previewValues(ctx, account.email));
    res.json({ language, to: account.email, subject: rendered.subject, text: rendered.text, html: rendered.html });
  });

  // Send credentials, or a password reset (the articles' technician-initiated reset): a new
  // one-time link by email; the agent never sees or types a password.
  for (const [path, kind] of [['credentials', 'agent'], ['reset', 'agent-reset']] as const) {
    r.post(`/contacts/:contactId/portal/${path}`, async (req, res) => {
      const { portalId } = caller(res);
      const parsed = requestBody.safeParse(res.locals.json ?? {});
      if (!parsed.success) return void res.status(400).json({ message: describeZodError(parsed.error) });
      const contactId = String(req.params.contactId);
      const account = await deps.portal.accounts.get(portalId, contactId);
      if (!account || account.state === 'disabled') return void res.status(409).json({ message: 'this contact has no portal access: grant it first' });
      // The agent's reset is a reset; "send credentials" welcomes a contact who has no password yet.
      const template = kind === 'agent-reset' ? 'portal-reset' : await deps.portal.access.credentialsTemplate({ portalId }, contactId);
      await queueCredentials(portalId, contactId, `${kind}:${contactId}:${parsed.data.requestId}`, template);
      res.status(202).json({ queued: true, to: account.email });
    });
  }

  /** The company's contacts and which of them are primary (they see every ticket of the company in the portal). */
  r.get('/companies/:companyId/primary-contacts', async (req, res) => {
    res.json({ contacts: await primaryContacts(deps, caller(res).portalId, String(req.params.companyId)) });
  });

  r.put('/companies/:companyId/primary-contacts/:contactId', async (req, res) => {
    const { portalId } = caller(res);
    const parsed = z.strictObject({ primary: z.boolean({ error: 'primary must be true or false' }) }).safeParse(res.locals.json ?? {});
    if (!parsed.success) return void res.status(400).json({ message: describeZodError(parsed.error) });
    const companyId = String(req.params.companyId);
    const contactId = String(req.params.contactId);
    const settings = (await deps.settings.read(portalId)).settings;
    if (settings.supportContacts.editors === 'admins' && !(await isAdmin({ store: deps.store, settings: deps.settings, operatorAdmins: deps.operatorAdmins }, portalId, caller(res).userId))) {
      return void res.status(403).json({ message: 'only an admin of Portal Autopilot can change primary contacts in this account' });
    }
    // Only a contact of this company can be its primary contact.
    if (!(await companyContactIds(deps, portalId, companyId)).ids.includes(contactId)) return void res.status(404).json({ message: `contact ${contactId} is not a contact of company ${companyId}` });
    await deps.hubspot.call(portalId, 'crm.contacts.update', (c) => c.crm.contacts.basicApi.update(contactId, { properties: { [PRIMARY_CONTACT_PROPERTY]: String(parsed.data.primary) } }));
    res.json({ contactId, primary: parsed.data.primary });
  });

  /**
   * The article's "via email or other channels": a temporary password the agent reads out on the
   * phone, shown once (only its hash is kept), to be changed at the first sign-in, recorded in the
   * admin audit (who, when). A retried request does not show it again.
   */
  r.post('/contacts/:contactId/portal/temporary-password', async (req, res) => {
    const { portalId, userId, userEmail } = caller(res);
    const parsed = requestBody.safeParse(res.locals.json ?? {});
    if (!parsed.success) return void res.status(400).json({ message: describeZodError(parsed.error) });
    const contactId = String(req.params.contactId);
    const account = await deps.portal.accounts.get(portalId, contactId);
    if (!account || account.state === 'disabled') return void res.status(409).json({ message: 'this contact has no portal access: grant it first' });
    if (!(await deps.store.setIfAbsent(keys.idempotency(portalId, `temporary-password:${contactId}:${parsed.data.requestId}`), '1', ttl.idempotency))) {
      return void res.status(409).json({ message: 'this temporary password was shown already; make a new one' });
    }
    const password = readablePassword();
    await deps.portal.accounts.save({ ...account, state: 'active', passwordHash: await deps.portal.hasher.hash(password), mustChangePassword: true, currentLinkHash: null });
    await deps.portal.accounts.record(portalId, contactId, { action: 'password-set', by: who(caller(res)), why: 'temporary password shown once on the card, to be changed at the first sign-in' });
    const entry: AdminAuditEntry = { at: new Date().toISOString(), userId, userEmail, action: `POST /contacts/${contactId}/portal/temporary-password`, status: 200 };
    await deps.store.pushCapped(keys.adminAudit(portalId), JSON.stringify(entry), caps.adminAudit);
    res.set('cache-control', 'no-store').json({ password, mustChange: true });
  });

  r.get('/companies/:companyId/portal', async (req, res) => {
    const { portalId } = caller(res);
    res.json(await companyAccess(deps, portalId, String(req.params.companyId)));
  });

  /** "Grant access to all": the card shows the count first and sends it back; a changed count is refused. */
  r.post('/companies/:companyId/portal/grant-all', deps.admin!, async (req, res) => {
    const { portalId } = caller(res);
    const parsed = bulkBody.safeParse(res.locals.json ?? {});
    if (!parsed.success) return void res.status(400).json({ message: describeZodError(parsed.error) });
    const companyId = String(req.params.companyId);
    const current = await companyAccess(deps, portalId, companyId);
    if (current.withoutAccess.length !== parsed.data.expectedCount) {
      return void res.status(409).json({ message: `${current.withoutAccess.length} contacts are without access now, not ${parsed.data.expectedCount}: look again before sending`, ...current });
    }
    await deps.queue.enqueue(current.withoutAccess.map((contactId) => ({ id: `bulk-grant-${portalId}-${contactId}`, event: {
      eventId: 0, subscriptionId: 0, portalId, occurredAt: Date.now(), subscriptionType: PORTAL_BULK_GRANT, attemptNumber: 0, objectId: Number(contactId),
      propertyValue: { by: who(caller(res)), companyId },
    } })));
    res.status(202).json({ queued: current.withoutAccess.length });
  });

  r.get('/portal/client', deps.admin!, async (_req, res) => {
    const { portalId } = caller(res);
    const client = await deps.portal.clients.get(portalId);
    res.json({ issuer: deps.portal.issuer, discovery: `${deps.portal.issuer}/.well-known/openid-configuration`, scopes: 'openid email profile', client });
  });

  r.put('/portal/client', deps.admin!, async (_req, res) => {
    const { portalId } = caller(res);
    const parsed = clientBody.safeParse(res.locals.json ?? {});
    if (!parsed.success) return void res.status(400).json({ message: describeZodError(parsed.error) });
    try {
      res.json({ issuer: deps.portal.issuer, client: await deps.portal.clients.save(portalId, parsed.data.redirectUris, parsed.data.rotateSecret, parsed.data.pkce) });
    } catch (err) {
      if (err instanceof RedirectUriError) return void res.status(400).json({ message: err.message });
      throw err;
    }
  });

  r.post('/portal/sign-out-everywhere', deps.admin!, async (_req, res) => {
    await deps.portal.access.signOutEverywhere(await context(res));
    res.json({ signedOut: true });
  });
}

async function companyContactIds(deps: ExtensionsDeps, portalId: number, companyId: string) {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = await deps.hubspot.call(portalId, 'crm.associations.companies-contacts.get', (c) => c.crm.associations.v4.basicApi.getPage('companies', companyId, 'contacts', after, 500));
    ids.push(...page.results.map((a) => String(a.toObjectId)));
    after = page.paging?.next?.after;
  } while (after && ids.length < MAX_COMPANY_CONTACTS);
  return { ids, after };
}

/** The first 100 contacts of a company with their name and whether they are primary (one batch read). */
async function primaryContacts(deps: ExtensionsDeps, portalId: number, companyId: string) {
  const { ids } = await companyContactIds(deps, portalId, companyId);
  return (await people(deps, portalId, ids.slice(0, 100), [PRIMARY_CONTACT_PROPERTY]))
    .map(({ properties, ...person }) => ({ ...person, primary: properties[PRIMARY_CONTACT_PROPERTY] === 'true' }))
    .sort((a, b) => (a.name ?? a.email ?? '').localeCompare(b.name ?? b.email ?? ''));
}

/** Up to 100 contacts by id with their address and name (one batch read); a contact that is gone is left out. */
async function people(deps: ExtensionsDeps, portalId: number, ids: string[], extra: string[] = []) {
  if (!ids.length) return [];
  const read = await deps.hubspot.call(portalId, 'crm.contacts.batch.read', (c) => c.crm.contacts.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: ['email', 'firstname', 'lastname', ...extra], propertiesWithHistory: [] }));
  return read.results.map((c) => ({
    contactId: c.id, email: c.properties.email ?? null, name: [c.properties.firstname, c.properties.lastname].filter(Boolean).join(' ') || null, properties: c.properties,
  }));
}

async function companyAccess(deps: ExtensionsDeps, portalId: number, companyId: string) {
  const { ids, after } = await companyContactIds(deps, portalId, companyId);
  const accounts = await deps.portal.accounts.getMany(portalId, ids);
  const withAccess = accounts.filter((a) => a && a.state !== 'disabled').length;
  return {
    contacts: ids.length, withAccess, withoutAccess: ids.filter((_, i) => !accounts[i] || accounts[i]!.state === 'disabled'), truncated: Boolean(after),
    selfRegistered: await selfRegisteredPeople(deps, portalId, companyId),
  };
}

/** Who of the company asked for access on the sign-in page, with their name and address as HubSpot has them now (the newest 100; a deleted contact is left out). */
async function selfRegisteredPeople(deps: ExtensionsDeps, portalId: number, companyId: string) {
  const registered = (await selfRegistrations({ store: deps.store, portalId }, companyId)).slice(0, 100);
  const byId = new Map((await people(deps, portalId, registered.map((r) => r.contactId))).map((p) => [p.contactId, p]));
  return registered.filter((r) => byId.has(r.contactId)).map((r) => {
    const { email, name } = byId.get(r.contactId)!;
    return { contactId: r.contactId, email, name, at: r.at };
  });
}

/** 12 letters and digits that cannot be misheard or misread (no 0/o, 1/l/i), in groups of four: about 59 bits. */
function readablePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const chars = Array.from({ length: 12 }, () => alphabet[randomInt(alphabet.length)]!);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8, 12)].map((g) => g.join('')).join('-');
}
