import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import { defaultRuleSet } from '../../src/rules/default-rules.js';
import { accountSetupTasks, provisionAccount } from '../../src/server/provision-account.js';
import { deliver } from '../support/hubspot-client.js';
import { SANDBOX_PORTAL, startAppWithSandbox, withEveryWebhookThreeTimes } from '../support/sandbox.js';

let sandbox: HubSpotSandbox;
let app: Awaited<ReturnType<typeof startAppWithSandbox>>['app'];
let env: Awaited<ReturnType<typeof startAppWithSandbox>>;
const P = SANDBOX_PORTAL;

beforeAll(async () => {
  env = await startAppWithSandbox({ searchDelayMs: 0 });
  ({ sandbox, app } = env);
  const active = { ...defaultRuleSet, rules: [
    { ...defaultRuleSet.rules[0]!, active: true },
    {
      id: 'flag-urgent', name: 'Flag urgent titles', description: '', active: true, position: 5, ignoreFlow: true, trigger: 'ticket.titleChanged' as const,
      conditions: { match: 'all' as const, conditions: [{ field: 'title' as const, operator: 'contains' as const, value: 'urgent', caseSensitive: false }] },
      actions: [{ type: 'setProperty' as const, property: 'subject', value: 'URGENT: handled by rule' }],
    },
  ] };
  await app.rules.save(P, active, 0, 'test');
  // The install's setup (the access list) and the portal's address, as an admin leaves them.
  await provisionAccount(P, app.hubspot, app.store, accountSetupTasks(app.settings, app.store));
  const current = await app.settings.read(P);
  await app.settings.save(P, { ...current.settings, portal: { ...current.settings.portal, portalUrl: 'https://support.acme.example' } }, current.version, 'test');
});
afterAll(async () => { await env.stop(); });

const settle = () => env.settle();
const api = (path: string, method = 'GET', body?: unknown) =>
  deliver(app.url!, body, { method, path: `/api/extensions${path}${path.includes('?') ? '&' : '?'}portalId=${P}`, raw: body === undefined ? '' : JSON.stringify(body) });

describe('ticket rules against the sandbox', () => {
  it('gives the requester of a [Portal Credentials] ticket portal access and emails the credentials once, even when the webhook comes three times', async () => {
    const ada = sandbox.seed(P, 'contacts', { email: 'ada@acme.example', firstname: 'Ada' });
    const ticketId = await withEveryWebhookThreeTimes(env, () => sandbox.createTicket(P, { subject: '[Portal Credentials]' }, ada.id).id);
    const mails = (await app.email.outbox.list(P)).filter((m) => m.to === 'ada@acme.example');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Your access to our customer portal');
    const listId = (await app.settings.read(P)).settings.portal.accessListId!;
    expect([...sandbox.account(P).lists.get(listId)!.members.keys()]).toEqual([ada.id]);
    expect(await app.portal.accounts.get(P, ada.id)).toMatchObject({ state: 'invited', email: 'ada@acme.example' });
    const runs = (await api(`/tickets/${ticketId}/rule-runs`)).body!.runs as { decisions: { ruleId: string; fired: boolean }[]; actions: { status: string }[] }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]!.decisions).toEqual([expect.objectContaining({ ruleId: 'portal-credentials', fired: true })]);
    expect(runs[0]!.actions).toEqual([expect.objectContaining({ type: 'grantPortalAccess', status: 'done' }), expect.objectContaining({ type: 'sendPortalCredentials', status: 'queued' })]);
  });

  it('does not trigger itself when a rule sets the title', async () => {
    const ticket = sandbox.createTicket(P, { subject: 'Printer' });
    await settle();
    sandbox.changeTicket(P, ticket.id, { subject: 'Printer is urgent' });
    await settle();
    expect(sandbox.account(P).objects.tickets!.get(ticket.id)!.properties.subject).toBe('URGENT: handled by rule');
    const runs = (await api(`/tickets/${ticket.id}/rule-runs`)).body!.runs as { trigger: string; snapshot: { title: string } }[];
    // One run at creation, one for the agent's change; none for the rule's own write.
    expect(runs.map((r) => [r.trigger, r.snapshot.title]).reverse()).toEqual([['ticket.created', 'Printer'], ['ticket.titleChanged', 'Printer is urgent']]);
  });

  it('tries the rules on a sample title with the explanation, and refuses a rule file naming the problem', async () => {
    const dry = await api('/rules/test', 'POST', { title: ' [Credenziali  del Portale] ' });
    expect(dry.body).toMatchObject({ fired: [{ ruleId: 'portal-credentials', conditions: [{ field: 'title', operator: 'anyOf', held: true }] }] });
    const current = (await api('/rules')).body!;
    const bad = await api('/rules', 'PUT', { expectedVersion: current.version, ruleSet: { version: 1, rules: [{ ...defaultRuleSet.rules[0], actions: [{ type: 'addNote', body: '' }] }] } });
    expect(bad.status).toBe(400);
    expect(bad.body!.problems).toEqual([expect.stringMatching(/^rules\.0\.actions\.0\.body: /)]);
  });

  it('adds a note to the ticket with the rule action addNote (notes API), once however often HubSpot redelivers, the admin\'s text kept as text', async () => {
    const current = (await api('/rules')).body! as { version: number; ruleSet: { version: 1; rules: Record<string, unknown>[] } };
    const noteRule = {
      id: 'note-invoices', name: 'Note on invoice tickets', description: '', active: true, position: 9, ignoreFlow: true, trigger: 'ticket.created',
      conditions: { match: 'all', conditions: [{ field: 'title', operator: 'contains', value: 'invoice' }] },
      actions: [{ type: 'addNote', body: 'Billing: check <b>SAP</b> first\nthen reply' }],
    };
    const saved = await api('/rules', 'PUT', { expectedVersion: current.version, ruleSet: { ...current.ruleSet, rules: [...current.ruleSet.rules, noteRule] } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const ticket = await withEveryWebhookThreeTimes(env, () => sandbox.createTicket(P, { subject: 'Invoice missing' }));
    const notes = sandbox.account(P).objects.notes!.all().filter((n) => sandbox.account(P).associationsOf('notes', n.id, 'tickets').some((a) => a.toObjectId === ticket.id));
    expect(notes.map((n) => n.properties.hs_note_body)).toEqual(['Billing: check &#60;b&#62;SAP&#60;/b&#62; first<br>then reply']);
    const runs = (await api(`/tickets/${ticket.id}/rule-runs`)).body!.runs as { actions: { type: string; status: string }[] }[];
    expect(runs.flatMap((r) => r.actions).filter((a) => a.type === 'addNote').map((a) => a.status)).toContain('done');
    expect(sandbox.violations).toEqual([]);
  });

  it('runs the rules for a ticket delivered as a generic object.creation event (objectTypeId 0-5), once, as for ticket.creation', async () => {
    const grace = sandbox.seed(P, 'contacts', { email: 'grace@acme.example', firstname: 'Grace' });
    const ticket = sandbox.account(P).objects.tickets!.create({ subject: '[Credenciales del Portal]', hs_pipeline: '0', hs_pipeline_stage: '1' });
    sandbox.account(P).associate('tickets', ticket.id, 'contacts', grace.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 16 }]);
    const generic = { eventId: 77_001, subscriptionId: 9, portalId: P, appId: 77, occurredAt: Date.now(), subscriptionType: 'object.creation', objectTypeId: '0-5', attemptNumber: 0, objectId: Number(ticket.id), changeSource: 'CRM_UI' };
    for (let i = 0; i < 2; i++) expect((await deliver(app.url!, [{ ...generic, attemptNumber: i }])).status).toBe(200);
    await app.queue.idle(20_000);
    await settle();
    const runs = (await api(`/tickets/${ticket.id}/rule-runs`)).body!.runs as { trigger: string; actions: { type: string; status: string }[] }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]!.actions.map((a) => [a.type, a.status])).toEqual([['grantPortalAccess', 'done'], ['sendPortalCredentials', 'queued']]);
    expect((await app.email.outbox.list(P)).filter((m) => m.to === 'grace@acme.example')).toHaveLength(1);
  });
});
