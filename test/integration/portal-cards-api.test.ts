import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../support/hubspot-client.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';

let env: PortalEnv;
// New contacts are not onboarded here: agents grant access from the cards.
beforeAll(async () => { env = await startPortalEnv({ portal: { onboardNewContacts: false } }); });
afterAll(async () => { await env.stop(); });

const api = (path: string, method = 'GET', body?: unknown) =>
  deliver(env.app.url!, body, { method, path: `/api/extensions${path}${path.includes('?') ? '&' : '?'}userId=7&portalId=${env.P}&userEmail=agent%40support.example`, raw: body === undefined ? '' : JSON.stringify(body), publicUrl: env.base });

describe('portal access from the cards (agents and admins)', () => {
  it('grants access, previews the credentials email without making a link, sends it once per click, and revokes', async () => {
    const { sandbox, P } = env;
    const acme = sandbox.seed(P, 'companies', { name: 'Acme', domain: 'acme.example' });
    const ada = sandbox.seed(P, 'contacts', { email: 'ada@acme.example', firstname: 'Ada', lastname: 'Lovelace', hs_language: 'de' });
    sandbox.account(P).associate('contacts', ada.id, 'companies', acme.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }]);

    expect((await api(`/contacts/${ada.id}/portal`)).body).toMatchObject({ access: 'none', lastCredentialsEmail: null });
    expect((await api(`/contacts/${ada.id}/portal/credentials/preview`, 'POST', {})).status).toBe(409);
    expect((await api(`/contacts/${ada.id}/portal/grant`, 'POST', {})).body).toEqual({ access: 'invited', changed: true });
    expect((await api(`/contacts/${ada.id}/portal/grant`, 'POST', {})).body).toEqual({ access: 'invited', changed: false });
    const listId = (await env.app.settings.read(P)).settings.portal.accessListId!;
    expect([...sandbox.account(P).lists.get(listId)!.members.keys()]).toEqual([ada.id]);

    const preview = await api(`/contacts/${ada.id}/portal/credentials/preview`, 'POST', {});
    expect(preview.body).toMatchObject({ language: 'de', to: 'ada@acme.example' });
    expect(preview.body!.text).toContain('ada@acme.example');
    expect(preview.body!.text).not.toMatch(/set-password/);
    expect((await env.app.portal.accounts.get(P, ada.id))!.currentLinkHash).toBeNull();

    for (let i = 0; i < 2; i++) expect((await api(`/contacts/${ada.id}/portal/credentials`, 'POST', { requestId: 'click-0001' })).status).toBe(202);
    await env.settle();
    expect((await env.app.email.outbox.mailbox(P)).filter((m) => m.to === 'ada@acme.example')).toHaveLength(1);
    expect((await api(`/contacts/${ada.id}/portal`)).body).toMatchObject({ access: 'invited', lastCredentialsEmail: { template: 'portal-credentials', state: 'sent', language: 'de' } });
    expect((await api(`/contacts/${ada.id}/portal/credentials`, 'POST', { requestId: 'x' })).body).toEqual({ message: 'requestId: must be 8–64 letters, digits, - or _ (one per click, so a retried request sends once)' });

    const revoked = await api(`/contacts/${ada.id}/portal/revoke`, 'POST', {});
    expect(revoked.body).toEqual({ access: 'disabled', changed: true });
    expect(sandbox.account(P).lists.get(listId)!.members.size).toBe(0);
    const link = await env.latestLink('ada@acme.example');
    expect(await env.app.portal.accounts.checkLink(P, link!.split('/').pop()!)).toEqual({ ok: false, reason: 'revoked' });
    expect((await api(`/contacts/${ada.id}/portal`)).body!.history).toEqual([
      expect.objectContaining({ action: 'revoked', by: 'agent@support.example' }),
      expect.objectContaining({ action: 'link-sent' }),
      expect.objectContaining({ action: 'granted', by: 'agent@support.example', why: 'granted on the contact card' }),
    ]);
  });

  it('counts a company\'s contacts with access and grants the rest only when the count the agent saw still holds', async () => {
    const { sandbox, P } = env;
    const globex = sandbox.seed(P, 'companies', { name: 'Globex', domain: 'globex.example' });
    const ids = ['hank', 'joan', 'kim'].map((n) => {
      const c = sandbox.seed(P, 'contacts', { email: `${n}@globex.example`, firstname: n });
      sandbox.account(P).associate('contacts', c.id, 'companies', globex.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }]);
      return c.id;
    });
    await api(`/contacts/${ids[0]}/portal/grant`, 'POST', {});
    expect((await api(`/companies/${globex.id}/portal`)).body).toMatchObject({ contacts: 3, withAccess: 1, withoutAccess: [ids[1], ids[2]] });
    const stale = await api(`/companies/${globex.id}/portal/grant-all`, 'POST', { expectedCount: 5 });
    expect(stale.status).toBe(409);
    expect(stale.body!.message).toBe('2 contacts are without access now, not 5: look again before sending');
    expect((await api(`/companies/${globex.id}/portal/grant-all`, 'POST', { expectedCount: 2 })).body).toEqual({ queued: 2 });
    await env.settle();
    expect((await api(`/companies/${globex.id}/portal`)).body).toMatchObject({ withAccess: 3, withoutAccess: [] });
    const mailed = (await env.app.email.outbox.mailbox(P)).map((m) => m.to);
    expect(mailed).toEqual(expect.arrayContaining(['joan@globex.example', 'kim@globex.example']));
    expect(mailed).not.toContain('hank@globex.example');
  });

  it('registers the account\'s OIDC client, refuses a redirect URI that is not https, and refuses onboarding without a portal address', async () => {
    const shown = await api('/portal/client');
    expect(shown.body).toMatchObject({ issuer: env.app.portal.issuer, client: { clientId: env.client.clientId, redirectUris: [env.sandbox.portal.redirectUri(env.P)] } });
    const bad = await api('/portal/client', 'PUT', { redirectUris: ['http://support.acme.example/cb'] });
    expect(bad).toEqual({ status: 400, body: { message: 'redirect URI http://support.acme.example/cb must use https' } });
    const rotated = await api('/portal/client', 'PUT', { redirectUris: [env.sandbox.portal.redirectUri(env.P)], rotateSecret: true });
    expect(rotated.body!.client).toMatchObject({ clientId: env.client.clientId });
    expect((rotated.body!.client as { clientSecret: string }).clientSecret).not.toBe(env.client.clientSecret);
    // The secret is stored encrypted: Redis never holds it in the clear.
    expect(await env.app.store.get(`portal:{${env.P}}:oidc-client`)).not.toContain((rotated.body!.client as { clientSecret: string }).clientSecret);

    const current = await api('/settings');
    const refused = await api('/settings', 'PUT', { expectedVersion: current.body!.version, settings: { ...(current.body!.settings as object), portal: { ...(current.body!.settings as { portal: object }).portal, onboardNewContacts: true, portalUrl: null } } });
    expect(refused.status).toBe(400);
    expect(refused.body!.message).toContain('settings.portal.portalUrl: is required when onboardNewContacts is on');
  });
});
