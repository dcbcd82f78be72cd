import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../support/hubspot-client.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';

let env: PortalEnv;
// Agents give access by hand here: new senders are not onboarded.
beforeAll(async () => { env = await startPortalEnv({ portal: { onboardNewContacts: false } }); });
afterAll(async () => { await env.stop(); });

const api = (path: string, method = 'GET', body?: unknown) =>
  deliver(env.app.url!, body, { method, path: `/api/extensions${path}${path.includes('?') ? '&' : '?'}userId=7&portalId=${env.P}&userEmail=agent%40support.example`, raw: body === undefined ? '' : JSON.stringify(body), publicUrl: env.base });

describe('the quick reply with portal credentials (the article\'s manual process)', () => {
  it('previews, then posts the credentials on the ticket\'s own conversation in the customer\'s language, once per click, giving access first', async () => {
    const { sandbox, P } = env;
    const { threadId } = sandbox.inboundEmail(P, { from: 'lucia@acme.example', name: 'Lucía Pérez', subject: 'No puedo entrar', text: 'Hola' });
    await env.settle();
    const lucia = sandbox.account(P).objects.contacts!.all().find((c) => c.properties.email === 'lucia@acme.example')!;
    sandbox.account(P).objects.contacts!.update(lucia.id, { hs_language: 'es' });
    const ticket = sandbox.ticketFromThread(P, threadId, {});
    await env.settle();

    const preview = await api(`/tickets/${ticket.id}/portal-reply/preview`, 'POST', {});
    expect(preview.body).toMatchObject({ channel: 'thread', threadId, to: 'lucia@acme.example', language: 'es', needsAccess: true, template: 'portal-credentials' });
    expect(preview.body!.text).toContain('Usuario: lucia@acme.example');
    expect(preview.body!.text).not.toMatch(/set-password/);
    const before = sandbox.account(P).messages.get(threadId)!.length;

    const sent = await api(`/tickets/${ticket.id}/portal-reply`, 'POST', { requestId: 'click-00000001' });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ channel: 'thread', threadId, to: 'lucia@acme.example', by: 'agent@support.example', language: 'es' });
    // The same click again (a retried request): no second reply.
    expect((await api(`/tickets/${ticket.id}/portal-reply`, 'POST', { requestId: 'click-00000001' })).status).toBe(200);
    const messages = sandbox.account(P).messages.get(threadId)!;
    expect(messages.length).toBe(before + 1);
    const reply = messages.at(-1)!;
    expect(reply).toMatchObject({ direction: 'OUTGOING', recipients: ['lucia@acme.example'], sender: { actorId: 'A-7' } });
    expect(reply.text).toContain('ya puedes seguir tus solicitudes');
    const link = /https?:\/\/\S+\/set-password\/[\w-]{43}/.exec(reply.text)?.[0];
    expect(link).toBeDefined();
    expect((await env.app.portal.accounts.get(P, lucia.id))?.state).toBe('invited');

    // The link in the reply works: Lucía chooses her password.
    const b = env.browser();
    await b.get(link!);
    await b.submit({ password: 'una contraseña muy larga', confirm: 'una contraseña muy larga' });
    expect((await env.app.portal.accounts.get(P, lucia.id))?.state).toBe('active');
    expect((await api(`/tickets/${ticket.id}/portal-reply`)).body!.replies).toEqual([expect.objectContaining({ channel: 'thread', to: 'lucia@acme.example' })]);
    expect(env.sandbox.violations).toEqual([]);
  });

  it('sends the credentials email when the ticket has no conversation, and says so', async () => {
    const { sandbox, P } = env;
    const omar = sandbox.seed(P, 'contacts', { email: 'omar@acme.example', firstname: 'Omar' });
    const ticket = sandbox.createTicket(P, { subject: 'Phone call: cannot sign in' }, omar.id);
    await env.settle();
    expect((await api(`/tickets/${ticket.id}/portal-reply/preview`, 'POST', {})).body).toMatchObject({ channel: 'email', to: 'omar@acme.example' });
    const sent = await api(`/tickets/${ticket.id}/portal-reply`, 'POST', { requestId: 'click-00000002' });
    expect(sent.body).toMatchObject({ channel: 'email', why: 'no-thread' });
    await env.settle();
    expect((await env.app.email.outbox.mailbox(P)).filter((m) => m.to === 'omar@acme.example').length).toBe(1);
  });

  it('sends the email instead, naming the scope, when the install may not post on conversations', async () => {
    const { sandbox, P } = env;
    const { threadId } = sandbox.inboundEmail(P, { from: 'ines@acme.example', name: 'Inès', subject: 'Accès', text: 'Bonjour' });
    await env.settle();
    const ticket = sandbox.ticketFromThread(P, threadId, {});
    await env.settle();
    sandbox.account(P).scopes.delete('conversations.write');
    try {
      const sent = await api(`/tickets/${ticket.id}/portal-reply`, 'POST', { requestId: 'click-00000003' });
      expect(sent.body).toMatchObject({ channel: 'email', why: 'scope', to: 'ines@acme.example' });
    } finally { sandbox.account(P).scopes.add('conversations.write'); }
  });

  it('refuses a ticket without a requester, naming what to do', async () => {
    const ticket = env.sandbox.createTicket(env.P, { subject: 'Nobody' });
    await env.settle();
    expect(await api(`/tickets/${ticket.id}/portal-reply/preview`, 'POST', {})).toEqual({ status: 409, body: { message: 'this ticket has no requester contact: associate the customer with the ticket first' } });
  });
});
