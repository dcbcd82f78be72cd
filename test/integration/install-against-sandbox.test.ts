import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../support/redis.js';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import { deliver } from '../support/hubspot-client.js';
import { expectContractKept, SANDBOX_PORTAL, startSandbox } from '../support/sandbox.js';
import { startTestApp, TEST_SECRET } from '../support/test-app.js';

let sandbox: HubSpotSandbox;
let app: Awaited<ReturnType<typeof startTestApp>>;

beforeAll(async () => {
  sandbox = await startSandbox({ oauth: { clientId: 'cid-sandbox', clientSecret: TEST_SECRET } });
  app = await startTestApp({
    REDIS_URL: testRedisUrl(), HUBSPOT_ACCESS_TOKEN: '', HUBSPOT_CLIENT_ID: 'cid-sandbox', TOKEN_ENCRYPTION_KEY: 'cd'.repeat(32), HUBSPOT_API_BASE_URL: sandbox.url,
  });
});
afterAll(async () => { await app.stop(); expectContractKept(sandbox); await sandbox.stop(); });

describe('installing against the sandbox', () => {
  it('exchanges the code at HubSpot, provisions the account, and provisioning again changes nothing', async () => {
    const started = await fetch(`${app.url}/oauth/install`, { redirect: 'manual' });
    const to = new URL(started.headers.get('location')!);
    const code = sandbox.issueAuthCode(SANDBOX_PORTAL);
    const res = await fetch(`${app.url}/oauth/callback?code=${code}&state=${to.searchParams.get('state')}`, { headers: { cookie: started.headers.getSetCookie()[0]!.split(';')[0]! } });
    expect(await res.text()).toContain(`installed in account ${SANDBOX_PORTAL}`);
    expect(sandbox.account(SANDBOX_PORTAL).propertyGroups.get('contacts')).toEqual(new Set(['portal_autopilot']));

    const again = await deliver(app.url!, null, { method: 'POST', path: `/api/extensions/provisioning?portalId=${SANDBOX_PORTAL}`, raw: '' });
    const listId = (await app.settings.read(SANDBOX_PORTAL)).settings.portal.accessListId;
    expect(sandbox.account(SANDBOX_PORTAL).lists.get(listId!)).toMatchObject({ name: 'Portal Autopilot – portal access', processingType: 'MANUAL', objectTypeId: '0-1' });
    expect(again.body).toMatchObject({ ok: true, steps: [
      { ok: true, detail: 'already there' }, { id: 'primaryContact', ok: true, detail: 'already there' }, { ok: true, detail: `already there (list ${listId})` },
      { name: 'support contacts: association label and company properties', ok: true, detail: 'already there' },
    ] });
    expect(sandbox.account(SANDBOX_PORTAL).lists.size).toBe(1);
    // The code exchanged, and the app's client-credentials token for the webhooks journal (made once, kept while it lives).
    expect(sandbox.callsByRoute()).toMatchObject({ 'POST /oauth/v3/token': 2, 'POST /crm/v3/properties/:objectType/groups': 4 });
    expect(sandbox.journal.subscriptionsOf(SANDBOX_PORTAL)).toHaveLength(4); // contacts' and companies' group, twice each
    expect(sandbox.account(SANDBOX_PORTAL).propertyGroups.get('companies')).toEqual(new Set(['portal_autopilot']));
  });
});
