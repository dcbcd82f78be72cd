import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortalAccess, credentialsTemplateFor, setPasswordUrl } from '../../src/portal/portal-access.js';
import { caps, keys } from '../../src/store/keys.js';
import type { AccountContext } from '../../src/webhooks/route-event.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { testLog } from '../support/test-log.js';

// Granting, revoking and the credentials an email carries, against the sandbox as HubSpot, each
// outcome as the customer or the admin would notice it.
let env: PortalEnv;
beforeAll(async () => { env = await startPortalEnv(); });
afterAll(async () => { await env.stop(); });

const ctx = async (portal: Partial<AccountContext['settings']['portal']> = {}): Promise<AccountContext> => {
  const settings = (await env.app.settings.read(env.P)).settings;
  return { portalId: env.P, hubspot: env.app.hubspot, store: env.app.store, settings: { ...settings, portal: { ...settings.portal, ...portal } }, log: testLog };
};
const access = () => env.app.portal.access;
const members = () => [...env.sandbox.account(env.P).lists.get((env.sandbox.account(env.P).lists.keys().next().value)!)!.members.keys()];

describe('portal access', () => {
  it('grants once: the access list, an invited account named and in the contact\'s language, one history line', async () => {
    const ada = env.sandbox.seed(env.P, 'contacts', { email: 'Ada@Acme.example', firstname: 'Ada', lastname: 'Lovelace', hs_language: 'de' });
    const first = await access().grant(await ctx(), ada.id, 'rule', 'ticket 1');
    expect(first.changed).toBe(true);
    expect(first.account).toMatchObject({ contactId: ada.id, email: 'ada@acme.example', name: 'Ada Lovelace', locale: 'de', state: 'invited', currentLinkHash: null });
    expect(members()).toContain(ada.id);
    const again = await access().grant(await ctx(), ada.id, 'card', 'again');
    expect(again.changed).toBe(false);
    expect(again.account.grantedAt).toBe(first.account.grantedAt);
    expect((await env.app.portal.accounts.history(env.P, ada.id)).filter((h) => h.action === 'granted')).toEqual([expect.objectContaining({ by: 'rule', why: 'ticket 1' })]);
  });

  it('follows a contact whose name, language or address changed in HubSpot: the sign-in name moves with the address', async () => {
    const c = env.sandbox.seed(env.P, 'contacts', { email: 'grace@acme.example', firstname: 'Grace' });
    expect((await access().grant(await ctx(), c.id, 'rule', 'first')).account.name).toBe('Grace');
    env.sandbox.account(env.P).objects.contacts!.update(c.id, { email: 'grace.hopper@acme.example', lastname: 'Hopper', hs_language: 'it' });
    const after = await access().grant(await ctx(), c.id, 'rule', 'second');
    expect(after.account).toMatchObject({ email: 'grace.hopper@acme.example', name: 'Grace Hopper', locale: 'it' });
    expect(await env.app.store.get(keys.portalLogin(env.P, 'grace@acme.example'))).toBeNull();
    expect((await env.app.portal.accounts.findByLogin(env.P, 'grace.hopper@acme.example'))?.contactId).toBe(c.id);
  });

  it('records a grant a crash interrupted (account saved, history not) once, with the grant\'s own time', async () => {
    const c = env.sandbox.seed(env.P, 'contacts', { email: 'hedy@acme.example' });
    const grantedAt = new Date(Date.now() - 60_000).toISOString();
    await env.app.portal.accounts.save({ portalId: env.P, contactId: c.id, email: 'hedy@acme.example', state: 'invited', grantedAt, currentLinkHash: null });
    await access().grant(await ctx(), c.id, 'rule', 'after the crash');
    await access().grant(await ctx(), c.id, 'rule', 'once more');
    expect((await env.app.portal.accounts.history(env.P, c.id)).filter((h) => h.action === 'granted')).toEqual([expect.objectContaining({ at: grantedAt, why: 'after the crash' })]);
  });

  it('after a crash, counts only a "granted" line from this grant: other lines, or a grant before it, do not stand for it', async () => {
    const c = env.sandbox.seed(env.P, 'contacts', { email: 'radia@acme.example' });
    const earlier = new Date(Date.now() - 3_600_000).toISOString();
    const grantedAt = new Date(Date.now() - 60_000).toISOString();
    await env.app.portal.accounts.record(env.P, c.id, { action: 'granted', by: 'rule', why: 'an earlier grant', at: earlier });
    await env.app.portal.accounts.save({ portalId: env.P, contactId: c.id, email: 'radia@acme.example', state: 'invited', grantedAt, currentLinkHash: null });
    await env.app.portal.accounts.record(env.P, c.id, { action: 'link-sent', by: 'email', why: 'set-password link, 72 h' });
    await access().grant(await ctx(), c.id, 'rule', 'after the crash');
    expect((await env.app.portal.accounts.history(env.P, c.id)).filter((h) => h.action === 'granted').map((h) => [h.at, h.why])).toEqual([[grantedAt, 'after the crash'], [earlier, 'an earlier grant']]);
  });

  it('after a crash, adds no "granted" line when the history is full (its grant may be among the lines that left it)', async () => {
    const c = env.sandbox.seed(env.P, 'contacts', { email: 'frances@acme.example' });
    await env.app.portal.accounts.save({ portalId: env.P, contactId: c.id, email: 'frances@acme.example', state: 'invited', grantedAt: new Date(Date.now() - 60_000).toISOString(), currentLinkHash: null });
    for (let i = 0; i < caps.portalAccessLog; i++) await env.app.portal.accounts.record(env.P, c.id, { action: 'link-sent', by: 'email', why: `link ${i}` });
    await access().grant(await ctx(), c.id, 'rule', 'after the crash');
    const history = await env.app.portal.accounts.history(env.P, c.id);
    expect(history).toHaveLength(caps.portalAccessLog);
    expect(history.filter((h) => h.action === 'granted')).toEqual([]);
    // One line short of full: the grant is recorded.
    const d = env.sandbox.seed(env.P, 'contacts', { email: 'jean@acme.example' });
    await env.app.portal.accounts.save({ portalId: env.P, contactId: d.id, email: 'jean@acme.example', state: 'invited', grantedAt: new Date(Date.now() - 60_000).toISOString(), currentLinkHash: null });
    for (let i = 0; i < caps.portalAccessLog - 1; i++) await env.app.portal.accounts.record(env.P, d.id, { action: 'link-sent', by: 'email', why: `link ${i}` });
    await access().grant(await ctx(), d.id, 'rule', 'after the crash');
    expect((await env.app.portal.accounts.history(env.P, d.id)).filter((h) => h.action === 'granted')).toHaveLength(1);
  });

  it('says what is missing: no access list, no valid address', async () => {
    const c = env.sandbox.seed(env.P, 'contacts', { email: 'not-an-address' });
    await expect(access().grant(await ctx({ accessListId: undefined }), c.id, 'rule', 'x')).rejects.toThrow('no portal access list is set: run the setup on the settings page, or choose a MANUAL list there');
    await expect(access().grant(await ctx(), c.id, 'rule', 'x')).rejects.toThrow(`contact ${c.id} has no valid email address, so it cannot have a portal account`);
    expect(await env.app.portal.accounts.get(env.P, c.id)).toBeNull();
    expect(members()).not.toContain(c.id);
  });

  it('revokes: off the list, disabled, its links dead and its sessions ended; a second revoke changes nothing; a new grant of one who set a password makes it active again', async () => {
    const c = env.sandbox.seed(env.P, 'contacts', { email: 'katherine@acme.example' });
    const granted = await access().grant(await ctx(), c.id, 'rule', 'x');
    await env.app.portal.accounts.save({ ...granted.account, state: 'active', passwordHash: await env.app.portal.hasher.hash('a long enough password 1843'), currentLinkHash: 'h' });
    const before = Date.now();
    const revoked = (await access().revoke(await ctx(), c.id, 'admin', 'left the company'))!;
    expect(revoked.changed).toBe(true);
    expect(revoked.account).toMatchObject({ state: 'disabled', currentLinkHash: null });
    // A disabled account is sent no credentials, by any path.
    await expect(access().credentialValues(await ctx(), c.id)).rejects.toThrow(`contact ${c.id} has no portal access: grant it first (card, settings or the rule action grantPortalAccess)`);
    expect(revoked.account.sessionsValidAfter).toBeGreaterThanOrEqual(before);
    expect(members()).not.toContain(c.id);
    expect((await env.app.portal.accounts.history(env.P, c.id))[0]).toMatchObject({ action: 'revoked', by: 'admin', why: 'left the company' });
    expect((await access().revoke(await ctx(), c.id, 'admin', 'again'))!.changed).toBe(false);
    expect(await access().revoke(await ctx(), env.sandbox.seed(env.P, 'contacts', { email: 'never@acme.example' }).id, 'admin', 'x')).toBeNull();
    const back = await access().grant(await ctx(), c.id, 'admin', 'rehired');
    expect(back).toMatchObject({ changed: true, account: { state: 'active' } });
    // The password chosen before still signs in; the old links stay dead.
    expect(await env.app.portal.hasher.verify(back.account.passwordHash!, 'a long enough password 1843')).toBe(true);
    expect(back.account.currentLinkHash).toBeNull();
    await expect(access().credentialValues(await ctx(), env.sandbox.seed(env.P, 'contacts', { email: 'none@acme.example' }).id)).rejects.toThrow(/has no portal access: grant it first/);
  });

  it('revokes in an account with no access list chosen: the sign-in account is disabled, and no list is asked to change', async () => {
    const c = env.sandbox.seed(env.P, 'contacts', { email: 'dorothy@acme.example' });
    await access().grant(await ctx(), c.id, 'rule', 'x');
    const calls = () => Object.entries(env.sandbox.callsByRoute()).filter(([route]) => route.includes('/memberships/remove')).reduce((n, [, v]) => n + v, 0);
    const before = calls();
    const revoked = (await access().revoke(await ctx({ accessListId: undefined }), c.id, 'admin', 'no list'))!;
    expect(revoked.account.state).toBe('disabled');
    expect(calls()).toBe(before);
  });

  it('mails a one-time link in link mode and a reset link for a reset, and a temporary password only for a welcome in temporary mode', async () => {
    const c = env.sandbox.seed(env.P, 'contacts', { email: 'mary@acme.example' });
    await access().grant(await ctx(), c.id, 'rule', 'x');
    const link = await access().credentialValues(await ctx({ linkExpiryHours: 12 }), c.id);
    expect(link['Portal Address']).toBe(env.sandbox.portal.portalUrl(env.P));
    expect(link['Portal Username']).toBe('mary@acme.example');
    expect(link['Portal Password']).toMatch(new RegExp(`^${setPasswordUrl(env.base, env.P, '').replace(/[.?]/g, '\\$&')}[\\w-]{43}$`));
    expect((await env.app.portal.accounts.history(env.P, c.id))[0]).toMatchObject({ action: 'link-sent', by: 'email', why: 'set-password link, 12 h' });
    expect(await access().credentialsTemplate({ portalId: env.P }, c.id)).toBe('portal-credentials');

    // Without a purpose it is the welcome.
    const temp = await access().credentialValues(await ctx({ passwordMode: 'temporary' }), c.id);
    expect(temp['Portal Password']).toMatch(/^[\w-]{16}$/);
    const account = (await env.app.portal.accounts.get(env.P, c.id))!;
    expect(account).toMatchObject({ state: 'active', mustChangePassword: true, currentLinkHash: null });
    expect(await env.app.portal.hasher.verify(account.passwordHash!, temp['Portal Password']!)).toBe(true);
    expect((await env.app.portal.accounts.history(env.P, c.id))[0]).toMatchObject({ why: 'temporary password' });
    expect(await access().credentialsTemplate({ portalId: env.P }, c.id)).toBe('portal-reset');

    const reset = await access().credentialValues(await ctx({ passwordMode: 'temporary', linkExpiryHours: 24 }), c.id, 'reset');
    expect(reset['Portal Password']).toMatch(/\/set-password\/[\w-]{43}$/);
    // The password the customer has keeps working until a new one is set through the link.
    expect((await env.app.portal.accounts.get(env.P, c.id))!.passwordHash).toBe(account.passwordHash);
    expect((await env.app.portal.accounts.history(env.P, c.id))[0]).toMatchObject({ why: 'reset link, 24 h' });
    await expect(access().credentialValues(await ctx({ portalUrl: undefined }), c.id)).rejects.toThrow('settings.portal.portalUrl is not set: the email would have no portal address');
  });

  it('picks the welcome until a password is chosen, then the reset; previews make no link; sign-out-everywhere ends earlier sessions', async () => {
    expect(credentialsTemplateFor(null)).toBe('portal-credentials');
    expect(credentialsTemplateFor({ state: 'invited' } as never)).toBe('portal-credentials');
    expect(credentialsTemplateFor({ state: 'active' } as never)).toBe('portal-reset');
    expect(PortalAccess.previewValues(await ctx({ portalUrl: undefined }), 'x@acme.example')).toEqual({
      'Portal Address': '(portal address not set)', 'Portal Username': 'x@acme.example', 'Portal Password': '[a one-time link to choose a password, made when the email is sent]',
    });
    const before = Date.now();
    await access().signOutEverywhere(await ctx());
    expect(Number(await env.app.store.get(keys.portalSignOutAll(env.P)))).toBeGreaterThanOrEqual(before);
  });
});
