import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';

let env: PortalEnv;
beforeAll(async () => { env = await startPortalEnv(); });
afterAll(async () => { await env.stop(); });

describe('customer portal sign-in through the app (browserless)', () => {
  it('a new inbound sender gets access and a link, sets a password and signs in to the portal, which shows their tickets', async () => {
    const { sandbox, P } = env;
    sandbox.inboundEmail(P, { from: 'ada@acme.example', name: 'Ada Lovelace', subject: 'Help', text: 'Hi' });
    await env.settle();
    const ada = sandbox.account(P).objects.contacts!.all().find((c) => c.properties.email === 'ada@acme.example')!;
    sandbox.createTicket(P, { subject: 'Printer on fire' }, ada.id);
    await env.settle();
    const link = await env.latestLink('ada@acme.example');
    expect(link).toBeDefined();

    const b = env.browser();
    await b.get(link!);
    expect(b.status).toBe(200);
    expect(b.text()).toContain('Choose the password for ada@acme.example');
    await b.submit({ password: 'correct horse battery staple', confirm: 'correct horse battery staple' });
    expect(b.text()).toContain('Your password is saved');

    await b.get(sandbox.portal.portalUrl(P));
    expect(b.url).toContain('/portal/interaction/');
    await b.submit({ email: 'ada@acme.example', password: 'correct horse battery staple' });
    expect(b.url).toBe(sandbox.portal.portalUrl(P));
    expect(b.text()).toContain('Signed in as Ada Lovelace (ada@acme.example)');
    expect(b.text()).toContain('Your tickets (1)');
  });
});
