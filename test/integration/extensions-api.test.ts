import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../support/redis.js';
import { signV3 } from '../../src/webhooks/sign-request.js';
import { deliver } from '../support/hubspot-client.js';
import { PUBLIC_URL, startTestApp, TEST_SECRET } from '../support/test-app.js';

type App = Awaited<ReturnType<typeof startTestApp>>;
let app: App;
beforeAll(async () => {
  app = await startTestApp({ REDIS_URL: testRedisUrl(), HUBSPOT_ACCESS_TOKEN: '', HUBSPOT_CLIENT_ID: 'client-id-1', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32), HUBSPOT_PORTAL_ID: '' });
  for (const portalId of [4242, 5001, 5002, 5003]) await app.vault!.save(portalId, { accessToken: `acc-${portalId}`, refreshToken: 'r', expiresAt: Date.now() + 3_600_000, scopes: [] });
});
afterAll(async () => { await app.stop(); });

const call = (path: string, method = 'GET', body?: unknown) =>
  deliver(app.url!, body, { path: `/api/extensions${path}`, method, raw: body === undefined ? '' : JSON.stringify(body) });

describe('card and settings API (hubspot.fetch)', () => {
  it('answers a signed status request for the account named in the signed URL', async () => {
    const res = await call('/status?portalId=4242&userId=9&userEmail=agent%40example.com');
    expect(res).toMatchObject({ status: 200, body: { portalId: 4242, installed: true, deadLetters: 0 } });
  });

  it('refuses an unsigned request, and one whose account was changed after signing', async () => {
    expect((await fetch(`${app.url}/api/extensions/status?portalId=4242`)).status).toBe(401);
    const headers = signV3(TEST_SECRET, 'GET', `${PUBLIC_URL}/api/extensions/status?portalId=4242`, '', Date.now());
    const forged = await fetch(`${app.url}/api/extensions/status?portalId=1`, { headers });
    expect(forged.status).toBe(401);
  });

  it('refuses a signed request without an account', async () => {
    expect(await call('/status')).toEqual({ status: 400, body: { message: 'portalId query parameter is missing or not a positive whole number' } });
  });

  it('serves defaults, saves a valid change as a new version, and records who changed what', async () => {
    const first = await call('/settings?portalId=5001&userId=1');
    expect(first.body).toMatchObject({ version: 0, settings: { defaultLanguage: 'en', internalDomains: [] } });
    const saved = await call('/settings?portalId=5001&userId=1&userEmail=admin%40acme.example', 'PUT', {
      expectedVersion: 0, settings: { defaultLanguage: 'de', internalDomains: ['Acme.example'] },
    });
    expect(saved).toMatchObject({ status: 200, body: { version: 1, settings: { defaultLanguage: 'de', internalDomains: ['acme.example'] }, updatedBy: 'admin@acme.example' } });
    const history = await call('/settings/history?portalId=5001');
    expect(history.body).toMatchObject({ changes: [{ version: 1, by: 'admin@acme.example', changed: ['defaultLanguage', 'internalDomains'] }] });
  });

  it('refuses invalid settings with a message naming the field, and keeps what was saved', async () => {
    const bad = await call('/settings?portalId=5002', 'PUT', { expectedVersion: 0, settings: { defaultLanguage: 'fr', internalDomains: ['not a domain'] } });
    expect(bad.status).toBe(400);
    expect(bad.body?.message).toContain('settings.defaultLanguage: must be one of en, de, it, es');
    expect(bad.body?.message).toContain('settings.internalDomains.0: is not a domain name');
    const unknown = await call('/settings?portalId=5002', 'PUT', { expectedVersion: 0, settings: { colour: 'red' } });
    expect(unknown.body?.message).toMatch(/colour/);
    expect((await call('/settings?portalId=5002')).body).toMatchObject({ version: 0 });
  });

  it('refuses a save based on an old version with 409 so no one overwrites another admin', async () => {
    const settings = { defaultLanguage: 'it', internalDomains: [] };
    expect((await call('/settings?portalId=5003', 'PUT', { expectedVersion: 0, settings })).status).toBe(200);
    const stale = await call('/settings?portalId=5003', 'PUT', { expectedVersion: 0, settings: { ...settings, defaultLanguage: 'es' } });
    expect(stale).toMatchObject({ status: 409, body: { currentVersion: 1 } });
    expect((await call('/settings?portalId=5003')).body).toMatchObject({ version: 1, settings: { defaultLanguage: 'it' } });
  });
});
