import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';

let env: PortalEnv;
beforeAll(async () => { env = await startPortalEnv({ portal: { passwordMode: 'temporary' } }); });
afterAll(async () => { await env.stop(); });

describe('the admin\'s opt-in "temporary password" mode', () => {
  it('emails a random password that works once, and makes the customer choose their own before the sign-in completes', async () => {
    const { sandbox, P } = env;
    sandbox.inboundEmail(P, { from: 'joan@acme.example', name: 'Joan Clarke', subject: 'Hi', text: 'Hello' });
    await env.settle();
    const mail = (await env.app.email.outbox.mailbox(P)).find((m) => m.to === 'joan@acme.example')!;
    expect(mail.text).not.toMatch(/set-password/);
    const joan = sandbox.account(P).objects.contacts!.all().find((c) => c.properties.email === 'joan@acme.example')!;
    const temporary = (await env.app.portal.accounts.get(P, joan.id))!;
    expect(temporary).toMatchObject({ state: 'active', mustChangePassword: true });
    // The password appears in the customer's copy only; the listed outbox copy and the timeline copy have it removed.
    const listed = (await env.app.email.outbox.list(P)).find((m) => m.to === 'joan@acme.example')!;
    const password = mail.text.split(/\s+/).find((w) => w.length === 16 && !listed.text.includes(w))!;
    expect(password).toBeDefined();

    const b = env.browser();
    await b.get(sandbox.portal.portalUrl(P));
    await b.submit({ email: 'joan@acme.example', password });
    expect(b.text()).toContain('Your temporary password worked. Choose your own password now');
    await b.submit({ password: 'enigma bombe hut eight', confirm: 'enigma bombe hut eight' });
    expect(b.url).toBe(sandbox.portal.portalUrl(P));
    expect(b.text()).toContain('Signed in as Joan Clarke (joan@acme.example)');
    expect(await env.app.portal.accounts.get(P, joan.id)).toMatchObject({ mustChangePassword: false });

    // The temporary password no longer works.
    const again = env.browser();
    await again.get(sandbox.portal.portalUrl(P));
    await again.submit({ email: 'joan@acme.example', password });
    expect(again.text()).toContain('The email address or password is not right');
  });
});

describe('the agent\'s temporary password, read out on the phone (the article: "via email or other channels")', () => {
  it('is shown once, works once and must be changed at the first sign-in, is recorded in the admin audit, and is kept nowhere in clear', async () => {
    const { deliver } = await import('../support/hubspot-client.js');
    const { sandbox, P } = env;
    sandbox.inboundEmail(P, { from: 'alan@acme.example', name: 'Alan Turing', subject: 'Phone', text: 'I will call' });
    await env.settle();
    const alan = sandbox.account(P).objects.contacts!.all().find((c) => c.properties.email === 'alan@acme.example')!;
    const card = (path: string, body: unknown) => deliver(env.app.url!, body, { method: 'POST', path: `/api/extensions${path}?userId=9&portalId=${P}&userEmail=agent%40support.example`, raw: JSON.stringify(body), publicUrl: env.base });

    const shown = await card(`/contacts/${alan.id}/portal/temporary-password`, { requestId: 'phone-call-0001' });
    expect(shown.status).toBe(200);
    const password = String(shown.body!.password);
    expect(password).toMatch(/^[a-hj-km-np-z2-9]{4}-[a-hj-km-np-z2-9]{4}-[a-hj-km-np-z2-9]{4}$/);
    // The same click again does not show it a second time.
    expect((await card(`/contacts/${alan.id}/portal/temporary-password`, { requestId: 'phone-call-0001' })).status).toBe(409);

    // Nowhere in clear: not in any key of the store.
    const { Redis } = await import('ioredis');
    const { testRedisUrl } = await import('../support/redis.js');
    const redis = new Redis(testRedisUrl());
    try {
      const found: string[] = [];
      for (const key of await redis.keys('*')) {
        const type = await redis.type(key);
        const values = type === 'string' ? [await redis.get(key)] : type === 'list' ? await redis.lrange(key, 0, -1) : type === 'hash' ? Object.values(await redis.hgetall(key)) : [];
        if (values.some((v) => v?.includes(password))) found.push(key);
      }
      expect(found).toEqual([]);
    } finally { await redis.quit(); }

    const audit = await deliver(env.app.url!, undefined, { method: 'GET', path: `/api/extensions/admin-audit?userId=1&portalId=${P}`, raw: '', publicUrl: env.base });
    expect(audit.body!.changes).toEqual(expect.arrayContaining([expect.objectContaining({ userId: 9, userEmail: 'agent@support.example', action: `POST /contacts/${alan.id}/portal/temporary-password` })]));

    const b = env.browser();
    await b.get(sandbox.portal.portalUrl(P));
    await b.submit({ email: 'alan@acme.example', password });
    expect(b.text()).toContain('Your temporary password worked. Choose your own password now');
    await b.submit({ password: 'imitation game 1950', confirm: 'imitation game 1950' });
    expect(b.text()).toContain('Signed in as Alan Turing (alan@acme.example)');
  });
});
