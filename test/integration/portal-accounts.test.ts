import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, PortalAccounts, type PortalAccount } from '../../src/portal/portal-accounts.js';
import { keys } from '../../src/store/keys.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { flushTestRedis, testKeys, testRedis } from '../support/redis.js';

let redis: Redis;
let clock = Date.parse('2026-11-23T10:00:00Z');
let accounts: PortalAccounts;
beforeAll(async () => { await flushTestRedis(); redis = testRedis(); accounts = new PortalAccounts(new RedisStore(redis), () => clock); });
afterAll(async () => { await flushTestRedis(); await redis.quit(); });

let next = 100;
const account = (over: Partial<PortalAccount> = {}): PortalAccount => {
  const contactId = String(next++);
  return { portalId: 42, contactId, email: `c${contactId}@acme.example`, state: 'invited', grantedAt: new Date(clock).toISOString(), ...over };
};

describe('portal accounts on Redis', () => {
  it('reads many accounts in the order asked, null where there is none, and nothing for an empty list', async () => {
    const a = account(); const b = account();
    await accounts.save(a); await accounts.save(b);
    expect(await accounts.getMany(42, [b.contactId, '999999', a.contactId])).toEqual([b, null, a]);
    expect(await accounts.getMany(42, [])).toEqual([]);
    expect(await accounts.findByLogin(42, a.email)).toEqual(a);
    expect(await accounts.findByLogin(43, a.email)).toBeNull();
  });

  it('keeps the access history newest first, every entry with its time, and all of it', async () => {
    const a = account();
    await accounts.record(42, a.contactId, { action: 'granted', by: 'rule r1', why: 'new contact' });
    clock += 1000;
    await accounts.record(42, a.contactId, { action: 'link-sent', by: 'agent 7', why: 'asked' });
    await accounts.record(42, a.contactId, { action: 'revoked', by: 'agent 7', why: 'left', at: '2026-01-01T00:00:00.000Z' });
    expect(await accounts.history(42, a.contactId)).toEqual([
      { at: '2026-01-01T00:00:00.000Z', action: 'revoked', by: 'agent 7', why: 'left' },
      { at: new Date(clock).toISOString(), action: 'link-sent', by: 'agent 7', why: 'asked' },
      { at: new Date(clock - 1000).toISOString(), action: 'granted', by: 'rule r1', why: 'new contact' },
    ]);
  });

  it('removes an account with its sign-in name, its working link and its history', async () => {
    const a = account();
    await accounts.save(a);
    await accounts.record(42, a.contactId, { action: 'granted', by: 'x', why: 'y' });
    const token = await accounts.mintLink(a, 24);
    await accounts.remove(42, a.contactId);
    expect(await accounts.get(42, a.contactId)).toBeNull();
    expect(await accounts.findByLogin(42, a.email)).toBeNull();
    expect(await accounts.history(42, a.contactId)).toEqual([]);
    expect(await redis.exists(keys.portalLink(42, hashToken(token)))).toBe(0);
    expect(await testKeys(`*portal-login:${a.email}`)).toEqual([]);
  });

  it('removing an account that does not exist touches nothing else', async () => {
    const a = account();
    await accounts.save(a);
    await accounts.remove(42, '424242');
    expect(await accounts.get(42, a.contactId)).toEqual(a);
  });
});

describe('one-time set-password links', () => {
  it('stores only the SHA-256 of the 256-bit token, kept a week past its expiry', async () => {
    const a = account();
    const token = await accounts.mintLink(a, 24);
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(hashToken(token)).toBe(createHash('sha256').update(token).digest('base64url'));
    expect(await testKeys(`*${token}*`)).toEqual([]);
    const ttl = await redis.ttl(keys.portalLink(42, hashToken(token)));
    expect(ttl).toBeGreaterThan(24 * 3600 + 7 * 24 * 3600 - 60);
    expect(ttl).toBeLessThanOrEqual(24 * 3600 + 7 * 24 * 3600);
    expect((await accounts.get(42, a.contactId))?.currentLinkHash).toBe(hashToken(token));
  });

  it('says why a link does not work: unknown, used, revoked, superseded, expired', async () => {
    const a = account();
    await accounts.save(a);
    const first = await accounts.mintLink(a, 1);
    const second = await accounts.mintLink((await accounts.get(42, a.contactId))!, 1);
    expect(await accounts.checkLink(42, first)).toEqual({ ok: false, reason: 'superseded' });
    const ok = await accounts.checkLink(42, second);
    expect(ok).toMatchObject({ ok: true, hash: hashToken(second), account: { contactId: a.contactId } });
    expect(await accounts.checkLink(43, second)).toEqual({ ok: false, reason: 'unknown' });
    expect(await accounts.checkLink(42, `${second}x`)).toEqual({ ok: false, reason: 'unknown' });
    expect(await accounts.checkLink(42, `!${second.slice(1)}`)).toEqual({ ok: false, reason: 'unknown' });
    expect(await accounts.checkLink(42, 'A'.repeat(43))).toEqual({ ok: false, reason: 'unknown' });

    clock += 3_600_000; // exactly at expiry: still good
    expect((await accounts.checkLink(42, second)).ok).toBe(true);
    clock += 1;
    expect(await accounts.checkLink(42, second)).toEqual({ ok: false, reason: 'expired' });
    clock -= 3_600_001;

    await accounts.save({ ...(await accounts.get(42, a.contactId))!, state: 'disabled' });
    expect(await accounts.checkLink(42, second)).toEqual({ ok: false, reason: 'revoked' });
    await accounts.save({ ...(await accounts.get(42, a.contactId))!, state: 'active' });
    await accounts.markLinkUsed(42, hashToken(second));
    expect(await accounts.checkLink(42, second)).toEqual({ ok: false, reason: 'used' });
    const ttl = await redis.ttl(keys.portalLink(42, hashToken(second)));
    expect(ttl).toBeGreaterThan(7 * 24 * 3600 - 60);
    expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600);
  });

  it('refuses a token of the wrong shape without reading the store', async () => {
    let reads = 0;
    const store = new RedisStore(redis);
    const counting = new Proxy(store, { get: (t, k) => (k === 'get' ? (key: string) => { reads++; return t.get(key); } : Reflect.get(t, k)) });
    const guarded = new PortalAccounts(counting, () => clock);
    const good = 'A'.repeat(43);
    for (const bad of [`${good}x`, `!${good}`, good.slice(1), '', `${good.slice(2)}/+`]) {
      expect(await guarded.checkLink(42, bad), bad).toEqual({ ok: false, reason: 'unknown' });
    }
    expect(reads).toBe(0);
    await guarded.checkLink(42, good);
    expect(reads).toBe(1);
  });

  it('calls a link of an account that is gone revoked', async () => {
    const a = account();
    const token = await accounts.mintLink(a, 1);
    await redis.del(keys.portalAccount(42, a.contactId));
    expect(await accounts.checkLink(42, token)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('marking a link that does not exist as used creates nothing', async () => {
    const before = (await testKeys('*portal-link*')).length;
    await accounts.markLinkUsed(42, hashToken('never-minted'));
    expect((await testKeys('*portal-link*')).length).toBe(before);
  });
});
