import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../support/hubspot-client.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { testKeys, testRedis } from '../support/redis.js';

let env: PortalEnv;
let redis: Redis;
beforeAll(async () => {
  env = await startPortalEnv();
  redis = testRedis();
  const shipped = await env.app.rules.read(env.P);
  await env.app.rules.save(env.P, { ...shipped.ruleSet, rules: shipped.ruleSet.rules.map((r) => ({ ...r, active: true })) }, shipped.version, 'test');
});
afterAll(async () => { await redis.quit(); await env.stop(); });

/** Every app key (not the queue's) whose name or value names the id (as a whole number) or the address. */
async function mentions(id: string, address: string): Promise<string[]> {
  const idPattern = new RegExp(`(^|[^0-9])${id}([^0-9]|$)`);
  const found: string[] = [];
  for (const key of [...await testKeys('portal:*'), ...await testKeys('app:*')]) {
    const type = await redis.type(key);
    const values = type === 'string' ? [await redis.get(key) ?? ''] : type === 'list' ? await redis.lrange(key, 0, -1) : type === 'hash' ? Object.values(await redis.hgetall(key)) : [];
    if (idPattern.test(key) || key.includes(address) || values.some((v) => idPattern.test(v) || v.toLowerCase().includes(address))) found.push(key);
  }
  return found;
}

async function deleted(subscriptionType: string, contactId: string) {
  const res = await deliver(env.app.url!, [{ eventId: Date.now(), subscriptionId: 5, portalId: env.P, appId: 77, occurredAt: Date.now(), subscriptionType, attemptNumber: 0, objectId: Number(contactId) }], { publicUrl: env.base });
  expect(res.status).toBe(200);
  await env.app.queue.idle(20_000);
}

async function customerWithHistory(email: string, name: string): Promise<string> {
  const { sandbox, P } = env;
  sandbox.inboundEmail(P, { from: email, name, subject: 'Hello', text: 'Hi' });
  await env.settle();
  const id = sandbox.account(P).objects.contacts!.all().find((c) => c.properties.email === email)!.id;
  sandbox.createTicket(P, { subject: '[Portal Credentials]' }, id);
  await env.settle();
  // She sets her password and signs in: the provider holds a session and a grant naming her.
  const b = env.browser();
  await b.get((await env.latestLink(email))!);
  await b.submit({ password: 'correct horse battery staple', confirm: 'correct horse battery staple' });
  await b.get(sandbox.portal.portalUrl(P));
  await b.submit({ email, password: 'correct horse battery staple' });
  expect(b.text()).toContain(`Signed in as ${name}`);
  return id;
}

describe('contacts deleted in HubSpot', () => {
  it('a privacy deletion erases every trace of the person: no key or value names the contact id or the address', async () => {
    const id = await customerWithHistory('ada@acme.example', 'Ada Lovelace');
    expect((await mentions(id, 'ada@acme.example')).length).toBeGreaterThan(5);
    await deleted('contact.privacyDeletion', id);
    expect(await mentions(id, 'ada@acme.example')).toEqual([]);
  });

  it('a plain deletion drops what is tied to the contact id (filing, email log, portal account) and keeps shared history', async () => {
    const id = await customerWithHistory('linus@acme.example', 'Linus Torvalds');
    await deleted('contact.deletion', id);
    expect(await env.app.store.get(`portal:{${env.P}}:filing:${id}`)).toBeNull();
    expect(await env.app.email.service.log(env.app.store, env.P, id)).toEqual([]);
    expect(await env.app.portal.accounts.get(env.P, id)).toBeNull();
    expect(await env.app.portal.accounts.findByLogin(env.P, 'linus@acme.example')).toBeNull();
    // The outbox listing (what was sent, without secrets) stays for the team.
    expect((await env.app.email.outbox.list(env.P)).some((m) => m.to === 'linus@acme.example')).toBe(true);
  });
});
