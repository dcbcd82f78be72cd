import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { HttpBrowser } from '../../src/sandbox/http-browser.js';
import { SIGN_IN_LIMITS } from '../../src/portal/sign-in-limiter.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { testKeys, testRedis } from '../support/redis.js';
import { holdsSecret } from '../support/test-log.js';

/**
 * Sign-in without a password: a one-time code by email (6 digits, 10 minutes, 5 tries, single use,
 * bound to the browser and the sign-in that asked for it), inside the same OpenID Connect
 * interaction, so the portal gets the same ID token as after a password.
 */
let env: PortalEnv;
const PASSWORD = 'correct horse battery staple';
let adaId: string;
let redis: Redis;
/** Every line the app logs, kept (the suite's own logger drops them after its check). */
const lines: string[] = [];
beforeAll(async () => {
  redis = testRedis();
  env = await startPortalEnv({ runtime: { signInLimits: { ...SIGN_IN_LIMITS, codePerAddress: { points: 20, duration: 3600 } }, log: createLogger('trace', new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } })) } });
  const { sandbox, P } = env;
  sandbox.inboundEmail(P, { from: 'ada@acme.example', name: 'Ada Lovelace', subject: 'Help', text: 'Hi' });
  await env.settle();
  adaId = sandbox.account(P).objects.contacts!.all().find((c) => c.properties.email === 'ada@acme.example')!.id;
  const b = env.browser();
  await b.get((await env.latestLink('ada@acme.example'))!);
  await b.submit({ password: PASSWORD, confirm: PASSWORD });
  expect(b.text()).toContain('Your password is saved');
});
afterAll(async () => { await env.stop(); await redis.quit(); });

const setEmailCode = async (on: boolean) => {
  const current = await env.app.settings.read(env.P);
  // Many codes to one customer in this file's hour: the per-recipient email cap (5 by default) raised.
  await env.app.settings.save(env.P, { ...current.settings, portal: { ...current.settings.portal, emailCode: on }, email: { ...current.settings.email, maxPerRecipientPerHour: 50 } }, current.version, 'admin');
};
const codeMails = async (email: string) => (await env.app.email.outbox.mailbox(env.P)).filter((m) => m.to === email && m.template === 'portal-sign-in-code');
/** The code of the newest sign-in code email to this address (the mailbox lists the newest first). */
const latestCode = async (email: string) => /\b(\d{6})\b/.exec((await codeMails(email))[0]?.text ?? '')?.[1];
const csrfOf = (b: HttpBrowser) => /name="_csrf" value="([^"]+)"/.exec(b.html)?.[1] ?? '';

/** Starts a sign-in at the sandbox portal and follows the sign-in page's "code by email" link. */
async function codePage(b: HttpBrowser = env.browser()) {
  await b.get(`${env.sandbox.portal.portalUrl(env.P)}login`);
  const link = /<a href="([^"]*\/code)"/.exec(b.html)?.[1];
  expect(link, 'the sign-in page links to "sign in with a code"').toBeDefined();
  await b.get(new URL(link!, b.url).href);
  return b;
}
async function askForCode(email: string, b?: HttpBrowser) {
  const page = await codePage(b);
  await page.submit({ email });
  await env.settle();
  return page;
}

describe('sign-in with a code by email', () => {
  it('is off by default: the sign-in page offers no code, and the code page answers with the sign-in page', async () => {
    const b = env.browser();
    await b.get(`${env.sandbox.portal.portalUrl(env.P)}login`);
    expect(b.text()).toContain('Sign in');
    expect(b.html).not.toMatch(/\/code"/);
    const uid = /\/portal\/interaction\/([\w-]+)/.exec(b.url)![1];
    await b.get(`${env.base}/portal/interaction/${uid}/code`);
    expect(b.status).toBe(404);
    expect(b.html).toContain('name="password"');
  });

  it('signs a customer in with the emailed code, into the portal, with the same ID token claims as a password', async () => {
    await setEmailCode(true);
    const b = await askForCode('ADA@acme.example');
    expect(b.status).toBe(200);
    expect(b.text()).toContain('If ada@acme.example has a portal account, a 6-digit code is on its way. It works once, for 10 minutes, in this browser only.');
    const [mail] = await codeMails('ada@acme.example');
    expect(mail!.subject).toBe('Your sign-in code for our customer portal');
    const code = await latestCode('ada@acme.example');
    expect(code).toMatch(/^\d{6}$/);
    await b.submit({ code: `${code!.slice(0, 3)} ${code!.slice(3)}` });
    expect(b.url).toBe(env.sandbox.portal.portalUrl(env.P));
    expect(b.text()).toContain('Signed in as Ada Lovelace (ada@acme.example)');
    // The contact's timeline copy of the email has no code in it.
    const notes = JSON.stringify(env.sandbox.account(env.P).objects.emails?.all() ?? []);
    expect(notes).not.toContain(code!);
  });

  it('through a relying-party library: the authorization code grant after a code sign-in gives sub and email of the contact', async () => {
    const config = await oidc.discovery(new URL(env.app.portal.issuer), env.client.clientId, env.client.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    const redirectUri = env.sandbox.portal.redirectUri(env.P);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid email profile', state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', prompt: 'login' });
    const b = env.browser();
    b.stopAt = (u) => u.href.startsWith(redirectUri);
    await b.get(url.href);
    const link = /<a href="([^"]*\/code)"/.exec(b.html)![1]!;
    await b.get(new URL(link, b.url).href);
    await b.submit({ email: 'ada@acme.example' });
    await env.settle();
    await b.submit({ code: (await latestCode('ada@acme.example'))! });
    expect(b.url.startsWith(redirectUri)).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(b.url), { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()).toMatchObject({ sub: `${env.P}-${adaId}`, email: 'ada@acme.example', email_verified: true, name: 'Ada Lovelace' });
  });

  it('works once: two tabs posting the right code at once sign in once; typed again afterwards it finds nothing', async () => {
    const b = await askForCode('ada@acme.example');
    const code = (await latestCode('ada@acme.example'))!;
    const verify = b.url.replace(/\/code$/, '/code/verify');
    // A second tab of the same browser: the same cookies, the same form.
    const tab = env.browser().copyCookies(b, verify);
    const csrf = csrfOf(b);
    await Promise.all([b.request('POST', verify, { _csrf: csrf, code }), tab.request('POST', verify, { _csrf: csrf, code })]);
    const signedIn = [b, tab].filter((x) => x.text().includes('Signed in as Ada Lovelace'));
    expect(signedIn).toHaveLength(1);
    const other = signedIn[0] === b ? tab : b;
    expect(other.status).toBe(410);
    expect(other.text()).toContain('This code has expired or was already used, or it was asked for in another browser.');
    await other.request('POST', verify, { _csrf: csrf, code });
    expect(other.status).toBeGreaterThanOrEqual(400);
    expect(other.text()).not.toContain('Signed in as');
  });

  it('is bound to the browser that asked: the right code typed in another browser, in the same sign-in, finds nothing', async () => {
    const asker = await askForCode('ada@acme.example');
    const code = (await latestCode('ada@acme.example'))!;
    // Another browser holding the same sign-in's cookies, but its own browser id (the code's email forwarded, say).
    const other = env.browser().copyCookies(asker, asker.url, ['pa_bid', 'pa.csrf']);
    await other.get(asker.url);
    expect(other.status).toBe(200);
    await other.request('POST', asker.url.replace(/\/code$/, '/code/verify'), { _csrf: csrfOf(other), code });
    expect(other.status).toBe(410);
    expect(other.text()).not.toContain('Signed in as');
    // The asker's own browser still signs in with it.
    await asker.submit({ code });
    expect(asker.text()).toContain('Signed in as Ada Lovelace');
  });

  it('takes five tries: a wrong code says how many are left, and after the fifth the right one no longer works', async () => {
    const b = await askForCode('ada@acme.example');
    const code = (await latestCode('ada@acme.example'))!;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const left: string[] = [];
    for (let i = 0; i < 4; i++) {
      await b.submit({ code: wrong });
      expect(b.status).toBe(401);
      left.push(/(\d) tries left/.exec(b.text())?.[1] ?? '');
    }
    expect(left).toEqual(['4', '3', '2', '1']);
    await b.submit({ code: wrong });
    expect(b.status).toBe(429);
    expect(b.text()).toContain('Too many wrong codes: this code no longer works. Ask for a new one.');
    await b.request('POST', b.url.replace(/\/code\/verify$/, '/code/verify'), { _csrf: csrfOf(b) || '', code });
    expect(b.text()).not.toContain('Signed in as');
  });

  it('expires after 10 minutes', async () => {
    const b = await askForCode('ada@acme.example');
    const code = (await latestCode('ada@acme.example'))!;
    const keys = await testKeys(`portal:{${env.P}}:sign-in-code:*`);
    expect(keys.length).toBeGreaterThan(0);
    const ttls = await Promise.all(keys.map((k) => redis.ttl(k)));
    expect(Math.max(...ttls)).toBeLessThanOrEqual(600);
    expect(Math.min(...ttls)).toBeGreaterThan(590);
    // Ten minutes on, as Redis sees it.
    await Promise.all(keys.map((k) => redis.expire(k, 0)));
    await b.submit({ code });
    expect(b.status).toBe(410);
    expect(b.text()).not.toContain('Signed in as');
  });

  it('answers an address without an account like one with, and emails it nothing; a disabled account gets nothing either', async () => {
    const before = (await env.app.email.outbox.mailbox(env.P)).length;
    const stranger = await askForCode('nobody@acme.example');
    expect(stranger.status).toBe(200);
    expect(stranger.text()).toContain('If nobody@acme.example has a portal account, a 6-digit code is on its way.');
    const account = (await env.app.portal.accounts.get(env.P, adaId))!;
    await env.app.portal.accounts.save({ ...account, state: 'disabled' });
    const disabled = await askForCode('ada@acme.example');
    expect(disabled.status).toBe(200);
    expect((await env.app.email.outbox.mailbox(env.P)).length).toBe(before);
    await env.app.portal.accounts.save({ ...account, state: 'active' });
  });

  it('limits code requests per address (20 an hour here, 5 by default): the next gets a 429 with the wait, and no email', async () => {
    for (let i = 0; i < 20; i++) expect((await askForCode('grace@acme.example')).status).toBe(200);
    const over = await askForCode('grace@acme.example');
    expect(over.status).toBe(429);
    expect(over.text()).toMatch(/Too many sign-in attempts\. Wait 60 minutes/);
    expect(over.html).toContain('aria-invalid="true"');
  });

  it('keeps the code nowhere but the email: no log line and no Redis value holds it (only its HMAC)', async () => {
    await askForCode('ada@acme.example');
    const code = (await latestCode('ada@acme.example'))!;
    const holdsCode = (v: string) => new RegExp(`(^|\\D)${code}(\\D|$)`).test(v);
    expect(lines.filter((l) => holdsCode(l) || holdsSecret(l))).toEqual([]);
    expect(lines.some((l) => l.includes('"method":"code"'))).toBe(true);
    const values: string[] = [];
    for (const key of await testKeys('*')) {
      // The outbox's mailbox stands in for the customer's inbox: the email itself.
      if (key.endsWith(':outbox-mailbox')) continue;
      const type = await redis.type(key);
      if (type === 'string') values.push((await redis.get(key)) ?? '');
      else if (type === 'list') values.push(...await redis.lrange(key, 0, -1));
      else if (type === 'hash') values.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'zset') values.push(...await redis.zrange(key, '0', '-1'));
      else if (type === 'set') values.push(...await redis.smembers(key));
    }
    expect(values.length).toBeGreaterThan(10);
    expect(values.filter(holdsCode)).toEqual([]);
  });
});
