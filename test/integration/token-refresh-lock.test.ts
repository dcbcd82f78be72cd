import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthClient } from '../../src/auth/oauth-client.js';
import { OAuthTokenSource } from '../../src/auth/oauth-token-source.js';
import { TokenCipher } from '../../src/auth/token-cipher.js';
import { TokenVault } from '../../src/auth/token-vault.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { testRedis } from '../support/redis.js';
import { nock } from '../support/use-nock.js';

const BASE = 'https://api.hubapi.test';
const connections: Redis[] = [];
beforeAll(() => { for (let i = 0; i < 3; i++) connections.push(testRedis()); });
afterAll(async () => { for (const c of connections) await c.quit(); });

describe('token refresh across processes', () => {
  it('three workers needing a fresh token at once make one refresh call and all get the new token', async () => {
    const portalId = 600_000 + Math.floor(Math.random() * 1000);
    const cipher = new TokenCipher(Buffer.alloc(32, 3));
    const oauth = new OAuthClient({ baseUrl: BASE, clientId: 'cid', clientSecret: 'cs', redirectUri: 'https://autopilot.test/oauth/callback' });
    await new TokenVault(new RedisStore(connections[0]!), cipher).save(portalId, { accessToken: 'old', refreshToken: 'ref-1', expiresAt: Date.now() + 1000, scopes: [] });
    const scope = nock(BASE).post('/oauth/v3/token').delay(100)
      .reply(200, { access_token: 'new', refresh_token: 'ref-2', expires_in: 1800, token_type: 'bearer', token_use: 'access_token' });
    const workers = connections.map((c) => { const store = new RedisStore(c); return new OAuthTokenSource(new TokenVault(store, cipher), store, oauth); });
    expect(await Promise.all(workers.map((w) => w.accessToken(portalId)))).toEqual(['new', 'new', 'new']);
    scope.done();
  });
});
