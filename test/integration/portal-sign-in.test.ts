import * as oidc from 'openid-client';
import { PasswordHasher } from '../../src/portal/password-hasher.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';

let env: PortalEnv;
beforeAll(async () => { env = await startPortalEnv(); });
afterAll(async () => { await env.stop(); });

describe('customer portal sign-in through the app (browserless)', () => {
  it('a new inbound sender gets access and a link, sets a password and signs in to the portal, which shows their tickets', async () => {
    const { sandbox, P } = env;
    sandbox.inboundEmail(P, { from: 'ada@acme.example', name: 'Ada Lovelace', subject: 'Help', text: 'Hi' });
    await env.settle();
    const ada = sandbox.account(P).objects.contacts!.all().find((c) => c.properties.email === 'ada@acme.example')!;
    sandbox.createTicket(P, { subject: 'Printer on fire' }, ada.id);
    await env.settle();
    const link = await env.latestLink('ada@acme.example');
    expect(link).toBeDefined();

    const b = env.browser();
    await b.get(link!);
    expect(b.status).toBe(200);
    expect(b.text()).toContain('Choose the password for ada@acme.example');
    await b.submit({ password: 'correct horse battery staple', confirm: 'correct horse battery staple' });
    expect(b.text()).toContain('Your password is saved');

    await b.get(sandbox.portal.portalUrl(P));
    expect(b.url).toContain('/portal/interaction/');
    await b.submit({ email: 'ada@acme.example', password: 'correct horse battery staple' });
    expect(b.url).toBe(sandbox.portal.portalUrl(P));
    expect(b.text()).toContain('Signed in as Ada Lovelace (ada@acme.example)');
    expect(b.text()).toContain('Your tickets (1)');
  });
});

describe('the OpenID Connect provider, as a relying party sees it (openid-client)', () => {
  const rp = async () => {
    const config = await oidc.discovery(new URL(env.app.portal.issuer), env.client.clientId, env.client.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    const redirectUri = env.sandbox.portal.redirectUri(env.P);
    /** Signs Ada in with a real authorization request and returns the callback URL with its code. */
    const code = async (params: Record<string, string> = {}) => {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri, scope: 'openid email profile', state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params,
      });
      const b = env.browser();
      b.stopAt = (u) => u.href.startsWith(redirectUri);
      await b.get(url.href);
      if (!b.url.startsWith(redirectUri)) await b.submit({ email: 'ada@acme.example', password: 'correct horse battery staple' });
      return { callback: new URL(b.url), verifier, state };
    };
    return { config, code };
  };

  it('publishes discovery and keys, and issues an ID token with sub, email, email_verified, name and locale; no refresh token', async () => {
    const { config, code } = await rp();
    const meta = config.serverMetadata();
    expect(meta).toMatchObject({ issuer: env.app.portal.issuer, code_challenge_methods_supported: ['S256'], response_types_supported: ['code'] });
    expect((await (await fetch(meta.jwks_uri!)).json()).keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig' })]);
    const { callback, verifier, state } = await code({ scope: 'openid email profile offline_access' });
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    const ada = env.sandbox.account(env.P).objects.contacts!.all().find((c) => c.properties.email === 'ada@acme.example')!;
    expect(tokens.claims()).toMatchObject({ sub: `${env.P}-${ada.id}`, email: 'ada@acme.example', email_verified: true, name: 'Ada Lovelace', iss: env.app.portal.issuer, aud: env.client.clientId });
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('refuses a replayed code', async () => {
    const { config, code } = await rp();
    const { callback, verifier, state } = await code();
    await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    await expect(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a token request without the PKCE verifier when a challenge was sent, and (PKCE required by the admin) an authorization request without a challenge', async () => {
    await env.app.portal.clients.save(env.P, [env.sandbox.portal.redirectUri(env.P)], false, 'required');
    const { config, code } = await rp();
    const { callback } = await code();
    const res = await fetch(config.serverMetadata().token_endpoint!, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(env.client.clientId)}:${encodeURIComponent(env.client.clientSecret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: env.sandbox.portal.redirectUri(env.P) }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });

    const b = env.browser();
    b.stopAt = (u) => u.href.startsWith(env.sandbox.portal.redirectUri(env.P));
    await b.get(`${env.app.portal.issuer}/auth?${new URLSearchParams({ client_id: env.client.clientId, redirect_uri: env.sandbox.portal.redirectUri(env.P), response_type: 'code', scope: 'openid', state: 'abcdefgh' })}`);
    expect(new URL(b.url).searchParams.get('error')).toBe('invalid_request');
    expect(new URL(b.url).searchParams.get('error_description')).toMatch(/PKCE/);
    await env.app.portal.clients.save(env.P, [env.sandbox.portal.redirectUri(env.P)], false, 'when-sent');
  });

  it('never sends a code to a redirect URI the client did not register', async () => {
    const { config } = await rp();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'https://attacker.example/callback', scope: 'openid', state: oidc.randomState(), code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const b = env.browser();
    b.stopAt = (u) => u.hostname === 'attacker.example';
    await b.get(url.href);
    expect(new URL(b.url).hostname).not.toBe('attacker.example');
    expect(b.status).toBe(400);
    expect(b.text()).toContain('the address to return to is not registered for this portal');
  });

  it('refuses the client with a wrong secret', async () => {
    const config = await oidc.discovery(new URL(env.app.portal.issuer), env.client.clientId, 'not-the-secret', undefined, { execute: [oidc.allowInsecureRequests] });
    const { code } = await rp();
    const { callback, verifier, state } = await code();
    await expect(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state })).rejects.toMatchObject({ error: 'invalid_client' });
  });
});

describe('passwords at rest', () => {
  it('rehashes a password stored with older argon2id parameters at the next successful sign-in', async () => {
    const { P, sandbox } = env;
    const ada = sandbox.account(P).objects.contacts!.all().find((c) => c.properties.email === 'ada@acme.example')!;
    const weak = new PasswordHasher({ memoryCost: 4096, timeCost: 1, parallelism: 1 });
    const account = (await env.app.portal.accounts.get(P, ada.id))!;
    await env.app.portal.accounts.save({ ...account, passwordHash: await weak.hash('correct horse battery staple') });
    const b = env.browser();
    await b.get(sandbox.portal.portalUrl(P));
    await b.submit({ email: 'ada@acme.example', password: 'correct horse battery staple' });
    expect(b.text()).toContain('Signed in as Ada Lovelace');
    const stored = (await env.app.portal.accounts.get(P, ada.id))!.passwordHash!;
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await env.app.store.get(`portal:{${P}}:portal-account:${ada.id}`)).not.toContain('correct horse');
  });
});

describe('the sign-in limit', () => {
  it('holds: after 5 wrong passwords for an address, even the right one is refused for a while', async () => {
    const { sandbox, P } = env;
    const attempt = async (password: string) => {
      const b = env.browser();
      await b.get(sandbox.portal.portalUrl(P));
      await b.submit({ email: 'ada@acme.example', password });
      return b;
    };
    for (let i = 0; i < 5; i++) expect((await attempt(`wrong password ${i}`)).url).not.toBe(sandbox.portal.portalUrl(P));
    const right = await attempt('correct horse battery staple');
    expect(right.url).not.toBe(sandbox.portal.portalUrl(P));
    expect(right.text()).toMatch(/too many/i);
  });
});
