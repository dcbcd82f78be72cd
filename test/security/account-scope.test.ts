import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/queue/errors.js';
import { deliver, event } from '../support/hubspot-client.js';
import { flushTestRedis, testRedisUrl } from '../support/redis.js';
import { startTestApp } from '../support/test-app.js';

let release: () => void = () => undefined;
const released = new Promise<void>((r) => { release = r; });
const A = 4242;
const B = 5150;
let app: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  await flushTestRedis();
  // Account B's events wait until released, then fail for good; account A's are fine.
  const handler = async (e: { portalId: number }) => { if (e.portalId === B) { await released; throw new PermanentError('B breaks'); } };
  app = await startTestApp({ HUBSPOT_ACCESS_TOKEN: '', HUBSPOT_CLIENT_ID: 'c', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32), HUBSPOT_PORTAL_ID: '', REDIS_URL: testRedisUrl() }, { handlers: { 'ticket.creation': handler } });
  for (const p of [A, B]) await app.vault!.save(p, { accessToken: `t${p}`, refreshToken: 'r', expiresAt: Date.now() + 3_600_000, scopes: [] });
});
afterAll(async () => { await app.stop(); });

const status = (portalId: number) => deliver(app.url!, null, { method: 'GET', path: `/api/extensions/status?userId=1&portalId=${portalId}`, raw: '' });

describe('each account sees only itself', () => {
  it('counts dead letters and pending events per account on the status card', async () => {
    await deliver(app.url!, [event({ portalId: B, subscriptionType: 'ticket.creation' }), event({ portalId: B, subscriptionType: 'ticket.creation' }), event({ portalId: A, subscriptionType: 'ticket.creation' })]);
    // While B's two events are pending, A's card does not count them.
    await expect.poll(async () => (await status(B)).body?.queue, { timeout: 10_000 }).toEqual({ waiting: 2, active: 0 });
    expect((await status(A)).body).toMatchObject({ queue: { waiting: 0, active: 0 } });
    release();
    await app.queue.idle(20_000);
    expect((await status(A)).body).toMatchObject({ portalId: A, deadLetters: 0, queue: { waiting: 0 } });
    expect((await status(B)).body).toMatchObject({ portalId: B, deadLetters: 2 });
    // The operator still sees every account's.
    expect((await app.deadLetters.list(10)).length).toBe(2);
  });
});
