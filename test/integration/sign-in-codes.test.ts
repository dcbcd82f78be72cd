import { createHmac, hkdfSync } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/queue/errors.js';
import { SIGN_IN_CODE, SignInCodes } from '../../src/portal/sign-in-codes.js';
import { keys } from '../../src/store/keys.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { flushTestRedis, testRedis } from '../support/redis.js';

// Sign-in codes by email as the page and the worker use them on real Redis: bound to one browser
// and sign-in, five tries, used once, never stored in the clear.
let redis: Redis;
let codes: SignInCodes;
const SECRET = 'server-secret-for-codes-0123456789';
const P = 4242;
let n = 0;
const challenge = () => SignInCodes.challengeOf(`browser-${++n}`, `uid-${n}`);

beforeAll(async () => { await flushTestRedis(); redis = testRedis(); codes = new SignInCodes(new RedisStore(redis), SECRET); });
afterAll(async () => { await redis.quit(); });

describe('a sign-in code', () => {
  it('belongs to one browser in one sign-in (its challenge tells both apart, however they are cut)', () => {
    const c = SignInCodes.challengeOf('browser', 'uid');
    expect(c).toMatch(/^[\w-]{43}$/);
    expect(SignInCodes.challengeOf('browser', 'uid')).toBe(c);
    expect(SignInCodes.challengeOf('browser2', 'uid')).not.toBe(c);
    expect(SignInCodes.challengeOf('browser', 'uid2')).not.toBe(c);
    expect(SignInCodes.challengeOf('ab', 'c')).not.toBe(SignInCodes.challengeOf('a', 'bc'));
  });

  it('signs in once with the six digits emailed (spaces as typed are fine), and is gone afterwards', async () => {
    const ch = challenge();
    await codes.request(P, ch, 'ada@acme.example');
    const code = await codes.issue(P, ch, '901');
    expect(code).toMatch(/^\d{6}$/);
    expect(await codes.verify(P, ch, ` ${code.slice(0, 3)} ${code.slice(3)} `)).toEqual({ ok: true, contactId: '901', email: 'ada@acme.example' });
    expect(await redis.exists(keys.signInCode(P, ch), keys.signInCodeTries(P, ch))).toBe(0);
    expect(await codes.verify(P, ch, code)).toEqual({ ok: false, reason: 'none' });
  });

  it('is kept only as an HMAC under a key derived from the server secret (HKDF-SHA256), for ten minutes', async () => {
    const ch = challenge();
    await codes.request(P, ch, 'ada@acme.example');
    const code = await codes.issue(P, ch, '902');
    const stored = (await redis.get(keys.signInCode(P, ch)))!;
    expect(stored).not.toContain(code);
    const key = Buffer.from(hkdfSync('sha256', SECRET, 'portal-autopilot', 'sign-in-code', 32));
    expect(JSON.parse(stored)).toEqual({ email: 'ada@acme.example', contactId: '902', mac: createHmac('sha256', key).update(`${ch}:${code}`).digest('base64url') });
    const ttl = await redis.ttl(keys.signInCode(P, ch));
    expect(ttl).toBeGreaterThan(SIGN_IN_CODE.ttlSeconds - 5);
    expect(ttl).toBeLessThanOrEqual(SIGN_IN_CODE.ttlSeconds);
    // Another server secret opens nothing.
    expect(await new SignInCodes(new RedisStore(redis), 'another-secret-0123456789').verify(P, ch, code)).toMatchObject({ ok: false, reason: 'wrong' });
  });

  it('allows five tries: each wrong one says how many are left, the fifth ends the code (the right one then does nothing)', async () => {
    const ch = challenge();
    await codes.request(P, ch, 'ada@acme.example');
    const code = await codes.issue(P, ch, '903');
    const wrong = code === '000000' ? '111111' : '000000';
    for (const left of [4, 3, 2, 1]) expect(await codes.verify(P, ch, wrong)).toEqual({ ok: false, reason: 'wrong', triesLeft: left });
    expect(await codes.verify(P, ch, wrong)).toEqual({ ok: false, reason: 'tries' });
    expect(await codes.verify(P, ch, code)).toEqual({ ok: false, reason: 'none' });
  });

  it('counts the right code typed after four wrong ones as the fifth try, and lets it in', async () => {
    const ch = challenge();
    await codes.request(P, ch, 'ada@acme.example');
    const code = await codes.issue(P, ch, '904');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) await codes.verify(P, ch, wrong);
    expect(await codes.verify(P, ch, code)).toMatchObject({ ok: true, contactId: '904' });
  });

  it('counts guesses typed before the code was emailed: five of them, and the code that arrives then does not sign in', async () => {
    const ch = challenge();
    await codes.request(P, ch, 'ada@acme.example');
    for (let i = 0; i < SIGN_IN_CODE.tries; i++) expect(await codes.verify(P, ch, '123456')).toEqual({ ok: false, reason: 'none' });
    const code = await codes.issue(P, ch, '908');
    expect(await codes.verify(P, ch, code)).toEqual({ ok: false, reason: 'tries' });
    expect(await redis.exists(keys.signInCode(P, ch))).toBe(0);
  });

  it('is six digits exactly: more, fewer or letters are wrong (and cost a try)', async () => {
    const ch = challenge();
    await codes.request(P, ch, 'ada@acme.example');
    const code = await codes.issue(P, ch, '905');
    expect(await codes.verify(P, ch, `${code}1`)).toEqual({ ok: false, reason: 'wrong', triesLeft: 4 });
    expect(await codes.verify(P, ch, code.slice(1))).toEqual({ ok: false, reason: 'wrong', triesLeft: 3 });
    expect(await codes.verify(P, ch, `x${code}`)).toEqual({ ok: false, reason: 'wrong', triesLeft: 2 });
    expect(await codes.verify(P, ch, code)).toMatchObject({ ok: true });
  });

  it('works only in its own sign-in, not before it is emailed, and a new request replaces it with fresh tries', async () => {
    const ch = challenge();
    await codes.request(P, ch, 'ada@acme.example');
    expect(await codes.verify(P, ch, '123456')).toEqual({ ok: false, reason: 'none' });
    const code = await codes.issue(P, ch, '906');
    expect(await codes.verify(P, challenge(), code)).toEqual({ ok: false, reason: 'none' });
    const wrong = code === '000000' ? '111111' : '000000';
    await codes.verify(P, ch, wrong);
    await codes.request(P, ch, 'ada@acme.example');
    const second = await codes.issue(P, ch, '906');
    if (second !== code) expect(await codes.verify(P, ch, code)).toEqual({ ok: false, reason: 'wrong', triesLeft: 4 });
    expect(await codes.verify(P, ch, second)).toMatchObject({ ok: true });
  });

  it('is not minted for a request that expired or was never made: the worker stops for good with why', async () => {
    const issuing = codes.issue(P, challenge(), '907');
    await expect(issuing).rejects.toBeInstanceOf(PermanentError);
    await expect(codes.issue(P, challenge(), '907')).rejects.toThrow('the sign-in code request has expired (10 minutes) or was replaced by a newer one');
  });
});
