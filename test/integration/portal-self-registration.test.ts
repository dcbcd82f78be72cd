import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { noteSelfRegistration, selfRegistrations } from '../../src/portal/self-registration.js';
import { SIGN_IN_LIMITS } from '../../src/portal/sign-in-limiter.js';
import { deliver } from '../support/hubspot-client.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { holdsSecret } from '../support/test-log.js';

/**
 * Self-registration (HubSpot's "allow self-registration", made safe): off by default; when on, only
 * an address of a customer company's domain gets a contact, its company, access and the link to
 * choose a password. Every other address gets the same page, and nothing is sent.
 */
let env: PortalEnv;
const PASSWORD = 'lunar module 1969';
/** What the app logged (an operator's view of why an address was refused); checked for secrets as every test log is. */
const logged: Record<string, unknown>[] = [];
const log = createLogger('info', new Writable({ write(chunk, _e, done) { const line = String(chunk); expect(holdsSecret(line)).toBe(false); logged.push(JSON.parse(line) as Record<string, unknown>); done(); } }));
beforeAll(async () => {
  // All of this file's requests come from one address: its budget per address (10 an hour) is raised; the one per address asked for is kept.
  env = await startPortalEnv({ runtime: { log, signInLimits: { ...SIGN_IN_LIMITS, registerPerIp: { points: 50, duration: 3600 } } } });
  env.sandbox.seed(env.P, 'companies', { name: 'Acme', domain: 'acme.example', lifecyclestage: 'customer' });
  env.sandbox.seed(env.P, 'companies', { name: 'Prospect Ltd', domain: 'prospect.example', lifecyclestage: 'lead' });
});
afterAll(async () => { await env.stop(); });

const api = (path: string) => deliver(env.app.url!, undefined, { method: 'GET', path: `/api/extensions${path}?userId=7&portalId=${env.P}&userEmail=agent%40support.example`, raw: '', publicUrl: env.base });
const contactOf = (email: string) => env.sandbox.account(env.P).objects.contacts!.all().find((c) => c.properties.email === email);
const mailsTo = async (email: string) => (await env.app.email.outbox.mailbox(env.P)).filter((m) => m.to === email);
const setSelfRegistration = async (on: boolean) => {
  const current = await env.app.settings.read(env.P);
  await env.app.settings.save(env.P, { ...current.settings, portal: { ...current.settings.portal, selfRegistration: on } }, current.version, 'admin');
};
/** The sign-in page the sandbox portal sends a customer to. */
async function signInPage() {
  const b = env.browser();
  await b.get(`${env.sandbox.portal.portalUrl(env.P)}login`);
  return b;
}
/** "Request access" from the sign-in page, as a customer would; returns the page that answered. */
async function requestAccess(email: string) {
  const b = await signInPage();
  const link = /<a href="([^"]*\/register[^"]*)"/.exec(b.html)?.[1];
  expect(link, 'the sign-in page links to "request access"').toBeDefined();
  await b.get(new URL(link!.replace(/&amp;/g, '&'), b.url).href);
  await b.submit({ email });
  return b;
}

describe('self-registration', () => {
  it('is off by default: the sign-in page offers no "request access", and its page says the support team gives access', async () => {
    const b = await signInPage();
    expect(b.text()).toContain('Sign in');
    expect(b.html).not.toMatch(/\/register/);
    await b.get(`${env.base}/portal/${env.P}/register`);
    expect(b.status).toBe(404);
    expect(b.text()).toContain('Access is given by the support team');
  });

  it('gives an address of a customer company a contact filed under it, access, and the link to choose a password; the customer signs in with it', async () => {
    await setSelfRegistration(true);
    const page = await requestAccess('Mae.Jemison@ACME.example');
    expect(page.status).toBe(200);
    expect(page.text()).toContain('If mae.jemison@acme.example belongs to one of our customers, a link to choose your password is on its way');
    await env.settle();
    const mae = contactOf('mae.jemison@acme.example')!;
    const acme = env.sandbox.account(env.P).objects.companies!.all().find((c) => c.properties.name === 'Acme')!;
    expect(env.sandbox.account(env.P).associationsOf('contacts', mae.id, 'companies').map((a) => a.toObjectId)).toEqual([acme.id]);
    expect(await env.app.portal.accounts.get(env.P, mae.id)).toMatchObject({ email: 'mae.jemison@acme.example' });
    const [mail] = await mailsTo('mae.jemison@acme.example');
    expect(mail!.subject).toBe('Your access to our customer portal');
    // The link works once; with the password chosen, the sandbox portal signs her in.
    const b = env.browser();
    await b.get((await env.latestLink('mae.jemison@acme.example'))!);
    await b.submit({ password: PASSWORD, confirm: PASSWORD });
    expect(b.text()).toContain('Your password is saved');
    const signIn = await signInPage();
    await signIn.submit({ email: 'mae.jemison@acme.example', password: PASSWORD });
    expect(signIn.url).toBe(env.sandbox.portal.portalUrl(env.P));
    // The company card lists her as registered on the sign-in page.
    const card = (await api(`/companies/${acme.id}/portal`)).body as { selfRegistered: { email: string }[] };
    expect(card.selfRegistered.map((p) => p.email)).toEqual(['mae.jemison@acme.example']);
  });

  it('answers free mail, an unknown domain, a company that is not a customer, a no-reply address and the account\'s own domain with the same page, and sends nothing', async () => {
    const before = (await env.app.email.outbox.mailbox(env.P)).length;
    const contactsBefore = env.sandbox.account(env.P).objects.contacts!.all().length;
    const current = await env.app.settings.read(env.P);
    await env.app.settings.save(env.P, { ...current.settings, internalDomains: ['helpdesk.example'] }, current.version, 'admin');
    logged.length = 0;
    const strangers = ['someone@gmail.com', 'eve@unknown.example', 'lead@prospect.example', 'no-reply@acme.example', 'staff@helpdesk.example'];
    const answers = [];
    for (const email of strangers) {
      const page = await requestAccess(email);
      answers.push({ status: page.status, text: page.text().replace(email, '{email}') });
    }
    await env.settle();
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]!.status).toBe(200);
    expect((await env.app.email.outbox.mailbox(env.P)).length).toBe(before);
    expect(env.sandbox.account(env.P).objects.contacts!.all().length).toBe(contactsBefore);
    // The operator's log says why each was refused (and the domain, never the address).
    const refusals = logged.filter((l) => l.msg === 'portal self-registration').map((l) => [l.outcome, l.reason, l.domain]);
    expect(refusals.sort()).toEqual([
      ['refused', 'free-mail', 'gmail.com'], ['refused', 'internal-domain', 'helpdesk.example'], ['refused', 'no-reply', 'acme.example'],
      ['refused', 'not-a-customer', 'prospect.example'], ['refused', 'unknown-domain', 'unknown.example'],
    ]);
    expect(JSON.stringify(logged.filter((l) => l.msg === 'portal self-registration'))).not.toMatch(/someone@|eve@|lead@|staff@/);
  });

  it('sends an address that already has an account the reset link, never a second welcome, and the page says the same as to anyone', async () => {
    const page = await requestAccess('mae.jemison@acme.example');
    const stranger = await requestAccess('nobody@unknown.example');
    expect({ status: page.status, text: page.text().replace('mae.jemison@acme.example', '{email}') })
      .toEqual({ status: stranger.status, text: stranger.text().replace('nobody@unknown.example', '{email}') });
    await env.settle();
    const [newest, ...older] = await mailsTo('mae.jemison@acme.example');
    expect(newest!.text).toContain('If you forgot your password, choose a new one here');
    expect(older).toHaveLength(1);
  });

  it('limits requests per address: the fourth for one address in a day is refused with the time to wait, whoever asks', async () => {
    for (let i = 0; i < 3; i++) expect((await requestAccess('limit@unknown.example')).status).toBe(200);
    const fourth = await requestAccess('limit@unknown.example');
    expect(fourth.status).toBe(429);
    expect(fourth.text()).toMatch(/Too many attempts|try again/i);
  });

  it('refuses an address that is not one, naming what is wrong, and keeps what was typed', async () => {
    const page = await requestAccess('not an address');
    expect(page.status).toBe(400);
    expect(page.text()).toContain('Enter a valid email address');
    expect(page.html).toContain('value="not an address"');
  });
});

describe('the company card\'s list of who asked for access', () => {
  it('names each contact once, newest first', async () => {
    const ctx = { store: env.app.store, portalId: env.P };
    for (const contactId of ['c-1', 'c-2', 'c-1', 'c-3']) await noteSelfRegistration(ctx as Parameters<typeof noteSelfRegistration>[0], 'company-9', contactId);
    expect((await selfRegistrations(ctx, 'company-9')).map((r) => r.contactId)).toEqual(['c-3', 'c-1', 'c-2']);
    expect(await selfRegistrations(ctx, 'company-10')).toEqual([]);
  });
});
