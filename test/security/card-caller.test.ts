import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionRoutes } from '../support/extension-routes.js';
import { deliver } from '../support/hubspot-client.js';
import { recordingStore } from '../support/recording-store.js';
import { flushTestRedis, testKeys, testRedis, testRedisUrl } from '../support/redis.js';
import { startTestApp } from '../support/test-app.js';

// Account A is the caller's own, B another account that installed the app, C one that never did.
const A = 4242;
const B = 5150;
const C = 6160;
const OAUTH = { HUBSPOT_ACCESS_TOKEN: '', HUBSPOT_CLIENT_ID: 'client-id-1', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32), HUBSPOT_PORTAL_ID: '' };

const routes = () => extensionRoutes().map((r) => ({ ...r, path: r.path.replace(/:(\w+)/g, '1') }));

type App = Awaited<ReturnType<typeof startTestApp>>;
let app: App;
let privateApp: App;
let redis: Redis;
const recorder: ReturnType<typeof recordingStore>[] = [];

/** Whether a key names the account: its hash tag (`portal:{B}:…`) or an id inside the key (`…:B:…`). */
const mentions = (key: string, portalId: number) => new RegExp(`[:{]${portalId}[:}]`).test(key);

/** Every key of an account with its serialised value, straight from Redis. */
async function snapshot(portalId: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of await testKeys(`portal:{${portalId}}:*`)) out.set(key, (await redis.dumpBuffer(key))?.toString('base64') ?? '');
  return out;
}

beforeAll(async () => {
  await flushTestRedis();
  redis = testRedis();
  const observe = (s: import('../../src/store/store.js').Store) => { const r = recordingStore(s); recorder.push(r); return r.store; };
  app = await startTestApp({ ...OAUTH, REDIS_URL: testRedisUrl() }, { observeStore: observe });
  for (const portalId of [A, B]) await app.vault!.save(portalId, { accessToken: `acc-${portalId}`, refreshToken: 'r', expiresAt: Date.now() + 3_600_000, scopes: [] });
  // B has data of its own worth stealing or changing.
  const saved = await deliver(app.url!, null, { method: 'PUT', path: `/api/extensions/settings?userId=1&portalId=${B}`, raw: JSON.stringify({ expectedVersion: 0, settings: { defaultLanguage: 'de', internalDomains: ['b.example'] } }) });
  expect(saved.status).toBe(200);
  privateApp = await startTestApp({ REDIS_URL: testRedisUrl(), HUBSPOT_PORTAL_ID: String(A), TOKEN_ENCRYPTION_KEY: OAUTH.TOKEN_ENCRYPTION_KEY }, { observeStore: observe });
});
afterAll(async () => { await app.stop(); await privateApp.stop(); await redis.quit(); });

const attacks = [
  { name: 'portalId of B added by the card before HubSpot\'s own', query: `portalId=${B}&userId=1&portalId=${A}&userEmail=agent%40a.example&appId=77`, status: 401 },
  { name: 'portalId of B added by the card after HubSpot\'s own', query: `userId=1&portalId=${A}&userEmail=agent%40a.example&appId=77&portalId=${B}`, status: 401 },
  { name: 'a second userId', query: `userId=1&portalId=${B}&userEmail=agent%40a.example&appId=77&userId=2`, status: 401 },
  { name: 'a foreign appId', query: `userId=1&portalId=${B}&userEmail=agent%40a.example&appId=999`, status: 401 },
  { name: 'no appId at all', query: `userId=1&portalId=${B}&userEmail=agent%40a.example`, status: 401, exactPath: true },
];

describe('card requests name only the account HubSpot vouches for', () => {
  const all = routes();

  it('finds the routes to check in the router', () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
    expect(all).toContainEqual({ method: 'PUT', path: '/settings' });
    expect(all).toContainEqual({ method: 'DELETE', path: '/installation' });
  });

  for (const attack of attacks) {
    it(`refuses ${attack.name} on every route, with nothing of B read or changed`, async () => {
      const before = await snapshot(B);
      for (const r of recorder) r.clear();
      for (const route of all) {
        const res = await deliver(app.url!, null, { method: route.method, path: `/api/extensions${route.path}?${attack.query}`, raw: route.method === 'GET' ? '' : '{}', exactPath: attack.exactPath });
        expect({ route, status: res.status }).toEqual({ route, status: attack.status });
        // The answer says nothing about which check failed.
        expect(res.body).toEqual({ message: 'this request is not signed by HubSpot for this app' });
      }
      expect(recorder.flatMap((r) => r.touched).filter((k) => mentions(k, B))).toEqual([]);
      expect(await snapshot(B)).toEqual(before);
    });
  }

  it('answers 403 on every route for an account that has not installed the app, reading only whether it did', async () => {
    for (const r of recorder) r.clear();
    for (const route of all) {
      const res = await deliver(app.url!, null, { method: route.method, path: `/api/extensions${route.path}?userId=1&portalId=${C}&userEmail=x%40c.example&appId=77`, raw: route.method === 'GET' ? '' : '{}' });
      expect({ route, status: res.status }).toEqual({ route, status: 403 });
    }
    expect(new Set(recorder.flatMap((r) => r.touched).filter((k) => mentions(k, C)))).toEqual(new Set([`portal:{${C}}:oauth-tokens`]));
    expect(await testKeys(`portal:{${C}}:*`)).toEqual([]);
  });

  it('a private app answers only for its own account: every other portal gets 403, and B is not touched', async () => {
    const before = await snapshot(B);
    for (const r of recorder) r.clear();
    for (const route of all) {
      const res = await deliver(privateApp.url!, null, { method: route.method, path: `/api/extensions${route.path}?userId=1&portalId=${B}&userEmail=x%40a.example&appId=77`, raw: route.method === 'GET' ? '' : '{}' });
      expect({ route, status: res.status }).toEqual({ route, status: 403 });
    }
    expect(recorder.flatMap((r) => r.touched).filter((k) => k.includes(`:${B}`))).toEqual([]);
    expect(await snapshot(B)).toEqual(before);
    const own = await deliver(privateApp.url!, null, { method: 'GET', path: `/api/extensions/settings?userId=1&portalId=${A}&appId=77`, raw: '' });
    expect(own.status).toBe(200);
  });

  it('still serves the caller\'s own account when HubSpot\'s parameters are the only ones', async () => {
    const res = await deliver(app.url!, null, { method: 'GET', path: `/api/extensions/settings?userId=1&portalId=${B}&userEmail=agent%40b.example&appId=77`, raw: '' });
    expect(res).toMatchObject({ status: 200, body: { version: 1, settings: { defaultLanguage: 'de' } } });
  });
});
