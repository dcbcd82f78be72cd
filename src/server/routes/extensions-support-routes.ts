import type { Response, Router } from 'express';
import { z } from 'zod';
import { readSupportContacts, saveSupportContacts, supportHistory, SupportContactsError, type SupportContact, type UsersUnsearched } from '../../support-contacts/support-contacts.js';
import { describeZodError } from '../../platform/describe-zod-error.js';
import { isMissingScopes } from '../../hubspot/classify-failure.js';
import type { ExtensionsDeps } from './extensions-deps.js';
import { isAdmin } from './require-admin.js';
import type { CardCaller } from './verify-extension-request.js';

const caller = (res: Response) => res.locals.caller as CardCaller;

function whyUnsearched(err: Error): UsersUnsearched {
  if (isMissingScopes(err)) {
    const body = err.body as { errors?: { context?: Record<string, string[]> }[] };
    // HubSpot names them as requiredGranularScopes (newer) or requiredScopes.
    const named = (body.errors ?? []).flatMap((e) => [...(e.context?.requiredGranularScopes ?? []), ...(e.context?.requiredScopes ?? [])]);
    return { reason: 'missing-scope', scopes: named.length ? [...new Set(named)] : ['crm.objects.users.read'] };
  }
  return { reason: 'failed', message: err.message.slice(0, 300) };
}
const entry = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('contact'), contactId: z.string().regex(/^\d+$/), email: z.string().max(320), name: z.string().max(200).optional() }),
  z.strictObject({ kind: z.literal('user'), userId: z.string().regex(/^\d+$/), email: z.string().max(320), name: z.string().max(200).optional() }),
  z.strictObject({ kind: z.literal('email'), email: z.string().max(320) }),
]);
const saveBody = z.strictObject({ contacts: z.array(entry).max(100) });
const query = z.string().trim().min(2, 'type at least 2 characters').max(100);

/** The company card's support contacts: read, search, save (who may edit is a setting). */
export function supportRoutes(r: Router, deps: ExtensionsDeps): void {
  const context = async (res: Response) => {
    const { portalId } = caller(res);
    return { portalId, hubspot: deps.hubspot, store: deps.store, settings: (await deps.settings.read(portalId)).settings };
  };
  const mayEdit = async (res: Response, settings: Awaited<ReturnType<typeof context>>['settings']) => settings.supportContacts.editors === 'everyone'
    || isAdmin({ store: deps.store, settings: deps.settings, operatorAdmins: deps.operatorAdmins }, caller(res).portalId, caller(res).userId);

  r.get('/companies/:companyId/support-contacts', async (req, res) => {
    const ctx = await context(res);
    const companyId = String(req.params.companyId);
    const [view, history, canEdit] = await Promise.all([readSupportContacts(ctx, companyId), supportHistory(deps.store, ctx.portalId, companyId), mayEdit(res, ctx.settings)]);
    res.json({ ...view, history, canEdit });
  });

  r.put('/companies/:companyId/support-contacts', async (req, res) => {
    const ctx = await context(res);
    if (!(await mayEdit(res, ctx.settings))) return void res.status(403).json({ message: 'only an admin of Portal Autopilot can change support contacts in this account' });
    const parsed = saveBody.safeParse(res.locals.json ?? {});
    if (!parsed.success) return void res.status(400).json({ message: describeZodError(parsed.error) });
    const { userId, userEmail } = caller(res);
    try {
      res.json(await saveSupportContacts(ctx, String(req.params.companyId), parsed.data.contacts as SupportContact[], userEmail ?? `user ${userId ?? 'unknown'}`));
    } catch (err) {
      if (err instanceof SupportContactsError) return void res.status(400).json({ message: err.message });
      throw err;
    }
  });

  /** Type-ahead over contacts and HubSpot users by name or email (HubSpot's search budget: 5 a second, shared by the account). */
  r.get('/support-contacts/search', async (req, res) => {
    const q = query.safeParse(req.query.q);
    if (!q.success) return void res.status(400).json({ message: `q: ${q.error.issues[0]!.message}` });
    const { portalId } = caller(res);
    const search = (type: 'contacts' | 'users', properties: string[]) => deps.hubspot.request<{ results: { id: string; properties: Record<string, string | null> }[] }>(portalId, `crm.${type}.search`, {
      method: 'POST', path: `/crm/v3/objects/${type}/search`,
      body: { query: q.data, limit: 8, after: '0', sorts: [], properties, filterGroups: [] },
    });
    // Users are searched beside contacts; when HubSpot refuses that search, the card says why
    // (a scope the install lacks is the admin's to add) and still shows the contacts.
    let usersUnsearched: UsersUnsearched | undefined;
    const [contacts, users] = await Promise.all([
      search('contacts', ['email', 'firstname', 'lastname']),
      search('users', ['hs_email', 'hs_given_name', 'hs_family_name']).catch((err: Error) => {
        usersUnsearched = whyUnsearched(err);
        res.locals.log?.warn({ reason: err.message }, 'HubSpot users were not searched');
        return { results: [] };
      }),
    ]);
    res.json({
      ...(usersUnsearched ? { usersUnsearched } : {}),
      results: [
        ...contacts.results.filter((c) => c.properties.email).map((c) => ({ kind: 'contact', contactId: c.id, email: c.properties.email, name: [c.properties.firstname, c.properties.lastname].filter(Boolean).join(' ') || undefined })),
        ...users.results.filter((u) => u.properties.hs_email).map((u) => ({ kind: 'user', userId: u.id, email: u.properties.hs_email, name: [u.properties.hs_given_name, u.properties.hs_family_name].filter(Boolean).join(' ') || undefined })),
      ],
    });
  });
}
