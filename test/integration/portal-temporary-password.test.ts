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
