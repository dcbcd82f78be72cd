import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../support/hubspot-client.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';

let env: PortalEnv;
beforeAll(async () => { env = await startPortalEnv(); });
afterAll(async () => { await env.stop(); });

const api = (path: string, method = 'GET', body?: unknown) =>
  deliver(env.app.url!, body, { method, path: `/api/extensions${path}${path.includes('?') ? '&' : '?'}userId=7&portalId=${env.P}&userEmail=agent%40support.example`, raw: body === undefined ? '' : JSON.stringify(body), publicUrl: env.base });
const mailsTo = async (email: string) => (await env.app.email.outbox.mailbox(env.P)).filter((m) => m.to === email);
const setPassword = async (email: string, password: string) => {
  const b = env.browser();
  await b.get((await env.latestLink(email))!);
  await b.submit({ password, confirm: password });
  expect(b.text()).toContain('Your password is saved');
};

describe('a reset is not a welcome', () => {
  it('a second [Portal Credentials] request of a customer who has a password sends the reset email; one who never chose one is welcomed again', async () => {
    const { sandbox, P } = env;
    sandbox.inboundEmail(P, { from: 'ada@acme.example', name: 'Ada Lovelace', subject: 'Help', text: 'Hi' });
    sandbox.inboundEmail(P, { from: 'hedy@acme.example', name: 'Hedy Lamarr', subject: 'Help', text: 'Hi' });
    await env.settle();
    await setPassword('ada@acme.example', 'analytical engine 1843');
    const contact = (email: string) => sandbox.account(P).objects.contacts!.all().find((c) => c.properties.email === email)!;
    sandbox.createTicket(P, { subject: '[Portal Credentials]' }, contact('ada@acme.example').id);
    sandbox.createTicket(P, { subject: '[Portal Credentials]' }, contact('hedy@acme.example').id);
    await env.settle();
    const [adaNewest] = await mailsTo('ada@acme.example');
    expect(adaNewest!.text).toContain('you already have access to our customer portal');
    const hedy = await mailsTo('hedy@acme.example');
    expect(hedy.map((m) => m.text.includes('you can now follow your requests'))).toEqual([true, true]);
    // The ticket card says the reset email went out (not "queued").
    const ticketId = sandbox.account(P).objects.tickets!.all().find((t) => t.properties.subject === '[Portal Credentials]')!.id;
    const runs = (await api(`/tickets/${ticketId}/rule-runs`)).body!.runs as { actions: { type: string; email?: { template: string }; delivered?: { state: string } }[] }[];
    expect(runs[0]!.actions.find((a) => a.type === 'sendPortalCredentials')).toMatchObject({ email: { template: 'portal-reset' }, delivered: { state: 'sent' } });
  });

  it('the agent\'s reset sends the reset email, and the customer\'s password keeps working until a new one is set', async () => {
    const ada = env.sandbox.account(env.P).objects.contacts!.all().find((c) => c.properties.email === 'ada@acme.example')!;
    expect((await api(`/contacts/${ada.id}/portal/reset`, 'POST', { requestId: 'reset-click-1' })).status).toBe(202);
    await env.settle();
    const [newest] = await mailsTo('ada@acme.example');
    expect(newest!.subject).toBe('Your access to our customer portal');
    expect(newest!.text).toContain('If you forgot your password, choose a new one here');
    const account = await env.app.portal.accounts.get(env.P, ada.id);
    expect(await env.app.portal.hasher.verify(account!.passwordHash!, 'analytical engine 1843')).toBe(true);
    expect(account!.mustChangePassword ?? false).toBe(false);
  });
});
