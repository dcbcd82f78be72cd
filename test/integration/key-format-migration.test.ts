import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { KEY_FORMAT, migrateKeyFormat } from '../../src/store/migrate-key-format.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { runKeyFormatCli } from '../../src/server/cli/key-format-cli.js';
import { testLog } from '../support/test-log.js';
import { flushTestRedis, testKeys, testRedis, testRedisUrl } from '../support/redis.js';
import { startTestApp, TEST_SECRET } from '../support/test-app.js';
import { testKeyPrefix } from '../support/redis.js';

const P = 4242;
const redis = testRedis();
beforeAll(async () => { await flushTestRedis(); });
afterAll(async () => { await redis.quit(); });

/** Gives every account key the name an install from before the hash tag wrote (portal:4242:…), as such a Redis holds them. */
async function asOlderInstall(): Promise<string[]> {
  const tagged = await testKeys('portal:{*}:*');
  for (const key of tagged) await redis.rename(key, key.replace(/^portal:\{(\d+)\}:/, 'portal:$1:'));
  await redis.del(keys.keyFormat());
  return tagged;
}

describe('an install from before the hash-tagged key format', () => {
  it('keeps its settings, dedupe marks and their times to live when this version starts on its Redis', async () => {
    const first = await startTestApp({ REDIS_URL: testRedisUrl() });
    const before = await first.settings.read(P);
    const saved = await first.settings.save(P, { ...before.settings, inbound: { ...before.settings.inbound, defaultCompanyId: '555' } }, before.version, 'admin');
    await first.store.set(keys.eventSeen(P, 'seen-before'), 'queued', 3600);
    await first.stop();
    const tagged = await asOlderInstall();
    expect(tagged.length).toBeGreaterThanOrEqual(2);
    expect(await testKeys('portal:{*')).toEqual([]);

    const next = await startTestApp({ REDIS_URL: testRedisUrl() });
    try {
      expect(await next.settings.read(P)).toMatchObject({ version: saved.version, settings: { inbound: { defaultCompanyId: '555' } } });
      expect(await redis.ttl(keys.eventSeen(P, 'seen-before'))).toBeGreaterThan(3500);
      expect((await testKeys('portal:*')).sort()).toEqual(tagged.sort());
      expect(await redis.get(keys.keyFormat())).toBe(KEY_FORMAT);
    } finally { await next.stop(); }
  });

  it('moves keys once: a second start finds the mark and scans nothing, and a newer value under the new name wins over an old one', async () => {
    const store = new RedisStore(redis);
    await redis.set('portal:77:settings', 'old');
    expect(await migrateKeyFormat(redis, store, testLog)).toBe(0);
    expect(await redis.get('portal:77:settings')).toBe('old');
    await redis.del(keys.keyFormat());
    await redis.set(keys.settings(77), 'new');
    expect(await migrateKeyFormat(redis, store, testLog)).toBe(0);
    expect(await redis.get(keys.settings(77))).toBe('new');
    expect(await redis.exists('portal:77:settings')).toBe(0);
  });

  it('lets one process move the keys while the others wait for its mark', async () => {
    await redis.del(keys.keyFormat());
    for (let i = 0; i < 50; i++) await redis.set(`portal:88:once:${i}`, String(i), 'EX', 600);
    const processes = Array.from({ length: 4 }, () => testRedis());
    const moved = await Promise.all(processes.map((r) => migrateKeyFormat(r, new RedisStore(r), testLog)));
    for (const r of processes) await r.quit();
    expect(moved.sort((a, b) => b - a)).toEqual([50, 0, 0, 0]);
    expect(await redis.get(keys.idempotency(88, '49'))).toBe('49');
  });

  it('rolls back: npm run key-format -- down gives the keys the names older versions read, and the next start moves them over again', async () => {
    const env = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: testKeyPrefix, HUBSPOT_CLIENT_SECRET: TEST_SECRET, HUBSPOT_ACCESS_TOKEN: 't' };
    const lines: string[] = [];
    const app = await startTestApp({ REDIS_URL: testRedisUrl() });
    const before = await app.settings.read(P);
    await app.stop();
    expect(await runKeyFormatCli(['status'], env, (l) => lines.push(l))).toBe(0);
    expect(await runKeyFormatCli(['down'], env, (l) => lines.push(l))).toBe(0);
    expect(await runKeyFormatCli(['status'], env, (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/^key format 2: account keys are hash-tagged/);
    expect(lines[1]).toMatch(/^\d+ key\(s\) renamed to portal:id:…/);
    expect(lines[2]).toMatch(/^key format 1/);
    expect(await testKeys('portal:{*')).toEqual([]);
    // Where an older version reads them: the settings saved by the first test, under their old name.
    expect(JSON.parse((await redis.get(`portal:${P}:settings`))!)).toMatchObject({ version: before.version, settings: { inbound: { defaultCompanyId: '555' } } });

    const again = await startTestApp({ REDIS_URL: testRedisUrl() });
    try {
      expect(await again.settings.read(P)).toEqual(before);
      expect(await redis.exists(`portal:${P}:settings`)).toBe(0);
    } finally { await again.stop(); }
    expect(await runKeyFormatCli(['sideways'], env, (l) => lines.push(l))).toBe(2);
    expect(lines.at(-1)).toBe('usage: npm run key-format -- status | down');
  });
});
