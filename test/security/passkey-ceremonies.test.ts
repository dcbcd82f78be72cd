import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSKEY, Passkeys } from '../../src/portal/passkeys.js';
import { PortalAccounts, passkeyIndexKey, type PortalAccount } from '../../src/portal/portal-accounts.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { flushTestRedis, testRedis } from '../support/redis.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';

// Passkey ceremonies end to end without a browser: a software authenticator written from the
// WebAuthn spec answers, the app's Passkeys (on @simplewebauthn/server and real Redis) decides.
// The browser suite (test/e2e/portal-passkeys.test.ts) does the same with Chromium's own.
const ORIGIN = 'https://portal-app.example';
const P = 4242;
const NOW = Date.parse('2026-12-07T10:00:00Z');
let redis: Redis;
let store: RedisStore;
let accounts: PortalAccounts;
let passkeys: Passkeys;
let ada: PortalAccount;

beforeAll(async () => { await flushTestRedis(); redis = testRedis(); store = new RedisStore(redis); });
afterAll(async () => { await redis.quit(); });
beforeEach(async () => {
  accounts = new PortalAccounts(store, () => NOW);
  passkeys = new Passkeys(store, accounts, `${ORIGIN}/`, () => NOW);
  ada = { portalId: P, contactId: String(Math.floor(Math.random() * 1e9) + 1), email: 'ada@acme.example', name: 'Ada Lovelace', state: 'active', grantedAt: new Date(NOW).toISOString() };
  await accounts.save(ada);
});

/** Adds a passkey to an account as the passkeys page does; the account as stored afterwards. */
async function enrol(account: PortalAccount, device: SoftAuthenticator, browser = 'browser-1'): Promise<PortalAccount> {
  const options = await passkeys.registrationOptions(account, browser);
  const done = await passkeys.register(account, browser, device.register(options));
  if (!done.ok) throw new Error(`registration refused: ${done.reason}`);
  return done.account;
}

describe('adding a passkey', () => {
  it('asks the device for a discoverable passkey for this site, named by the customer\'s address, under a user handle that names no one', async () => {
    const options = await passkeys.registrationOptions(ada, 'b1');
    expect(options.rp).toEqual({ name: 'Customer portal', id: 'portal-app.example' });
    expect(options.user.name).toBe('ada@acme.example');
    expect(options.user.displayName).toBe('Ada Lovelace');
    expect(options.user.id).not.toContain(ada.contactId);
    expect(Buffer.from(options.user.id, 'base64url').toString('utf8')).not.toContain('ada');
    expect(Buffer.from(options.user.id, 'base64url')).toHaveLength(32);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'preferred' });
    expect(options.attestation).toBe('none');
    expect(options.timeout).toBe(PASSKEY.timeoutMs);
    expect(options.excludeCredentials).toEqual([]);
    // Without a name, the address is what the device shows.
    expect((await passkeys.registrationOptions({ ...ada, name: undefined }, 'b1')).user.displayName).toBe('ada@acme.example');
  });

  it('keeps the public key only, finds the account by it, and notes it in the account\'s history (a synced passkey said so)', async () => {
    const laptop = new SoftAuthenticator(ORIGIN);
    const phone = new SoftAuthenticator(ORIGIN, true);
    let account = await enrol(ada, laptop);
    account = await enrol(account, phone);
    const stored = (await accounts.get(P, ada.contactId))!;
    expect(stored.passkeys).toEqual(account.passkeys);
    expect(stored.passkeys!.map((k) => [k.id, k.counter, k.synced, k.transports, k.createdAt])).toEqual([
      [laptop.id, 0, false, ['internal'], '2026-12-07T10:00:00.000Z'],
      [phone.id, 0, true, ['internal'], '2026-12-07T10:00:00.000Z'],
    ]);
    expect(stored.passkeys![0]!.publicKey).toMatch(/^[\w-]{40,}$/);
    expect(await store.get(passkeyIndexKey(P, laptop.id))).toBe(ada.contactId);
    expect((await accounts.history(P, ada.contactId)).map((e) => [e.action, e.by, e.why])).toEqual(expect.arrayContaining([
      ['passkey-added', 'customer', 'a passkey on one device'],
      ['passkey-added', 'customer', 'a synced passkey'],
    ]));
    // The next registration tells the device which passkeys it already holds.
    const again = await passkeys.registrationOptions(account, 'b2');
    expect(again.excludeCredentials!.map((c) => c.id)).toEqual([laptop.id, phone.id]);
  });

  it('uses each challenge once, for the browser it was made for, and refuses an answer for another site', async () => {
    const device = new SoftAuthenticator(ORIGIN);
    const options = await passkeys.registrationOptions(ada, 'b1');
    const answer = device.register(options);
    expect(await passkeys.register(ada, 'other-browser', answer)).toEqual({ ok: false, reason: 'expired' });
    expect((await passkeys.register(ada, 'b1', answer)).ok).toBe(true);
    expect(await passkeys.register(ada, 'b1', answer)).toEqual({ ok: false, reason: 'expired' });
    const phishing = await passkeys.registrationOptions(ada, 'b3');
    expect(await passkeys.register(ada, 'b3', new SoftAuthenticator('https://portal-app.example.evil.example').register(phishing))).toEqual({ ok: false, reason: 'refused' });
    // Answered for another challenge than the one kept.
    const mine = await passkeys.registrationOptions(ada, 'b4');
    expect(await passkeys.register(ada, 'b4', device.register({ ...mine, challenge: Buffer.from('not the challenge').toString('base64url') }))).toEqual({ ok: false, reason: 'refused' });
  });

  it('accepts a security key that does not check the person (no PIN): user verification is preferred, not required', async () => {
    const key = new SoftAuthenticator(ORIGIN, false, false);
    await enrol(ada, key);
    expect((await passkeys.signIn(P, 'b2', key.assert(await passkeys.signInOptions(P, 'b2')))).ok).toBe(true);
  });

  it('names each account with a user handle of its own, the same every time', async () => {
    const grace = { ...ada, contactId: `${ada.contactId}1`, email: 'grace@acme.example' };
    const handle = async (account: PortalAccount) => (await passkeys.registrationOptions(account, 'b1')).user.id;
    expect(await handle(ada)).toBe(await handle(ada));
    expect(await handle(grace)).not.toBe(await handle(ada));
    expect(await handle({ ...ada, portalId: P + 1 })).not.toBe(await handle(ada));
  });

  it('keeps one entry when a device registers the same passkey again', async () => {
    const device = new SoftAuthenticator(ORIGIN);
    const once = await enrol(ada, device, 'b1');
    const twice = await enrol(once, device, 'b2');
    expect(twice.passkeys!.map((k) => k.id)).toEqual([device.id]);
  });

  it('holds at most ten passkeys per account', async () => {
    let account = ada;
    for (let i = 0; i < PASSKEY.max; i++) account = await enrol(account, new SoftAuthenticator(ORIGIN), `b${i}`);
    const options = await passkeys.registrationOptions(account, 'b-full');
    expect(await passkeys.register(account, 'b-full', new SoftAuthenticator(ORIGIN).register(options))).toEqual({ ok: false, reason: 'full' });
    expect((await accounts.get(P, ada.contactId))!.passkeys).toHaveLength(PASSKEY.max);
  });

  it('keeps a challenge five minutes', async () => {
    await passkeys.registrationOptions(ada, 'b1');
    const ttl = await redis.ttl(`portal:{${P}}:passkey-challenge:register:b1`);
    expect(ttl).toBeGreaterThan(PASSKEY.challengeTtlSeconds - 5);
    expect(ttl).toBeLessThanOrEqual(PASSKEY.challengeTtlSeconds);
  });
});

describe('signing in with a passkey', () => {
  it('opens the account the passkey belongs to, and records the use and the sign-in together', async () => {
    const device = new SoftAuthenticator(ORIGIN);
    await enrol(ada, device);
    const options = await passkeys.signInOptions(P, 'b1');
    expect(options.rpId).toBe('portal-app.example');
    expect(options.userVerification).toBe('preferred');
    expect(options.timeout).toBe(PASSKEY.timeoutMs);
    expect(options.allowCredentials ?? []).toEqual([]);
    const result = await passkeys.signIn(P, 'b1', device.assert(options));
    expect(result.ok).toBe(true);
    const stored = (await accounts.get(P, ada.contactId))!;
    if (result.ok) expect(result.account).toEqual(stored);
    expect(stored.lastSignInAt).toBe('2026-12-07T10:00:00.000Z');
    expect(stored.passkeys![0]).toMatchObject({ counter: 1, lastUsedAt: '2026-12-07T10:00:00.000Z' });
  });

  it('refuses a replayed answer, a cloned device (its counter went back), another site, and an answer to another challenge', async () => {
    const device = new SoftAuthenticator(ORIGIN);
    await enrol(ada, device);
    const first = device.assert(await passkeys.signInOptions(P, 'b1'));
    expect((await passkeys.signIn(P, 'b1', first)).ok).toBe(true);
    expect(await passkeys.signIn(P, 'b1', first)).toEqual({ ok: false, reason: 'expired' });
    // A clone answers a fresh challenge with the counter the original already used.
    device.counter = 0;
    expect(await passkeys.signIn(P, 'b2', device.assert(await passkeys.signInOptions(P, 'b2')))).toEqual({ ok: false, reason: 'refused' });
    expect(await passkeys.signIn(P, 'b3', device.assert(await passkeys.signInOptions(P, 'b3'), 'https://evil.example'))).toEqual({ ok: false, reason: 'refused' });
    await passkeys.signInOptions(P, 'b4');
    expect(await passkeys.signIn(P, 'b4', device.assert({ challenge: Buffer.from('another').toString('base64url') }))).toEqual({ ok: false, reason: 'refused' });
    // None of these moved the stored counter.
    expect((await accounts.get(P, ada.contactId))!.passkeys![0]!.counter).toBe(1);
  });

  it('knows a passkey only in its own account (HubSpot portal), and not once removed', async () => {
    const device = new SoftAuthenticator(ORIGIN);
    const account = await enrol(ada, device);
    expect(await passkeys.signIn(P + 1, 'b1', device.assert(await passkeys.signInOptions(P + 1, 'b1')))).toEqual({ ok: false, reason: 'unknown' });
    expect(await passkeys.signIn(P, 'b2', new SoftAuthenticator(ORIGIN).assert(await passkeys.signInOptions(P, 'b2')))).toEqual({ ok: false, reason: 'unknown' });

    // Removing a passkey the account does not hold changes nothing and notes nothing.
    const historyBefore = (await accounts.history(P, ada.contactId)).length;
    expect(await passkeys.remove(account, 'not-a-passkey')).toBe(account);
    expect(await accounts.history(P, ada.contactId)).toHaveLength(historyBefore);
    const removed = await passkeys.remove(account, device.id);
    expect(removed.passkeys).toEqual([]);
    expect(await store.get(passkeyIndexKey(P, device.id))).toBeNull();
    expect((await accounts.history(P, ada.contactId)).map((e) => [e.action, e.by, e.why])).toContainEqual(['passkey-removed', 'customer', 'removed on the passkeys page']);
    expect(await passkeys.signIn(P, 'b3', device.assert(await passkeys.signInOptions(P, 'b3')))).toEqual({ ok: false, reason: 'unknown' });
    // Removing what the account does not hold changes nothing and notes nothing.
    const before = (await accounts.history(P, ada.contactId)).length;
    expect(await passkeys.remove(removed, 'not-a-passkey')).toBe(removed);
    expect(await accounts.history(P, ada.contactId)).toHaveLength(before);
  });

  it('refuses an account that is disabled (or not yet active) before checking or writing anything', async () => {
    const device = new SoftAuthenticator(ORIGIN);
    const account = await enrol(ada, device);
    await accounts.update({ ...account, state: 'disabled' });
    expect(await passkeys.signIn(P, 'b1', device.assert(await passkeys.signInOptions(P, 'b1')))).toEqual({ ok: false, reason: 'inactive' });
    const stored = (await accounts.get(P, ada.contactId))!;
    expect(stored.lastSignInAt).toBeUndefined();
    expect(stored.passkeys![0]!.counter).toBe(0);
  });

  it('removes only the passkey asked for; the others still sign in', async () => {
    const laptop = new SoftAuthenticator(ORIGIN);
    const phone = new SoftAuthenticator(ORIGIN);
    const both = await enrol(await enrol(ada, laptop), phone, 'b2');
    const left = await passkeys.remove(both, laptop.id);
    expect(left.passkeys!.map((k) => k.id)).toEqual([phone.id]);
    expect((await accounts.get(P, ada.contactId))!.passkeys!.map((k) => k.id)).toEqual([phone.id]);
    expect(await store.get(passkeyIndexKey(P, phone.id))).toBe(ada.contactId);
    expect((await passkeys.signIn(P, 'b3', phone.assert(await passkeys.signInOptions(P, 'b3')))).ok).toBe(true);
  });

  it('keeps the other passkeys of the account as they were when one signs in', async () => {
    const laptop = new SoftAuthenticator(ORIGIN);
    const phone = new SoftAuthenticator(ORIGIN);
    await enrol(await enrol(ada, laptop), phone, 'b2');
    expect((await passkeys.signIn(P, 'b3', phone.assert(await passkeys.signInOptions(P, 'b3')))).ok).toBe(true);
    const [l, p] = (await accounts.get(P, ada.contactId))!.passkeys!;
    expect([l!.id, l!.counter, l!.lastUsedAt]).toEqual([laptop.id, 0, undefined]);
    expect([p!.id, p!.counter]).toEqual([phone.id, 1]);
  });
});
