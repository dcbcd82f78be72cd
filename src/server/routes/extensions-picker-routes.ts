import type { Response, Router } from 'express';
import { z } from 'zod';
import type { HubSpotGateway } from '../../hubspot/gateway.js';
import { HubSpotApiError, isMissingScopes } from '../../hubspot/classify-failure.js';
import type { Settings } from '../../settings/settings-schema.js';
import type { ChosenNames, PickerKind, PickerOption } from '../../settings/chosen-records.js';
import type { ExtensionsDeps } from './extensions-deps.js';
import type { CardCaller } from './verify-extension-request.js';

const caller = (res: Response) => res.locals.caller as CardCaller;

const query = z.string().trim().max(100, 'at most 100 characters').default('');
const LIMIT = 10;

type Found = { results: { id: string; properties: Record<string, string | null> }[] };
type Lists = { lists: { listId: string; name: string; processingType: string; additionalProperties?: Record<string, string> }[] };

const name = (...parts: (string | null | undefined)[]) => parts.filter(Boolean).join(' ');

/** HubSpot users by name or address: the id the app keeps is the user id HubSpot puts in each card call. */
const userOption = (u: Found['results'][number]): PickerOption | null => {
  const userId = u.properties.hs_internal_user_id;
  if (!userId || !/^\d+$/.test(userId)) return null;
  return { id: userId, label: name(u.properties.hs_given_name, u.properties.hs_family_name) || (u.properties.hs_email ?? userId), detail: u.properties.hs_email ?? undefined };
};

const userProperties = ['hs_internal_user_id', 'hs_email', 'hs_given_name', 'hs_family_name'];
const companyOption = (c: Found['results'][number]): PickerOption => ({ id: c.id, label: c.properties.name || `#${c.id}`, detail: c.properties.domain || undefined });

export function searchPicker(hubspot: HubSpotGateway, portalId: number, kind: PickerKind, q: string): Promise<PickerOption[]> {
  if (kind === 'lists') {
    // Only MANUAL contact lists: portal access is granted by adding contacts to the list.
    return hubspot.request<Lists>(portalId, 'crm.lists.search', {
      method: 'POST', path: '/crm/v3/lists/search',
      body: { query: q, offset: 0, count: LIMIT, objectTypeId: '0-1', processingTypes: ['MANUAL'], additionalProperties: ['hs_list_size'] },
    }).then((found) => found.lists.map((l) => ({ id: l.listId, label: l.name, detail: l.additionalProperties?.hs_list_size })));
  }
  const properties = kind === 'companies' ? ['name', 'domain'] : userProperties;
  return hubspot.request<Found>(portalId, `crm.${kind}.search`, {
    method: 'POST', path: `/crm/v3/objects/${kind}/search`,
    body: { query: q, limit: LIMIT, after: '0', sorts: [], properties, filterGroups: [] },
  }).then((found) => (kind === 'companies'
    ? found.results.map(companyOption)
    : found.results.map(userOption).filter((u): u is PickerOption => u !== null)));
}

/** The names of what the settings hold by id, for the page to show (each looked up on its own: one failure leaves the others). */
export async function chosenNames(hubspot: HubSpotGateway, portalId: number, settings: Settings): Promise<ChosenNames> {
  const companyId = settings.inbound.defaultCompanyId;
  const listId = settings.portal.accessListId;
  const adminIds = settings.access.adminUserIds.map(String);
  const [company, list, admins] = await Promise.allSettled([
    companyId ? hubspot.request<Found['results'][number]>(portalId, 'crm.companies.get', { method: 'GET', path: `/crm/v3/objects/companies/${companyId}`, qs: { properties: 'name,domain' } }) : Promise.resolve(null),
    listId ? hubspot.request<{ list: { listId: string; name: string } }>(portalId, 'crm.lists.get', { method: 'GET', path: `/crm/v3/lists/${listId}` }) : Promise.resolve(null),
    adminIds.length ? hubspot.request<Found>(portalId, 'crm.users.search', {
      method: 'POST', path: '/crm/v3/objects/users/search',
      body: { limit: 100, after: '0', sorts: [], properties: userProperties, filterGroups: [{ filters: [{ propertyName: 'hs_internal_user_id', operator: 'IN', values: adminIds }] }] },
    }) : Promise.resolve({ results: [] }),
  ]);
  const found = admins.status === 'fulfilled' ? new Map(admins.value.results.map(userOption).filter((u): u is PickerOption => u !== null).map((u) => [u.id, u])) : new Map<string, PickerOption>();
  return {
    defaultCompany: company.status === 'fulfilled' && company.value ? companyOption(company.value) : null,
    accessList: list.status === 'fulfilled' && list.value ? { id: list.value.list.listId, label: list.value.list.name } : null,
    admins: adminIds.map((id) => found.get(id) ?? { id, label: id }),
  };
}

function refusal(err: unknown): { status: number; message: string } {
  if (isMissingScopes(err)) return { status: 403, message: 'the app lacks the HubSpot scope this search needs; an admin of the HubSpot account reinstalls the app to grant it' };
  if (err instanceof HubSpotApiError) return { status: 502, message: `HubSpot answered ${err.status}` };
  return { status: 502, message: (err as Error).message.slice(0, 200) };
}

/** The settings page's pickers: companies, manual contact lists and HubSpot users by name. */
export function pickerRoutes(r: Router, deps: ExtensionsDeps): void {
  r.get('/pickers/:kind', async (req, res) => {
    const kind = String(req.params.kind);
    if (kind !== 'companies' && kind !== 'lists' && kind !== 'users') return void res.status(404).json({ message: `no picker for "${kind.slice(0, 40)}" (companies, lists or users)` });
    const q = query.safeParse(req.query.q ?? '');
    if (!q.success) return void res.status(400).json({ message: `q: ${q.error.issues[0]!.message}` });
    try {
      res.json({ results: await searchPicker(deps.hubspot, caller(res).portalId, kind, q.data) });
    } catch (err) {
      const { status, message } = refusal(err);
      res.locals.log?.warn({ kind, reason: (err as Error).message }, 'picker search failed');
      res.status(status).json({ message });
    }
  });
}
