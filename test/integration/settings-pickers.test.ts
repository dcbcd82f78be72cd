import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import { accountSetupTasks, provisionAccount, PORTAL_LIST_NAME } from '../../src/server/provision-account.js';
import { deliver } from '../support/hubspot-client.js';
import { SANDBOX_PORTAL, startAppWithSandbox } from '../support/sandbox.js';

let sandbox: HubSpotSandbox;
let env: Awaited<ReturnType<typeof startAppWithSandbox>>;
const P = SANDBOX_PORTAL;
beforeAll(async () => { env = await startAppWithSandbox({ searchDelayMs: 0 }); sandbox = env.sandbox; });
afterAll(async () => { await env.stop(); });

const api = (path: string, method = 'GET', body?: unknown, userId = '1') =>
  deliver(env.app.url!, body, { method, path: `/api/extensions${path}${path.includes('?') ? '&' : '?'}portalId=${P}&userId=${userId}&userEmail=admin%40support.example`, raw: body === undefined ? '' : JSON.stringify(body) });

describe('the settings page\'s pickers: HubSpot records by name', () => {
  it('finds companies by name with their domain, manual contact lists by name, HubSpot users by name with the id the app keeps', async () => {
    sandbox.seed(P, 'companies', { name: 'Acme Corporation', domain: 'acme.example' });
    sandbox.seed(P, 'companies', { name: 'Unassigned', domain: '' });
    sandbox.seed(P, 'users', { hs_internal_user_id: '7101', hs_email: 'grace@support.example', hs_given_name: 'Grace', hs_family_name: 'Hopper' });
    await provisionAccount(P, env.app.hubspot, env.app.store, accountSetupTasks(env.app.settings, env.app.store));

    expect((await api('/pickers/companies?q=acme')).body).toEqual({ results: [{ id: expect.stringMatching(/^\d+$/), label: 'Acme Corporation', detail: 'acme.example' }] });
    expect((await api('/pickers/companies?q=unassig')).body!.results).toEqual([{ id: expect.any(String), label: 'Unassigned' }]);
    expect((await api('/pickers/lists?q=portal%20access')).body).toEqual({ results: [{ id: expect.any(String), label: PORTAL_LIST_NAME, detail: '0' }] });
    expect((await api('/pickers/users?q=grace')).body).toEqual({ results: [{ id: '7101', label: 'Grace Hopper', detail: 'grace@support.example' }] });
    expect((await api('/pickers/companies?q=nothing-like-it')).body).toEqual({ results: [] });
    expect(sandbox.violations).toEqual([]);
  });

  it('gives the settings\' records their names (default company, access list, admins), an id HubSpot no longer has by itself', async () => {
    const unassigned = sandbox.account(P).objects.companies!.all().find((c) => c.properties.name === 'Unassigned')!;
    const current = await env.app.settings.read(P);
    await env.app.settings.save(P, { ...current.settings, inbound: { ...current.settings.inbound, defaultCompanyId: unassigned.id }, access: { adminUserIds: [7101, 9999] } }, current.version, 'admin');
    const read = await api('/settings');
    expect(read.body!.names).toEqual({
      defaultCompany: { id: unassigned.id, label: 'Unassigned' },
      accessList: { id: current.settings.portal.accessListId, label: PORTAL_LIST_NAME },
      admins: [{ id: '7101', label: 'Grace Hopper', detail: 'grace@support.example' }, { id: '9999', label: '9999' }],
    });
    expect(sandbox.violations).toEqual([]);
  });

  it('refuses an unknown picker and an overlong query, naming what is wrong', async () => {
    expect(await api('/pickers/deals?q=a')).toEqual({ status: 404, body: { message: 'no picker for "deals" (companies, lists or users)' } });
    expect(await api(`/pickers/companies?q=${'a'.repeat(101)}`)).toEqual({ status: 400, body: { message: 'q: at most 100 characters' } });
  });

  it('says when HubSpot did not answer a search', async () => {
    sandbox.injectFault({ pathPrefix: '/crm/v3/objects/companies/search', error5xxRate: 1, times: 10 });
    const failed = await api('/pickers/companies?q=acme');
    expect(failed.status).toBe(502);
    expect(failed.body!.message).toMatch(/crm.companies.search still failing after \d attempts: 502/);
  });
});
