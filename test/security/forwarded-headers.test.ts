import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_LIMITS } from '../../src/portal/sign-in-limiter.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { rawGet } from '../support/raw-http.js';
import { startTestApp } from '../support/test-app.js';

// Small budgets so a test spends them in a few requests; the rule under test is whose address counts.
const limits = { ...SIGN_IN_LIMITS, perIp: { points: 6, duration: 900 }, forgotPerIp: { points: 4, duration: 900 }, registerPerIp: { points: 3, duration: 900 } };
let n = 0;
const nextAddress = () => `203.0.113.${(n += 1) % 250}`;

/** Opens the sign-in page as HubSpot's portal would send a customer there, and returns the browser on it. */
async function onSignInPage(env: PortalEnv) {
  const b = env.browser();
  await b.get(env.sandbox.portal.portalUrl(env.P));
  expect(b.url).toContain('/portal/interaction/');
  return b;
}

/** Posts an email-only portal form `n` times from one socket, each time with another X-Forwarded-For; the statuses. */
async function postsWithRotatingForwardedFor(env: PortalEnv, page: 'forgot' | 'register', n: number) {
  const b = env.browser();
  await b.get(`${env.base}/portal/${env.P}/${page}`);
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    b.headers = { 'x-forwarded-for': nextAddress() };
    await b.submit({ email: `${page}-${i}@acme.example` });
    statuses.push(b.status);
    await b.get(`${env.base}/portal/${env.P}/${page}`);
  }
  return statuses;
}

describe('a client that reaches the app directly (TRUST_PROXY unset)', () => {
  let env: PortalEnv;
  beforeAll(async () => { env = await startPortalEnv({ runtime: { signInLimits: limits } }); });
  afterAll(async () => { await env.stop(); });

  it('is limited by its socket address at sign-in, whatever X-Forwarded-For it sends', async () => {
    const b = await onSignInPage(env);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      b.headers = { 'x-forwarded-for': nextAddress() };
      // Another address each time, so the per-account budget is not what stops it.
      await b.submit({ email: `nobody${i}@acme.example`, password: 'not the password at all' });
      statuses.push(b.status);
    }
    expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    expect(b.text()).toContain('Too many sign-in attempts');
  });

  it('is limited by its socket address when asking for password resets, and no reset is queued past the limit', async () => {
    expect(await postsWithRotatingForwardedFor(env, 'forgot', 6)).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('is limited by its socket address when asking for access (self-registration), whatever X-Forwarded-For it sends', async () => {
    const current = await env.app.settings.read(env.P);
    await env.app.settings.save(env.P, { ...current.settings, portal: { ...current.settings.portal, selfRegistration: true } }, current.version, 'admin');
    expect(await postsWithRotatingForwardedFor(env, 'register', 5)).toEqual([200, 200, 200, 429, 429]);
  });
});

describe('behind a proxy the operator names (TRUST_PROXY)', () => {
  let env: PortalEnv;
  beforeAll(async () => { env = await startPortalEnv({ env: { TRUST_PROXY: 'loopback' }, runtime: { signInLimits: limits } }); });
  afterAll(async () => { await env.stop(); });

  it('counts the client address the proxy reports: one client is limited, another behind the same proxy is not', async () => {
    const b = env.browser();
    b.headers = { 'x-forwarded-for': '198.51.100.7' };
    await b.get(`${env.base}/portal/${env.P}/forgot`);
    const first: number[] = [];
    for (let i = 0; i < 5; i++) {
      await b.submit({ email: `a${i}@acme.example` });
      first.push(b.status);
      await b.get(`${env.base}/portal/${env.P}/forgot`);
    }
    expect(first).toEqual([200, 200, 200, 200, 429]);
    b.headers = { 'x-forwarded-for': '198.51.100.8' };
    await b.submit({ email: 'b@acme.example' });
    expect(b.status).toBe(200);
  });

  it('takes the address the proxy appended, not one the client put in front of it', async () => {
    const b = env.browser();
    await b.get(`${env.base}/portal/${env.P}/forgot`);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // The client's own X-Forwarded-For, with the proxy's entry (the client's real address) appended.
      b.headers = { 'x-forwarded-for': `${nextAddress()}, 198.51.100.9` };
      await b.submit({ email: `c${i}@acme.example` });
      statuses.push(b.status);
      await b.get(`${env.base}/portal/${env.P}/forgot`);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});

describe('OAuth install starts', () => {
  it('are limited per socket address, whatever X-Forwarded-For says (20 a minute)', async () => {
    const app = await startTestApp({ HUBSPOT_ACCESS_TOKEN: '', HUBSPOT_CLIENT_ID: 'client-id-1', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32) });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++) {
        const res = await fetch(`${app.url}/oauth/install`, { redirect: 'manual', headers: { 'x-forwarded-for': nextAddress() } });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
      expect(statuses.filter((s) => s === 302)).toHaveLength(20);
      expect(statuses.slice(20)).toEqual([429, 429]);
    } finally { await app.stop(); }
  });
});

describe('what the OpenID Connect provider publishes and where it redirects (PUBLIC_BASE_URL https://autopilot.test)', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let clientId = '';
  // Behind a proxy the operator trusts, so its forwarded headers are read at all.
  beforeAll(async () => {
    app = await startTestApp({ TRUST_PROXY: 'loopback' });
    clientId = (await app.portal.clients.save(4242, ['https://portal.example/sso/callback'])).clientId;
  });
  afterAll(async () => { await app.stop(); });

  const attacks: [string, Record<string, string>][] = [
    ['a Host header', { host: 'evil.example' }],
    ['an X-Forwarded-Host header', { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' }],
    ['a Forwarded header', { forwarded: 'host=evil.example;proto=http' }],
  ];

  it.each(attacks)('lists only PUBLIC_BASE_URL endpoints in discovery, whatever %s says', async (_what, headers) => {
    const res = await rawGet(`${app.url}/oidc/.well-known/openid-configuration`, headers);
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.body) as Record<string, unknown>;
    const urls = Object.entries(doc).filter(([, v]) => typeof v === 'string' && /^https?:/.test(v)) as [string, string][];
    expect(urls.map(([k]) => k)).toEqual(expect.arrayContaining(['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'end_session_endpoint', 'userinfo_endpoint']));
    for (const [, url] of urls) expect(url).toMatch(/^https:\/\/autopilot\.test\/oidc(\/|$)/);
  });

  it.each(attacks)('sends the customer to its sign-in page on PUBLIC_BASE_URL, whatever %s says', async (_what, headers) => {
    const auth = new URL(`${app.url}/oidc/auth`);
    for (const [k, v] of Object.entries({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: 'https://portal.example/sso/callback', state: 's'.repeat(20), code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })) auth.searchParams.set(k, v);
    const res = await rawGet(auth.href, headers);
    expect(res.status).toBe(303);
    expect(String(res.headers.location)).toMatch(/^https:\/\/autopilot\.test\/portal\/interaction\/[\w-]+$/);
  });
});
