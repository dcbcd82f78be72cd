import { describe, expect, it } from 'vitest';
import { OAuthClient } from '../../src/auth/oauth-client.js';
import { OAuthTokenSource } from '../../src/auth/oauth-token-source.js';
import { createCipheriv, randomBytes } from 'node:crypto';
import { SecretKeyError, TokenCipher } from '../../src/auth/token-cipher.js';
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
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'), '42')).toThrow(SecretKeyError);
  });

  it('are encrypted with the newest of several keys and read with any of them, old-format blobs included', () => {
    const older = new TokenCipher(Buffer.alloc(32, 1));
    const both = new TokenCipher([key, Buffer.alloc(32, 1)]);
    const written = older.encrypt('old secret', '42');
    expect(both.decrypt(written, '42')).toBe('old secret');
    expect(both.isCurrent(written)).toBe(false);
    expect(both.isCurrent(both.encrypt('x', '42'))).toBe(true);
    expect(() => new TokenCipher(key).decrypt(written, '42')).toThrow(/written with a key that is not among the configured ones/);
    // "v1.<iv>.<tag>.<ct>", as versions before key ids wrote it.
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', Buffer.alloc(32, 1), iv).setAAD(Buffer.from('42'));
    const ct = Buffer.concat([c.update('v1 secret'), c.final()]);
    const v1 = ['v1', iv, c.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    expect(both.decrypt(v1, '42')).toBe('v1 secret');
    expect(both.isCurrent(v1)).toBe(false);
    expect(() => new TokenCipher(key).decrypt(v1, '42')).toThrow(/none of the configured keys opens it/);
    expect(() => both.decrypt('v9.x', '42')).toThrow(/unknown secret format/);
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
