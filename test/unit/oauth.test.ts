import { describe, expect, it } from 'vitest';
import { OAuthClient } from '../../src/auth/oauth-client.js';
import { OAuthTokenSource } from '../../src/auth/oauth-token-source.js';
import { TokenCipher } from '../../src/auth/token-cipher.js';
import { TokenVault } from '../../src/auth/token-vault.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { nock } from '../support/use-nock.js';

const BASE = 'https://api.hubapi.test';
const key = Buffer.alloc(32, 7);

describe('tokens at rest', () => {
  it('are AES-256-GCM encrypted, bound to their account, and refuse tampering', () => {
    const cipher = new TokenCipher(key);
    const blob = cipher.encrypt('{"accessToken":"secret-access"}', '42');
    expect(blob).not.toContain('secret-access');
    expect(cipher.decrypt(blob, '42')).toBe('{"accessToken":"secret-access"}');
    expect(() => cipher.decrypt(blob, '43')).toThrow();
    const parts = blob.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'), '42')).toThrow();
  });

  it('are stored encrypted in the store, never in clear', async () => {
    const store = new MemoryStore();
    const vault = new TokenVault(store, new TokenCipher(key));
    await vault.save(42, { accessToken: 'acc-123', refreshToken: 'ref-456', expiresAt: 1, scopes: [] });
    expect(await store.get('portal:{42}:oauth-tokens')).not.toMatch(/acc-123|ref-456/);
    expect((await vault.load(42))?.refreshToken).toBe('ref-456');
  });
});

describe('token refresh', () => {
  const oauth = new OAuthClient({ baseUrl: BASE, clientId: 'cid', clientSecret: 'csecret', redirectUri: 'https://autopilot.test/oauth/callback' });

  it('refreshes a token that expires within 5 minutes, once for many concurrent callers', async () => {
    const now = 1_000_000;
    const store = new MemoryStore(() => now);
    const vault = new TokenVault(store, new TokenCipher(key));
    await vault.save(42, { accessToken: 'old', refreshToken: 'ref-1', expiresAt: now + 60_000, scopes: [] });
    const scope = nock(BASE)
      .post('/oauth/v3/token', (body) => body.grant_type === 'refresh_token' && body.refresh_token === 'ref-1' && body.client_secret === 'csecret')
      .delay(50)
      .reply(200, { access_token: 'new', refresh_token: 'ref-2', expires_in: 1800, token_type: 'bearer', token_use: 'access_token' });
    const source = new OAuthTokenSource(vault, store, oauth, () => now);
    const tokens = await Promise.all(Array.from({ length: 5 }, () => source.accessToken(42)));
    expect(tokens).toEqual(['new', 'new', 'new', 'new', 'new']);
    scope.done();
    expect((await vault.load(42))).toMatchObject({ refreshToken: 'ref-2', expiresAt: now + 1_800_000 });
  });

  it('uses a token with more than 5 minutes left without calling HubSpot', async () => {
    const store = new MemoryStore();
    const vault = new TokenVault(store, new TokenCipher(key));
    await vault.save(42, { accessToken: 'fresh', refreshToken: 'r', expiresAt: Date.now() + 20 * 60_000, scopes: [] });
    expect(await new OAuthTokenSource(vault, store, oauth).accessToken(42)).toBe('fresh');
  });

  it('fails permanently for an account that never installed the app', async () => {
    const store = new MemoryStore();
    const source = new OAuthTokenSource(new TokenVault(store, new TokenCipher(key)), store, oauth);
    await expect(source.accessToken(99)).rejects.toThrow('account 99 has not installed the app');
  });
});
