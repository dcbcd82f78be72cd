import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKeys, testRedis } from '../support/redis.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';

/**
 * The discovery document as OpenID Connect Discovery 1.0 defines it, read by two relying-party
 * libraries (oauth4webapi and openid-client, both panva's but separate code paths for discovery
 * and token handling), and every value it lists tried for real: what it says a client can use works,
 * what it leaves out is refused.
 */
let env: PortalEnv;
let as: oauth.AuthorizationServer;
const PASSWORD = 'correct horse battery staple';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

beforeAll(async () => {
  env = await startPortalEnv();
  env.sandbox.inboundEmail(env.P, { from: 'ada@acme.example', name: 'Ada Lovelace', subject: 'Help', text: 'Hi' });
  await env.settle();
  const b = env.browser();
  await b.get((await env.latestLink('ada@acme.example'))!);
  await b.submit({ password: PASSWORD, confirm: PASSWORD });
  const issuer = new URL(env.app.portal.issuer);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
});
afterAll(async () => { await env.stop(); });

/** Runs the authorization request in a browser that signs Ada in (if its session has not), and returns the callback's parameters. */
async function authorize(params: Record<string, string>, b = env.browser()) {
  const url = new URL(as.authorization_endpoint!);
  for (const [k, v] of Object.entries({ client_id: env.client.clientId, redirect_uri: env.sandbox.portal.redirectUri(env.P), response_type: 'code', scope: 'openid', ...params })) url.searchParams.set(k, v);
  b.stopAt = (u) => u.href.startsWith(env.sandbox.portal.redirectUri(env.P));
  await b.get(url.href);
  if (!b.url.startsWith(env.sandbox.portal.redirectUri(env.P))) await b.submit({ email: 'ada@acme.example', password: PASSWORD });
  return new URL(b.url);
}

describe('the discovery document (OpenID Connect Discovery 1.0, section 3)', () => {
  it('has every REQUIRED member with the right type, and the issuer it is published under', () => {
    expect(as.issuer).toBe(env.app.portal.issuer);
    for (const member of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint']) expect(typeof (as as Record<string, unknown>)[member], member).toBe('string');
    for (const member of ['response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported', 'scopes_supported', 'claims_supported']) {
      expect(Array.isArray((as as Record<string, unknown>)[member]), member).toBe(true);
    }
    // "The server MUST support the openid scope value"; RS256 "MUST be included".
    expect(as.scopes_supported).toContain('openid');
    expect(as.id_token_signing_alg_values_supported).toContain('RS256');
  });

  it('lists exactly what a client can use: the code flow with PKCE (S256), the client secret in the header or the body, no refresh tokens, no "none"', () => {
    expect(as.grant_types_supported).toEqual(['authorization_code']);
    expect(as.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(as.response_types_supported).toEqual(['code']);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.scopes_supported).toEqual(['openid', 'email', 'profile']);
    expect(as.token_endpoint_auth_signing_alg_values_supported).toBeUndefined();
    expect(as.pushed_authorization_request_endpoint).toBeUndefined();
    expect(as.dpop_signing_alg_values_supported).toBeUndefined();
    // The claims are the customer's address (verified), name and language, beside the protocol's own.
    expect(as.claims_supported).toEqual(['sub', 'email', 'email_verified', 'name', 'locale', 'sid', 'auth_time', 'iss']);
    expect(as.id_token_signing_alg_values_supported).toEqual(['RS256']);
    // Userinfo, revocation and sign-out are there; nothing else is advertised.
    expect(as.userinfo_endpoint).toBe(`${env.app.portal.issuer}/me`);
    expect(as.revocation_endpoint).toBe(`${env.app.portal.issuer}/token/revocation`);
    expect(as.end_session_endpoint).toBe(`${env.app.portal.issuer}/session/end`);
    expect(Object.keys(as).filter((k) => k.endsWith('_endpoint')).sort()).toEqual(['authorization_endpoint', 'end_session_endpoint', 'revocation_endpoint', 'token_endpoint', 'userinfo_endpoint']);
  });

  it('reads the same in openid-client, which signs in with client_secret_post (its default)', async () => {
    const config = await oidc.discovery(new URL(env.app.portal.issuer), env.client.clientId, env.client.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    expect(config.serverMetadata()).toMatchObject({ issuer: as.issuer, token_endpoint: as.token_endpoint, grant_types_supported: ['authorization_code'] });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const callback = await authorize({ state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()?.iss).toBe(as.issuer);
  });
});

describe('what it lists works, with oauth4webapi as the relying party', () => {
  it('signs in with the code flow, PKCE, client_secret_basic and a nonce; the ID token has every listed claim Ada has; userinfo and revocation answer', async () => {
    const client: oauth.Client = { client_id: env.client.clientId };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const callback = await authorize({ scope: 'openid email profile', state, nonce, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const auth = oauth.ClientSecretBasic(env.client.clientSecret);
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, env.sandbox.portal.redirectUri(env.P), verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(claims).toMatchObject({ iss: as.issuer, aud: env.client.clientId, email: 'ada@acme.example', email_verified: true, name: 'Ada Lovelace', nonce });
    for (const claim of Object.keys(claims).filter((c) => as.claims_supported!.includes(c))) expect(claims[claim]).toBeDefined();
    expect(tokens.refresh_token).toBeUndefined();
    // An hour for the ID token and the access token; the code itself lived a minute at most.
    expect(claims.exp - claims.iat).toBe(3600);
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    // The customer's session and the portal's grant last a working day in Redis (any web process continues them).
    const redis = testRedis();
    try {
      for (const model of ['Session', 'Grant']) {
        const ttls = await Promise.all((await testKeys(`app:oidc:${model}:*`)).map((k) => redis.ttl(k)));
        expect(Math.max(...ttls), model).toBeGreaterThan(8 * 3600 - 120);
        expect(Math.max(...ttls), model).toBeLessThanOrEqual(8 * 3600);
      }
    } finally { await redis.quit(); }
    const info = await oauth.processUserInfoResponse(as, client, claims.sub, await oauth.userInfoRequest(as, client, tokens.access_token, insecure));
    expect(info.email).toBe('ada@acme.example');
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, tokens.access_token, insecure));
    const after = await oauth.userInfoRequest(as, client, tokens.access_token, insecure);
    expect(after.status).toBe(401);
  });
});

describe('a sign-in whatever HubSpot\'s portal sends (it does not document whether it sends PKCE)', () => {
  it('signs a confidential client in without PKCE, state and nonce honoured, with oauth4webapi and with openid-client', async () => {
    // oauth4webapi: no code_challenge, no verifier.
    const client: oauth.Client = { client_id: env.client.clientId };
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const callback = await authorize({ scope: 'openid email', state, nonce });
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(env.client.clientSecret), params, env.sandbox.portal.redirectUri(env.P), oauth.nopkce, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ email: 'ada@acme.example', nonce });
    // A wrong state is still refused by the relying party, a code is still single use.
    expect(() => oauth.validateAuthResponse(as, client, callback, 'another-state')).toThrow();
    // openid-client: the same, its own code path.
    const config = await oidc.discovery(new URL(as.issuer), env.client.clientId, env.client.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    const state2 = oidc.randomState();
    const nonce2 = oidc.randomNonce();
    const second = await authorize({ scope: 'openid email', state: state2, nonce: nonce2 });
    const tokens2 = await oidc.authorizationCodeGrant(config, second, { expectedState: state2, expectedNonce: nonce2 });
    expect(tokens2.claims()).toMatchObject({ email: 'ada@acme.example', nonce: nonce2 });
  });

  it('still checks PKCE when it is sent (a wrong verifier is refused), and refuses a request without it once the admin requires it', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const callback = await authorize({ state: 'st-pkce-1', code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const client: oauth.Client = { client_id: env.client.clientId };
    const params = oauth.validateAuthResponse(as, client, callback, 'st-pkce-1');
    const wrong = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(env.client.clientSecret), params, env.sandbox.portal.redirectUri(env.P), oauth.generateRandomCodeVerifier(), insecure);
    expect(wrong.status).toBe(400);
    await env.app.portal.clients.save(env.P, [env.sandbox.portal.redirectUri(env.P)], false, 'required');
    try {
      const b = env.browser();
      b.stopAt = (u) => u.href.startsWith(env.sandbox.portal.redirectUri(env.P));
      await b.get(`${as.authorization_endpoint}?${new URLSearchParams({ client_id: env.client.clientId, redirect_uri: env.sandbox.portal.redirectUri(env.P), response_type: 'code', scope: 'openid', state: 'st-pkce-2' })}`);
      expect(new URL(b.url).searchParams.get('error')).toBe('invalid_request');
      expect(new URL(b.url).searchParams.get('error_description')).toMatch(/PKCE/);
    } finally {
      await env.app.portal.clients.save(env.P, [env.sandbox.portal.redirectUri(env.P)], false, 'when-sent');
    }
  });
});

describe('RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), with both relying-party libraries', () => {
  /** Signs Ada in through the browser `b` with oauth4webapi and returns her ID token. */
  async function signedIn(b: ReturnType<PortalEnv['browser']>) {
    const client: oauth.Client = { client_id: env.client.clientId };
    const state = oauth.generateRandomState();
    const callback = await authorize({ state, scope: 'openid email' }, b);
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(env.client.clientSecret), params, env.sandbox.portal.redirectUri(env.P), oauth.nopkce, insecure);
    return (await oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: true })).id_token!;
  }
  /** After a sign-out, an authorization request in the same browser shows the sign-in page again. */
  async function asksForPassword(b: ReturnType<PortalEnv['browser']>) {
    const url = new URL(as.authorization_endpoint!);
    for (const [k, v] of Object.entries({ client_id: env.client.clientId, redirect_uri: env.sandbox.portal.redirectUri(env.P), response_type: 'code', scope: 'openid', state: 'again-12345' })) url.searchParams.set(k, v);
    b.stopAt = (u) => u.href.startsWith(env.sandbox.portal.redirectUri(env.P));
    await b.get(url.href);
    return !b.url.startsWith(env.sandbox.portal.redirectUri(env.P)) && /<input[^>]+name="password"/.test(b.html);
  }
  const postLogout = () => `${new URL(env.sandbox.portal.redirectUri(env.P)).origin}/`;

  it('oauth4webapi: the end_session_endpoint it discovered asks, signs Ada out, and returns to the registered post_logout_redirect_uri with the state', async () => {
    const b = env.browser();
    const idToken = await signedIn(b);
    expect(await asksForPassword(b)).toBe(false); // the provider's session holds until the sign-out
    await signedIn(b);
    const end = new URL(as.end_session_endpoint!);
    end.search = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: postLogout(), state: 'bye-4242' }).toString();
    b.stopAt = (u) => u.href.startsWith(postLogout());
    await b.get(end.href);
    expect(b.text()).toMatch(/sign out/i);
    await b.submit({ logout: 'yes' });
    expect(new URL(b.url).searchParams.get('state')).toBe('bye-4242');
    expect(b.url.startsWith(postLogout())).toBe(true);
    expect(await asksForPassword(b)).toBe(true);
  });

  it('openid-client: buildEndSessionUrl does the same; a post_logout_redirect_uri nobody registered is refused and the session stays', async () => {
    const config = await oidc.discovery(new URL(as.issuer), env.client.clientId, env.client.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    const b = env.browser();
    const idToken = await signedIn(b);
    const refused = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: 'https://attacker.example/' });
    b.stopAt = (u) => !u.href.startsWith(as.issuer);
    await b.get(refused.href);
    expect(b.status).toBe(400);
    expect(b.url.startsWith('https://attacker.example')).toBe(false);
    expect(await asksForPassword(b)).toBe(false);
    await signedIn(b);
    const end = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: postLogout(), state: 'bye-again' });
    b.stopAt = (u) => u.href.startsWith(postLogout());
    await b.get(end.href);
    await b.submit({ logout: 'yes' });
    expect(new URL(b.url).searchParams.get('state')).toBe('bye-again');
    expect(await asksForPassword(b)).toBe(true);
  });
});

describe('what it leaves out is refused', () => {
  const tokenRequest = (body: Record<string, string>, basic = true) => fetch(as.token_endpoint!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(basic ? { authorization: `Basic ${Buffer.from(`${encodeURIComponent(env.client.clientId)}:${encodeURIComponent(env.client.clientSecret)}`).toString('base64')}` } : {}) },
    body: new URLSearchParams(body),
  });

  it('the refresh_token grant', async () => {
    const res = await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'x'.repeat(43) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('a token request without client authentication ("none"), even with a valid code and verifier', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const callback = await authorize({ state: 'st-' + verifier.slice(0, 10), code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const res = await tokenRequest({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: env.sandbox.portal.redirectUri(env.P), code_verifier: verifier, client_id: env.client.clientId }, false);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('a response type other than code, and the plain PKCE method', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    for (const params of [{ response_type: 'id_token', nonce: 'n-123456789' }, { code_challenge_method: 'plain', code_challenge: verifier }]) {
      const b = env.browser();
      b.stopAt = (u) => u.href.startsWith(env.sandbox.portal.redirectUri(env.P));
      const url = new URL(as.authorization_endpoint!);
      for (const [k, v] of Object.entries({ client_id: env.client.clientId, redirect_uri: env.sandbox.portal.redirectUri(env.P), response_type: 'code', scope: 'openid', state: 'state-123456', code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params })) url.searchParams.set(k, v);
      await b.get(url.href);
      const error = new URL(b.url).searchParams.get('error') ?? new URLSearchParams(new URL(b.url).hash.slice(1)).get('error');
      expect(error, b.url).toMatch(/^(unsupported_response_type|invalid_request)$/);
    }
  });
});
