import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAdapter } from '../../src/portal/oidc/store-adapter.js';
import { keys } from '../../src/store/keys.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { flushTestRedis, testRedis } from '../support/redis.js';

// oidc-provider's storage on Redis, as the provider uses it during sign-ins: what is kept, for how
// long, what a grant's revocation takes with it, a code used once, and what erasing a contact finds.
let redis: Redis;
let Adapter: ReturnType<typeof storeAdapter>;
const clients: Record<string, Record<string, unknown>> = { 'hs-4242-abcdefghij': { client_id: 'hs-4242-abcdefghij' } };
const now = () => Math.floor(Date.now() / 1000);
let n = 0;
const id = (what: string) => `${what}-${++n}-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => { await flushTestRedis(); redis = testRedis(); Adapter = storeAdapter(new RedisStore(redis), async (clientId) => clients[clientId]); });
afterAll(async () => { await redis.quit(); });

describe('the identity provider\'s storage', () => {
  it('keeps each model for the time the provider asks (a part of a second counts as a whole one, never less than one)', async () => {
    const sessions = new Adapter('Session');
    const [a, b, c] = [id('s'), id('s'), id('s')];
    await sessions.upsert(a, { kind: 'Session', accountId: '4242-7', uid: id('u') }, 600);
    await sessions.upsert(b, { kind: 'Session' }, 0.2);
    await sessions.upsert(c, { kind: 'Session' }, 1.5);
    expect(await redis.ttl(keys.oidcModel('Session', a))).toBeGreaterThan(595);
    expect(await redis.pttl(keys.oidcModel('Session', b))).toBeGreaterThan(0);
    expect(await redis.ttl(keys.oidcModel('Session', c))).toBe(2);
    expect(await sessions.find(a)).toMatchObject({ kind: 'Session', accountId: '4242-7' });
    expect(await sessions.find(id('missing'))).toBeUndefined();
  });

  it('finds a session by its uid (the provider\'s cookie names the uid), and nothing for another model\'s uid', async () => {
    const sessions = new Adapter('Session');
    const [sid, uid] = [id('s'), id('u')];
    await sessions.upsert(sid, { kind: 'Session', uid, accountId: '4242-7' }, 600);
    expect(await sessions.findByUid(uid)).toMatchObject({ uid, accountId: '4242-7' });
    expect(await sessions.findByUid(id('u'))).toBeUndefined();
    const interactions = new Adapter('Interaction');
    const iuid = id('u');
    await interactions.upsert(id('i'), { kind: 'Interaction', uid: iuid }, 600);
    expect(await redis.get(keys.oidcSessionUid(iuid))).toBeNull();
    expect(await new Adapter('Device').findByUserCode()).toBeUndefined();
  });

  it('revoking a grant removes its codes and tokens, and only those', async () => {
    const [codes, tokens, sessions] = [new Adapter('AuthorizationCode'), new Adapter('AccessToken'), new Adapter('Session')];
    const [grant, other] = [id('g'), id('g')];
    const [code, token, otherToken, session] = [id('c'), id('t'), id('t'), id('s')];
    await codes.upsert(code, { kind: 'AuthorizationCode', grantId: grant }, 60);
    await tokens.upsert(token, { kind: 'AccessToken', grantId: grant }, 3600);
    await tokens.upsert(otherToken, { kind: 'AccessToken', grantId: other }, 3600);
    // A session names a grant too, but is not one of its artifacts.
    await sessions.upsert(session, { kind: 'Session', grantId: grant }, 3600);
    expect(await redis.ttl(keys.oidcGrantIndex(grant))).toBeGreaterThan(3590);
    await tokens.revokeByGrantId(grant);
    expect(await codes.find(code)).toBeUndefined();
    expect(await tokens.find(token)).toBeUndefined();
    expect(await tokens.find(otherToken)).toMatchObject({ grantId: other });
    expect(await sessions.find(session)).toMatchObject({ grantId: grant });
    expect(await redis.exists(keys.oidcGrantIndex(grant))).toBe(0);
    // A token without a grant is kept without an index.
    const loose = id('t');
    await tokens.upsert(loose, { kind: 'AccessToken' }, 60);
    expect(await redis.keys('app:oidc-grant:undefined')).toEqual([]);
  });

  it('marks a code used, keeping its expiry (a second use is then seen and refused by the provider), and leaves a missing code missing', async () => {
    const codes = new Adapter('AuthorizationCode');
    const code = id('c');
    const exp = now() + 50;
    await codes.upsert(code, { kind: 'AuthorizationCode', exp, grantId: id('g') }, 50);
    const before = now();
    await codes.consume(code);
    const used = await codes.find(code);
    expect(used).toMatchObject({ kind: 'AuthorizationCode', exp });
    expect(used!.consumed).toBeGreaterThanOrEqual(before);
    expect(used!.consumed).toBeLessThanOrEqual(now());
    const ttl = await redis.ttl(keys.oidcModel('AuthorizationCode', code));
    expect(ttl).toBeGreaterThan(45);
    expect(ttl).toBeLessThanOrEqual(50);
    // Past its expiry it still lives a second (never written without a TTL or with none).
    const late = id('c');
    await codes.upsert(late, { kind: 'AuthorizationCode', exp: now() - 10 }, 60);
    await codes.consume(late);
    expect(await redis.pttl(keys.oidcModel('AuthorizationCode', late))).toBeGreaterThan(0);
    expect(await redis.pttl(keys.oidcModel('AuthorizationCode', late))).toBeLessThanOrEqual(1000);
    const missing = id('c');
    await codes.consume(missing);
    expect(await redis.exists(keys.oidcModel('AuthorizationCode', missing))).toBe(0);
    await codes.destroy(code);
    expect(await codes.find(code)).toBeUndefined();
  });

  it('notes sessions and grants under the contact they name (erasing the contact finds them), and nothing else', async () => {
    const [sessions, grants, tokens] = [new Adapter('Session'), new Adapter('Grant'), new Adapter('AccessToken')];
    const [s, g, t] = [id('s'), id('g'), id('t')];
    await sessions.upsert(s, { kind: 'Session', accountId: '4242-7700000001' }, 600);
    await grants.upsert(g, { kind: 'Grant', accountId: '4242-7700000001' }, 600);
    await tokens.upsert(t, { kind: 'AccessToken', accountId: '4242-7700000001', grantId: id('g') }, 600);
    // Not a subject of ours: no note (and no key made from it).
    await sessions.upsert(id('s'), { kind: 'Session', accountId: 'x4242-78' }, 600);
    await sessions.upsert(id('s'), { kind: 'Session', accountId: '4242-79x' }, 600);
    await sessions.upsert(id('s'), { kind: 'Session', accountId: ['4242-7700000001'] as unknown as string }, 600);
    expect((await redis.lrange(keys.contactData(4242, '7700000001'), 0, -1)).sort()).toEqual([keys.oidcModel('Grant', g), keys.oidcModel('Session', s)].sort());
    expect(await redis.exists(keys.contactData(4242, '78'), keys.contactData(4242, '79'))).toBe(0);
  });

  it('reads clients from the accounts\' own records, never from this storage', async () => {
    const clientStore = new Adapter('Client');
    expect(await clientStore.find('hs-4242-abcdefghij')).toEqual({ client_id: 'hs-4242-abcdefghij' });
    expect(await clientStore.find('hs-4243-abcdefghij')).toBeUndefined();
  });
});
