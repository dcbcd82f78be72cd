import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsRepository } from '../../src/settings/settings-repository.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { flushTestRedis, testRedis } from '../support/redis.js';

// The customer pages read an account's settings on each page of a sign-in; they keep what they read
// for 2 s. Two repositories on one Redis stand for two web processes.
let redis: Redis;
beforeAll(async () => { await flushTestRedis(); redis = testRedis(); });
afterAll(async () => { await redis.quit(); });

describe('settings as the customer pages see them', () => {
  it('shows an admin\'s change at once through the process that saved it, and through another web process within 2 s', async () => {
    let now = 1_000_000;
    const clock = () => now;
    const admin = new SettingsRepository(new RedisStore(redis), clock);
    const other = new SettingsRepository(new RedisStore(redis), clock);
    const P = 5151;
    expect((await admin.forPages(P)).portal.emailCode).toBe(false);
    expect((await other.forPages(P)).portal.emailCode).toBe(false);

    const current = await admin.read(P);
    await admin.save(P, { ...current.settings, portal: { ...current.settings.portal, emailCode: true } }, current.version, 'admin');
    expect((await admin.forPages(P)).portal.emailCode).toBe(true);
    // The other process still has what it read a moment ago, for at most 2 s.
    now += 1500;
    expect((await other.forPages(P)).portal.emailCode).toBe(false);
    now += 600;
    expect((await other.forPages(P)).portal.emailCode).toBe(true);
  });

  it('reads again after a failed read (Redis away) instead of keeping the failure', async () => {
    const store = new RedisStore(redis);
    const pages = new SettingsRepository(store);
    const realGet = store.get.bind(store);
    let away = true;
    store.get = (key) => (away ? Promise.reject(new Error('Connection is closed.')) : realGet(key));
    await expect(pages.forPages(6161)).rejects.toThrow('Connection is closed.');
    away = false;
    expect((await pages.forPages(6161)).portal.emailCode).toBe(false);
  });
});
