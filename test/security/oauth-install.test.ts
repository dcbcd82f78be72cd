import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nock } from '../support/use-nock.js';
import { startTestApp } from '../support/test-app.js';

const HUBSPOT = 'https://api.hubapi.test';
type App = Awaited<ReturnType<typeof startTestApp>>;
let app: App;

beforeAll(async () => {
  app = await startTestApp({
    HUBSPOT_ACCESS_TOKEN: '', HUBSPOT_CLIENT_ID: 'client-id-1', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32), HUBSPOT_API_BASE_URL: HUBSPOT,
    // The journal reader looks at the installs once, at start: nock answers only what a test expects.
    WEBHOOKS_JOURNAL_POLL_MS: '300000',
  });
});
afterAll(async () => { await app.stop(); });

/** Starts an install as an admin's browser would: HubSpot's address, and the state cookie the browser keeps. */
async function start(): Promise<{ to: URL; cookie: string }> {
  const res = await fetch(`${app.url}/oauth/install`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return { to: new URL(res.headers.get('location')!), cookie: res.headers.getSetCookie()[0]!.split(';')[0]! };
}
const install = async () => (await start()).to;
const callback = (query: string, cookie: string) => fetch(`${app.url}/oauth/callback?${query}`, { headers: { cookie } });

describe('OAuth install', () => {
  it('sends the admin to HubSpot with our client id, scopes, callback and a fresh state', async () => {
    const to = await install();
    expect(to.origin + to.pathname).toBe('https://app.hubspot.com/oauth/authorize');
    expect(to.searchParams.get('client_id')).toBe('client-id-1');
    expect(to.searchParams.get('redirect_uri')).toBe('https://autopilot.test/oauth/callback');
    expect(to.searchParams.get('scope')).toContain('crm.objects.contacts.write');
    expect(to.searchParams.get('state')).toMatch(/^[\w-]{32}$/);
  });

  it('exchanges the code, stores the tokens encrypted for the account, provisions it, and refuses the state a second time', async () => {
    const { to, cookie } = await start();
    const state = to.searchParams.get('state')!;
    const token = nock(HUBSPOT)
      .post('/oauth/v3/token', (b) => b.grant_type === 'authorization_code' && b.code === 'code-1' && b.redirect_uri === 'https://autopilot.test/oauth/callback')
      .reply(200, { access_token: 'acc-1', refresh_token: 'ref-1', expires_in: 1800, hub_id: 31337, token_type: 'bearer', token_use: 'access_token' });
    const group = nock(HUBSPOT, { reqheaders: { authorization: 'Bearer acc-1' } })
      .post('/crm/v3/properties/contacts/groups').reply(201, { name: 'portal_autopilot', label: 'Portal Autopilot', displayOrder: -1, archived: false })
      .post('/crm/v3/properties/contacts').reply(201, (_uri, body) => ({ ...(body as object), createdAt: '2026-01-01T00:00:00Z' }))
      .post('/crm/v3/lists', { name: 'Portal Autopilot – portal access', objectTypeId: '0-1', processingType: 'MANUAL' })
      .reply(200, { list: { listId: '88', name: 'Portal Autopilot – portal access', objectTypeId: '0-1', processingType: 'MANUAL', listVersion: 1, processingStatus: 'COMPLETE' } })
      .get('/crm/associations/v4/companies/contacts/labels').reply(200, { results: [{ category: 'HUBSPOT_DEFINED', typeId: 280, label: null }] })
      .post('/crm/associations/v4/companies/contacts/labels', { label: 'Support contact', name: 'portal_autopilot_support_contact' })
      .reply(200, { results: [{ category: 'USER_DEFINED', typeId: 901, label: 'Support contact' }] })
      .post('/crm/v3/properties/companies/groups').reply(201, { name: 'portal_autopilot', label: 'Portal Autopilot', displayOrder: -1, archived: false })
      .post('/crm/v3/properties/companies').times(2).reply(201, (_uri, body) => ({ ...(body as object), createdAt: '2026-01-01T00:00:00Z' }));
    const info = nock(HUBSPOT).get('/oauth/v1/access-tokens/acc-1').reply(200, { token: 'acc-1', user: 'installer@acme.example', user_id: 42, hub_id: 31337, app_id: 77, scopes: ['oauth'], token_type: 'access', expires_in: 1800 });
    const res = await callback(`code=code-1&state=${state}`, cookie);
    expect(res.status).toBe(200);
    info.done();
    // The installer is the account's first admin of the app.
    expect(JSON.parse((await app.store.get('portal:{31337}:installer'))!)).toMatchObject({ userId: 42, user: 'installer@acme.example' });
    expect(await res.text()).toContain('installed in account 31337');
    token.done();
    group.done();
    expect((await app.vault!.load(31337))?.accessToken).toBe('acc-1');
    expect(await app.store.get('portal:{31337}:oauth-tokens')).not.toContain('acc-1');
    expect(JSON.parse((await app.store.get('portal:{31337}:provisioning'))!)).toMatchObject({ ok: true, steps: [
      { ok: true, detail: 'created' }, { id: 'primaryContact', ok: true, detail: 'created' }, { ok: true, detail: 'created (list 88)' },
      { ok: true, detail: 'created label, group, portal_autopilot_support_contacts, portal_autopilot_needs_support_contact' },
    ] });

    const again = await callback(`code=code-1&state=${state}`, cookie);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('this install link is unknown, used or expired');
  });

  it('explains a refused code without storing anything', async () => {
    const { to, cookie } = await start();
    nock(HUBSPOT).post('/oauth/v3/token').reply(400, { status: 'BAD_AUTH_CODE', message: 'auth code not found' });
    const res = await callback(`code=bad&state=${to.searchParams.get('state')}`, cookie);
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('auth code not found');
  });
});

describe('OAuth install state', () => {
  it('writes nothing to the store for an anonymous install request, and binds the state to the browser that started it', async () => {
    const { to, cookie } = await start();
    expect(cookie).toMatch(/^pa_oauth_state=/);
    const state = to.searchParams.get('state')!;
    expect(await app.store.get(`app:oauth-state:${state}`)).toBeNull();
    // Another browser (no cookie, or another install's cookie) cannot use this state.
    expect((await callback(`code=x&state=${state}`, '')).status).toBe(400);
    const other = await start();
    expect((await callback(`code=x&state=${state}`, other.cookie)).status).toBe(400);
    // A forged or expired cookie is refused too.
    expect((await callback(`code=x&state=${state}`, `${cookie.slice(0, -3)}abc`)).status).toBe(400);
  });

  it('speaks the installer\'s language on the install pages and their failure reasons (the browser\'s Accept-Language)', async () => {
    const failedIn = async (language: string) => {
      const res = await fetch(`${app.url}/oauth/callback?error=access_denied`, { headers: { 'accept-language': language } });
      return { status: res.status, text: await res.text() };
    };
    const de = await failedIn('de-DE,de;q=0.9,en;q=0.5');
    expect(de.status).toBe(400);
    expect(de.text).toContain('<html lang="de">');
    expect(de.text).toContain('Die Installation wurde nicht abgeschlossen: HubSpot antwortete „access_denied“ (die Installation wurde abgebrochen oder abgelehnt)');
    expect((await failedIn('it')).text).toContain('HubSpot ha risposto “access_denied”');
    expect((await failedIn('es-MX')).text).toContain('HubSpot respondió «access_denied»');
    expect((await failedIn('fr-FR')).text).toContain('The installation did not finish: HubSpot answered “access_denied”');
    const state = await fetch(`${app.url}/oauth/callback?code=x&state=forged`, { headers: { 'accept-language': 'es' } });
    expect(await state.text()).toContain('este enlace de instalación es desconocido, ya se usó o caducó');
  });

  it('limits install starts per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await fetch(`${app.url}/oauth/install`, { redirect: 'manual' })).status);
    expect(statuses).toContain(429);
  });
});

describe('OAuth uninstall', () => {
  it('asks HubSpot to remove the install and forgets the account\'s tokens', async () => {
    await app.vault!.save(777, { accessToken: 'acc-777', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, scopes: [] });
    const hub = nock(HUBSPOT, { reqheaders: { authorization: 'Bearer acc-777' } }).delete('/appinstalls/v3/external-install').reply(204);
    // The journal's subscriptions go first, with the app's client-credentials token.
    const journal = nock(HUBSPOT)
      .post('/oauth/v3/token', (b) => b.grant_type === 'client_credentials' && b.scope === 'developer.webhooks_journal.read developer.webhooks_journal.subscriptions.read developer.webhooks_journal.subscriptions.write')
      .reply(200, { access_token: 'app-cc', expires_in: 1800, token_type: 'bearer', token_use: 'client_credentials' })
      .delete('/webhooks-journal/subscriptions/2026-03/portals/777').matchHeader('authorization', 'Bearer app-cc').reply(204);
    const { deliver } = await import('../support/hubspot-client.js');
    const res = await deliver(app.url!, null, { method: 'DELETE', path: '/api/extensions/installation?portalId=777&userId=1', raw: '' });
    expect(res).toEqual({ status: 200, body: { uninstalled: true } });
    hub.done();
    journal.done();
    expect(await app.vault!.load(777)).toBeNull();
  });
});
