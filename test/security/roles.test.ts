import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionsApi, type ExtensionsDeps } from '../../src/server/routes/extensions-api.js';
import { deliver } from '../support/hubspot-client.js';
import { startTestApp } from '../support/test-app.js';

type Layer = { route?: { path: string; methods: Record<string, boolean>; stack: { name: string }[] } };
/** Every route of the card API with whether it is admin-only, read from the router itself. */
function routes() {
  const router = extensionsApi({} as ExtensionsDeps) as unknown as { stack: Layer[] };
  return router.stack.filter((l) => l.route).flatMap((l) => Object.keys(l.route!.methods).map((m) => ({
    route: `${m.toUpperCase()} ${l.route!.path}`, admin: l.route!.stack.some((s) => s.name === 'adminOnly'),
  })));
}

let app: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app.stop(); });

const as = (userId: number, method: string, path: string, body?: unknown) =>
  deliver(app.url!, body, { method, path: `/api/extensions${path}${path.includes('?') ? '&' : '?'}userId=${userId}&portalId=4242&userEmail=user${userId}%40support.example`, raw: body === undefined ? '' : JSON.stringify(body) });

describe('who may do what', () => {
  it('admin-only routes are exactly the ones that change the account\'s setup', () => {
    expect(routes().filter((r) => r.admin).map((r) => r.route).sort()).toEqual([
      'DELETE /email/templates/:name/:language', 'DELETE /installation', 'GET /admin-audit', 'GET /portal/client',
      'POST /backfill', 'POST /companies/:companyId/portal/grant-all', 'POST /default-company', 'POST /journal/replay', 'POST /portal/sign-out-everywhere', 'POST /provisioning',
      'POST /setup/credentials-rule', 'POST /setup/onboarding', 'POST /setup/test-email',
      'PUT /email/smtp-password', 'PUT /email/templates/:name/:language', 'PUT /portal/client', 'PUT /rules', 'PUT /settings',
    ].sort());
  });

  it('refuses every admin route to an agent with 403 and a message, and changes nothing', async () => {
    const before = await app.settings.read(4242);
    for (const { route } of routes().filter((r) => r.admin)) {
      const [method, path] = route.split(' ') as [string, string];
      const res = await as(2, method, path.replace(/:\w+/g, '1'), method === 'GET' ? undefined : {});
      expect({ route, status: res.status }).toEqual({ route, status: 403 });
      expect(res.body?.message).toContain('only an admin of Portal Autopilot');
    }
    expect((await app.settings.read(4242)).version).toBe(before.version);
  });

  it('lets an agent read and run per-record actions', async () => {
    expect((await as(2, 'GET', '/settings')).body).toMatchObject({ you: { userId: 2, admin: false } });
    expect((await as(2, 'GET', '/rules')).status).toBe(200);
    expect((await as(2, 'POST', '/rules/test', { title: '[Portal Credentials]' })).status).toBe(200);
  });

  it('makes a user an admin through the settings, and records every admin change (who, when, what)', async () => {
    const current = await as(1, 'GET', '/settings');
    expect(current.body).toMatchObject({ you: { userId: 1, admin: true } });
    const settings = { ...(current.body!.settings as object), access: { adminUserIds: [3] } };
    expect((await as(1, 'PUT', '/settings', { expectedVersion: current.body!.version, settings })).status).toBe(200);
    const now = await as(3, 'GET', '/settings');
    expect(now.body).toMatchObject({ you: { userId: 3, admin: true } });
    expect((await as(3, 'PUT', '/settings', { expectedVersion: now.body!.version, settings: { ...settings, defaultLanguage: 'it' } })).status).toBe(200);
    expect((await as(3, 'GET', '/admin-audit')).body!.changes).toEqual([
      expect.objectContaining({ userId: 3, userEmail: 'user3@support.example', action: 'PUT /settings', status: 200 }),
      expect.objectContaining({ userId: 1, userEmail: 'user1@support.example', action: 'PUT /settings', status: 200 }),
    ]);
  });
});
