import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountContext } from '../../src/webhooks/route-event.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { testLog } from '../support/test-log.js';

// The identity provider's sessions as a customer lives them, without a browser: a session signs
// in again without asking, until the customer's access is revoked or the admin signs everyone out;
// then the sign-in page asks again, and only an account that can sign in gets through.
let env: PortalEnv;
const PASSWORD = 'difference engine 1822';
beforeAll(async () => { env = await startPortalEnv(); });
afterAll(async () => { await env.stop(); });

const ctx = async (): Promise<AccountContext> => ({ portalId: env.P, hubspot: env.app.hubspot, store: env.app.store, settings: (await env.app.settings.read(env.P)).settings, log: testLog });
/** A contact with access and a password, as after the credentials email and the set-password page. */
async function customer(email: string, firstname: string): Promise<string> {
  const contact = env.sandbox.seed(env.P, 'contacts', { email, firstname, lastname: 'Example' });
  const { account } = await env.app.portal.access.grant(await ctx(), contact.id, 'test', 'a customer');
  await env.app.portal.accounts.save({ ...account, state: 'active', passwordHash: await env.app.portal.hasher.hash(PASSWORD) });
  return contact.id;
}
/** The portal's "sign in" (the portal's own session gone, the provider's kept): where the browser ends. */
async function portalSignIn(b: ReturnType<PortalEnv['browser']>) {
  await b.get(`${env.sandbox.portal.portalUrl(env.P)}login`);
  return b;
}

describe('the provider\'s sessions', () => {
  it('sign a customer in again without asking, while the account can sign in', async () => {
    await customer('ada@acme.example', 'Ada');
    const b = env.browser();
    await portalSignIn(b);
    expect(b.url).toContain('/portal/interaction/');
    await b.submit({ email: 'ada@acme.example', password: PASSWORD });
    expect(b.text()).toContain('Signed in as Ada Example');
    await portalSignIn(b);
    expect(b.url).toBe(env.sandbox.portal.portalUrl(env.P));
    expect(b.text()).toContain('Signed in as Ada Example');
  });

  it('ask again once the customer\'s access is revoked, and let nobody through with that account', async () => {
    const id = await customer('grace@acme.example', 'Grace');
    const b = env.browser();
    await portalSignIn(b);
    await b.submit({ email: 'grace@acme.example', password: PASSWORD });
    expect(b.text()).toContain('Signed in as Grace Example');
    await env.app.portal.access.revoke(await ctx(), id, 'agent', 'contract ended');
    await portalSignIn(b);
    expect(b.url).toContain('/portal/interaction/');
    expect(b.text()).toContain('Sign in');
    await b.submit({ email: 'grace@acme.example', password: PASSWORD });
    expect(b.status).toBe(401);
    expect(b.url).not.toBe(env.sandbox.portal.portalUrl(env.P));
  });

  it('ask everyone again after "sign out everywhere"; a sign-in after it is a session like any other', async () => {
    await customer('hedy@acme.example', 'Hedy');
    const b = env.browser();
    await portalSignIn(b);
    await b.submit({ email: 'hedy@acme.example', password: PASSWORD });
    expect(b.text()).toContain('Signed in as Hedy Example');
    // The provider keeps sign-in times in whole seconds: the cut comes in a later second than the sign-in.
    const second = Math.floor(Date.now() / 1000);
    await expect.poll(() => Math.floor(Date.now() / 1000), { timeout: 3000, interval: 20 }).toBeGreaterThan(second);
    await env.app.portal.access.signOutEverywhere(await ctx());
    await portalSignIn(b);
    expect(b.url).toContain('/portal/interaction/');
    // Signing in again, even in the second of the cut, makes a session the cut does not end.
    await b.submit({ email: 'hedy@acme.example', password: PASSWORD });
    expect(b.text()).toContain('Signed in as Hedy Example');
    await portalSignIn(b);
    expect(b.url).toBe(env.sandbox.portal.portalUrl(env.P));
  });
});
