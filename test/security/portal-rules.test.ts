import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PasswordHasher } from '../../src/portal/password-hasher.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';

/**
 * Four of the portal's own rules, each as the customer (or an attacker) would meet it; each test
 * fails when its rule is removed (checked by planting the removal).
 */
let env: PortalEnv;
const PASSWORD = 'correct horse battery staple';
let adaId: string;

async function newContact(email: string, name: string): Promise<string> {
  env.sandbox.inboundEmail(env.P, { from: email, name, subject: 'Hello', text: 'Hi' });
  await env.settle();
  return env.sandbox.account(env.P).objects.contacts!.all().find((c) => c.properties.email === email)!.id;
}

beforeAll(async () => {
  env = await startPortalEnv();
  adaId = await newContact('ada@acme.example', 'Ada Lovelace');
  const b = env.browser();
  await b.get((await env.latestLink('ada@acme.example'))!);
  await b.submit({ password: PASSWORD, confirm: PASSWORD });
  expect(b.text()).toContain('Your password is saved');
});
afterAll(async () => { await env.stop(); });
afterEach(() => { vi.restoreAllMocks(); });

describe('a client of one HubSpot account', () => {
  it('never signs in a contact of another account, even in a browser that has a session there', async () => {
    // Another account's portal, with its own client, in the same app.
    const other = 5151;
    const otherClient = await env.app.portal.clients.save(other, ['https://portal-b.example/sso/callback']);
    const b = env.browser();
    await b.get(env.sandbox.portal.portalUrl(env.P));
    await b.submit({ email: 'ada@acme.example', password: PASSWORD });
    expect(b.text()).toContain('Signed in as Ada Lovelace');
    // The same browser, now sent by account 5151's portal: Ada's session must not answer it.
    b.stopAt = (u) => u.hostname === 'portal-b.example';
    const auth = new URL(`${env.app.portal.issuer}/auth`);
    for (const [k, v] of Object.entries({ client_id: otherClient.clientId, redirect_uri: 'https://portal-b.example/sso/callback', response_type: 'code', scope: 'openid email', state: 'state-b-123456', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })) auth.searchParams.set(k, v);
    await b.get(auth.href);
    expect(new URL(b.url).hostname).not.toBe('portal-b.example');
    expect(b.url).toContain('/portal/interaction/');
    expect(b.text()).toContain('Sign in with the email address and password');
    // And Ada's address and password are not an account there.
    await b.submit({ email: 'ada@acme.example', password: PASSWORD });
    expect(b.status).toBe(401);
    expect(new URL(b.url).hostname).not.toBe('portal-b.example');
  });
});

describe('a one-time set-password link', () => {
  it('sets the password once when two tabs post it at the same moment: one is saved, the other is told the link was used', async () => {
    await newContact('grace@acme.example', 'Grace Hopper');
    const link = (await env.latestLink('grace@acme.example'))!;
    // Two tabs (two browsers, so each has its own form token) open the link, then both submit.
    const [t1, t2] = [env.browser(), env.browser()];
    await Promise.all([t1.get(link), t2.get(link)]);
    await Promise.all([t1.submit({ password: 'first tab kettle lamp', confirm: 'first tab kettle lamp' }), t2.submit({ password: 'second tab kettle lamp', confirm: 'second tab kettle lamp' })]);
    const saved = [t1, t2].filter((t) => t.text().includes('Your password is saved'));
    const refused = [t1, t2].filter((t) => t.status === 410);
    expect(saved).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.text()).toContain('This link was already used');
    // The password of the tab that was told "saved" is the one that works.
    const winner = saved[0] === t1 ? 'first tab kettle lamp' : 'second tab kettle lamp';
    const loser = saved[0] === t1 ? 'second tab kettle lamp' : 'first tab kettle lamp';
    for (const [password, works] of [[loser, false], [winner, true]] as const) {
      const b = env.browser();
      await b.get(env.sandbox.portal.portalUrl(env.P));
      await b.submit({ email: 'grace@acme.example', password });
      expect(b.text().includes('Signed in as Grace Hopper'), password).toBe(works);
    }
  });
});

describe('signing in with an address that has no account', () => {
  it('costs the same argon2id check as a wrong password for a real account, so the time taken does not tell who has one', async () => {
    const verify = vi.spyOn(PasswordHasher.prototype, 'verify');
    const attempt = async (email: string) => {
      verify.mockClear();
      const b = env.browser();
      await b.get(env.sandbox.portal.portalUrl(env.P));
      await b.submit({ email, password: 'not the right password' });
      expect(b.status).toBe(401);
      expect(b.text()).toContain('The email address or password is not right');
      return verify.mock.calls.map(([stored]) => /^\$argon2id\$v=19\$(m=\d+,t=\d+,p=\d+)\$/.exec(stored)?.[1]);
    };
    const known = await attempt('ada@acme.example');
    const unknown = await attempt('nobody-here@acme.example');
    expect(known).toEqual(['m=19456,t=2,p=1']);
    expect(unknown).toEqual(known);
  });
});

describe('the portal\'s forms', () => {
  it('refuse a post without the form\'s token, or with another browser\'s, and change nothing (set password, sign in, forgot password)', async () => {
    await newContact('hedy@acme.example', 'Hedy Lamarr');
    const link = (await env.latestLink('hedy@acme.example'))!;
    const mine = env.browser();
    const theirs = env.browser();
    await mine.get(link);
    await theirs.get(link);
    const theirToken = /name="_csrf" value="([^"]+)"/.exec(theirs.html)![1]!;
    const action = new URL(/<form[^>]*action="([^"]*)"/.exec(mine.html)![1]!.replace(/&amp;/g, '&'), link).href;
    for (const form of [{ password: 'attacker chosen pw 1', confirm: 'attacker chosen pw 1' }, { password: 'attacker chosen pw 1', confirm: 'attacker chosen pw 1', _csrf: theirToken }] as Record<string, string>[]) {
      await mine.request('POST', action, form);
      expect(mine.status).toBe(403);
      expect(mine.text()).toContain('This form has expired. Reload the page and try again.');
    }
    const hedy = env.sandbox.account(env.P).objects.contacts!.all().find((c) => c.properties.email === 'hedy@acme.example')!;
    expect((await env.app.portal.accounts.get(env.P, hedy.id))!.passwordHash).toBeUndefined();
    // The link still works for the customer's own form.
    await mine.get(link);
    await mine.submit({ password: 'hedy kettle lamp piano', confirm: 'hedy kettle lamp piano' });
    expect(mine.text()).toContain('Your password is saved');

    // Sign in and forgot password: the same.
    const b = env.browser();
    await b.get(env.sandbox.portal.portalUrl(env.P));
    const signIn = new URL(/<form[^>]*action="([^"]*)"/.exec(b.html)![1]!, b.url).href;
    await b.request('POST', signIn, { email: 'ada@acme.example', password: PASSWORD });
    expect(b.status).toBe(403);
    await b.get(`${env.base}/portal/${env.P}/forgot`);
    const mailsBefore = (await env.app.email.outbox.mailbox(env.P)).length;
    await b.request('POST', `${env.base}/portal/${env.P}/forgot`, { email: 'ada@acme.example' });
    expect(b.status).toBe(403);
    await env.settle();
    expect((await env.app.email.outbox.mailbox(env.P)).length).toBe(mailsBefore);
    expect(adaId).toBeTruthy();
  });

  it('refuse a sign-in code request and a code without the form\'s token, and a code field longer than 12 characters is cut before it is checked', async () => {
    const current = await env.app.settings.read(env.P);
    await env.app.settings.save(env.P, { ...current.settings, portal: { ...current.settings.portal, emailCode: true } }, current.version, 'admin');
    const b = env.browser();
    await b.get(env.sandbox.portal.portalUrl(env.P));
    const code = new URL(/<a href="([^"]*\/code)"/.exec(b.html)![1]!, b.url).href;
    await b.get(code);
    const mailsBefore = (await env.app.email.outbox.mailbox(env.P)).length;
    await b.request('POST', code, { email: 'ada@acme.example' });
    expect(b.status).toBe(403);
    await env.settle();
    expect((await env.app.email.outbox.mailbox(env.P)).length).toBe(mailsBefore);
    await b.get(code);
    await b.submit({ email: 'ada@acme.example' });
    await env.settle();
    const sent = /\b(\d{6})\b/.exec((await env.app.email.outbox.mailbox(env.P)).find((m) => m.template === 'portal-sign-in-code')!.text)![1]!;
    const verify = `${code}/verify`;
    await b.request('POST', verify, { code: sent });
    expect(b.status).toBe(403);
    // The right code with a long tail: read as its first 12 characters, so it is not the code (one try spent, 4 left).
    await b.get(code);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(b.html)![1]!;
    await b.request('POST', verify, { _csrf: csrf, code: `${sent}${'9'.repeat(10_000)}` });
    expect(b.status).toBe(401);
    expect(b.text()).toContain('4 tries left');
    await b.submit({ code: sent });
    expect(b.text()).toContain('Signed in as Ada Lovelace');
  });
});
