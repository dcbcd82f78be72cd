import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenCipher } from '../../src/auth/token-cipher.js';
import { checkRedirectUri, OidcClients, RedirectUriError } from '../../src/portal/oidc/oidc-clients.js';
import { keys } from '../../src/store/keys.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { flushTestRedis, testRedis } from '../support/redis.js';

// Each HubSpot account's OpenID Connect client (HubSpot's customer portal is the relying party),
// as an admin saves it on the settings page and as the provider reads it during sign-ins.
let redis: Redis;
let store: RedisStore;
const cipher = new TokenCipher(randomBytes(32));
const REDIRECT = 'https://support.acme.example/_hcms/oidc/callback';

beforeAll(async () => { await flushTestRedis(); redis = testRedis(); store = new RedisStore(redis); });
afterAll(async () => { await redis.quit(); });

describe('a redirect URI an admin enters', () => {
  it('is https, or http on this machine for a trial; never with a fragment, never over 2,000 characters', () => {
    expect(checkRedirectUri('https://Support.Acme.example/cb?x=1')).toBe('https://support.acme.example/cb?x=1');
    for (const local of ['http://127.0.0.1:3000/cb', 'http://localhost/cb', 'http://[::1]:8080/cb']) expect(checkRedirectUri(local)).toBe(local);
    expect(() => checkRedirectUri('http://support.acme.example/cb')).toThrow('redirect URI http://support.acme.example/cb must use https');
    expect(() => checkRedirectUri('ftp://localhost/cb')).toThrow('must use https');
    expect(() => checkRedirectUri('https://support.acme.example/cb#top')).toThrow('redirect URI https://support.acme.example/cb#top must not have a fragment');
    expect(() => checkRedirectUri(`https://support.acme.example/${'a'.repeat(2000)}`)).toThrow('a redirect URI is longer than 2,000 characters');
    expect(checkRedirectUri(`https://support.acme.example/${'a'.repeat(2000 - 'https://support.acme.example/'.length)}`)).toHaveLength(2000);
    const long = `not a url ${'x'.repeat(500)}`;
    expect(() => checkRedirectUri(long)).toThrow(RedirectUriError);
    expect(() => checkRedirectUri(long)).toThrow(`redirect URI "${long.slice(0, 200)}" is not a URL`);
  });
});

describe('an account\'s client', () => {
  it('is made once with an id naming the account and a random secret kept encrypted; later saves keep both unless asked to rotate', async () => {
    const clients = new OidcClients(store, cipher);
    const first = await clients.save(5001, [REDIRECT, REDIRECT]);
    expect(first.clientId).toMatch(/^hs-5001-[\w-]{12}$/);
    expect(first.clientSecret).toMatch(/^[\w-]{43}$/);
    expect(first.redirectUris).toEqual([REDIRECT]);
    expect(first.pkce).toBe('when-sent');
    expect(first.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(first.updatedAt).toBe(first.createdAt);
    expect(await redis.get(keys.oidcClient(5001))).not.toContain(first.clientSecret);
    expect(OidcClients.portalOf(first.clientId)).toBe(5001);

    // A save that does not ask for a new secret keeps the one HubSpot has.
    expect((await clients.save(5001, [REDIRECT])).clientSecret).toBe(first.clientSecret);
    const second = await clients.save(5001, [REDIRECT, 'https://support2.acme.example/cb'], false, 'required');
    expect(second).toMatchObject({ clientId: first.clientId, clientSecret: first.clientSecret, pkce: 'required', createdAt: first.createdAt });
    const third = await clients.save(5001, [REDIRECT], true);
    expect(third.clientId).toBe(first.clientId);
    expect(third.clientSecret).not.toBe(first.clientSecret);
    expect(third.pkce).toBe('required');
    expect(await clients.get(5001)).toEqual({ ...third, updatedAt: third.updatedAt });
    expect((await clients.get(5001))!.createdAt).toBe(first.createdAt);
  });

  it('takes at most five redirect URIs', async () => {
    const clients = new OidcClients(store, cipher);
    const five = Array.from({ length: 5 }, (_, i) => `https://s${i}.acme.example/cb`);
    expect((await clients.save(5002, five)).redirectUris).toEqual(five);
    await expect(clients.save(5002, [...five, 'https://s5.acme.example/cb'])).rejects.toThrow('at most 5 redirect URIs');
    expect((await clients.get(5002))!.redirectUris).toEqual(five);
  });

  it('is found only by its exact id: no prefix, no suffix, no leading zero, no other account', async () => {
    expect(OidcClients.portalOf('hs-4242-abcdefghij')).toBe(4242);
    expect(OidcClients.portalOf('xhs-4242-abcdefghij')).toBeNull();
    expect(OidcClients.portalOf('hs-4242-abcdefghij/../x')).toBeNull();
    expect(OidcClients.portalOf('hs-04242-abcdefghij')).toBeNull();
    expect(OidcClients.portalOf('hs-4242-abcdefghi')).toBeNull();
    const clients = new OidcClients(store, cipher);
    const client = await clients.save(5003, [REDIRECT]);
    expect(await clients.metadata(client.clientId.replace('hs-5003-', 'hs-5004-'))).toBeUndefined();
    expect(await clients.metadata('not-ours')).toBeUndefined();
  });

  it('is described to the provider as exactly what it may do: the code flow, its secret by basic auth, sign-out back to its sites', async () => {
    const clients = new OidcClients(store, cipher);
    const client = await clients.save(5005, [REDIRECT, 'https://help.acme.example/oidc/cb'], false, 'required');
    expect(await clients.metadata(client.clientId)).toEqual({
      client_id: client.clientId, client_secret: client.clientSecret, redirect_uris: [REDIRECT, 'https://help.acme.example/oidc/cb'],
      post_logout_redirect_uris: ['https://support.acme.example/', 'https://help.acme.example/'],
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', pkce_required: true,
    });
  });

  it('a change saved by another web process counts from the moment two seconds have passed', async () => {
    const clock = { now: 5_000_000 };
    const here = new OidcClients(store, cipher, () => clock.now);
    const elsewhere = new OidcClients(store, cipher, () => clock.now);
    const first = await elsewhere.save(5006, [REDIRECT]);
    expect((await here.metadata(first.clientId))!.client_secret).toBe(first.clientSecret);
    const rotated = await elsewhere.save(5006, [REDIRECT], true);
    clock.now += 1999;
    expect((await here.metadata(first.clientId))!.client_secret).toBe(first.clientSecret);
    clock.now += 1;
    expect((await here.metadata(first.clientId))!.client_secret).toBe(rotated.clientSecret);
  });

  it('keeps at most 10,000 accounts\' clients in memory: past that it starts again (and reads afresh)', async () => {
    const clock = { now: 9_000_000 };
    const here = new OidcClients(store, cipher, () => clock.now);
    const elsewhere = new OidcClients(store, cipher, () => clock.now);
    const first = await elsewhere.save(5007, [REDIRECT]);
    expect((await here.metadata(first.clientId))!.client_secret).toBe(first.clientSecret);
    const rotated = await elsewhere.save(5007, [REDIRECT], true);
    // 10,000 other accounts: 10,001 in memory (the bound is checked before one is added), still the old answer.
    for (let i = 0; i < 10_000; i++) await here.metadata(`hs-${100_000 + i}-abcdefghij`);
    expect((await here.metadata(first.clientId))!.client_secret).toBe(first.clientSecret);
    // One more: over 10,000, the memory is emptied and the client read again.
    await here.metadata('hs-200001-abcdefghij');
    expect((await here.metadata(first.clientId))!.client_secret).toBe(rotated.clientSecret);
  });
});
