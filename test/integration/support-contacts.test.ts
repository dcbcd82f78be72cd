import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import { accountSetupTasks, provisionAccount } from '../../src/server/provision-account.js';
import { deliver } from '../support/hubspot-client.js';
import { SANDBOX_PORTAL, startAppWithSandbox, withEveryWebhookThreeTimes } from '../support/sandbox.js';

let sandbox: HubSpotSandbox;
let env: Awaited<ReturnType<typeof startAppWithSandbox>>;
const P = SANDBOX_PORTAL;
beforeAll(async () => { env = await startAppWithSandbox({ searchDelayMs: 0 }); sandbox = env.sandbox; });
afterAll(async () => { await env.stop(); });

const api = (path: string, method = 'GET', body?: unknown, userId = '1') =>
  deliver(env.app.url!, body, { method, path: `/api/extensions${path}${path.includes('?') ? '&' : '?'}portalId=${P}&userId=${userId}&userEmail=agent%40support.example`, raw: body === undefined ? '' : JSON.stringify(body) });

describe('support contacts of a customer company', () => {
  it('creates the association label and the company properties at install, and a second install changes nothing', async () => {
    const first = await provisionAccount(P, env.app.hubspot, env.app.store, accountSetupTasks(env.app.settings, env.app.store));
    expect(first.steps.at(-1)).toMatchObject({ ok: true, detail: expect.stringContaining('created label') });
    await env.app.store.del(`portal:{${P}}:support-label`); // a second process without the cached id
    const second = await provisionAccount(P, env.app.hubspot, env.app.store, accountSetupTasks(env.app.settings, env.app.store));
    expect(second.steps.at(-1)).toMatchObject({ ok: true, detail: 'already there' });
    expect(sandbox.account(P).labels.get('companies>contacts')).toEqual([expect.objectContaining({ label: 'Support contact', category: 'USER_DEFINED' })]);
    expect([...sandbox.account(P).properties.get('companies')!.keys()]).toEqual(['portal_autopilot_support_contacts', 'portal_autopilot_needs_support_contact']);
  });

  it('saves what the card says (a labelled contact and a plain address), refuses an invalid address keeping nothing, and keeps a customer\'s last one', async () => {
    const acme = sandbox.seed(P, 'companies', { name: 'Acme', domain: 'acme.example', lifecyclestage: 'customer' });
    const grace = sandbox.seed(P, 'contacts', { email: 'grace@acme.example', firstname: 'Grace', lastname: 'Hopper' });
    const found = await api('/support-contacts/search?q=grace');
    expect(found.body!.results).toEqual([{ kind: 'contact', contactId: grace.id, email: 'grace@acme.example', name: 'Grace Hopper' }]);

    const bad = await api(`/companies/${acme.id}/support-contacts`, 'PUT', { contacts: [{ kind: 'contact', contactId: grace.id, email: 'grace@acme.example' }, { kind: 'email', email: 'ops@@acme.example' }] });
    expect(bad).toEqual({ status: 400, body: { message: 'invalid email address: ops@@acme.example' } });
    expect((await api(`/companies/${acme.id}/support-contacts`)).body).toMatchObject({ contacts: [], needsOne: true, isCustomer: true });

    const saved = await api(`/companies/${acme.id}/support-contacts`, 'PUT', { contacts: [{ kind: 'contact', contactId: grace.id, email: 'grace@acme.example' }, { kind: 'email', email: 'Ops@Acme.example' }] });
    expect(saved.status).toBe(200);
    const typeId = sandbox.account(P).labels.get('companies>contacts')![0]!.typeId;
    expect(sandbox.account(P).associationsOf('companies', acme.id, 'contacts')).toEqual([{ toObjectId: grace.id, types: [{ associationCategory: 'USER_DEFINED', associationTypeId: typeId }] }]);
    expect(sandbox.account(P).objects.companies!.get(acme.id)!.properties).toMatchObject({ portal_autopilot_support_contacts: 'ops@acme.example', portal_autopilot_needs_support_contact: 'false' });
    const read = await api(`/companies/${acme.id}/support-contacts`);
    expect(read.body).toMatchObject({ contacts: [{ kind: 'contact', email: 'grace@acme.example', name: 'Grace Hopper' }, { kind: 'email', email: 'ops@acme.example' }], needsOne: false, canEdit: true });
    expect(read.body!.history).toEqual([expect.objectContaining({ by: 'agent@support.example', added: [`contact ${grace.id} grace@acme.example`, 'address ops@acme.example'], removed: [] })]);

    const none = await api(`/companies/${acme.id}/support-contacts`, 'PUT', { contacts: [] });
    expect(none).toEqual({ status: 400, body: { message: 'Acme is a customer: it must keep at least one support contact' } });
    const dup = await api(`/companies/${acme.id}/support-contacts`, 'PUT', { contacts: [{ kind: 'email', email: 'a@acme.example' }, { kind: 'email', email: 'A@ACME.example' }] });
    expect(dup).toEqual({ status: 400, body: { message: 'a@acme.example is listed twice' } });
  });

  it('lets only the app\'s admins change support contacts when the admin chose "admins only"; everyone when "everyone"', async () => {
    const acme = sandbox.account(P).objects.companies!.all().find((c) => c.properties.name === 'Acme')!;
    const list = { contacts: [{ kind: 'email', email: 'ops@acme.example' }, { kind: 'email', email: 'desk@acme.example' }] };
    const setEditors = async (editors: 'admins' | 'everyone') => {
      const current = await env.app.settings.read(P);
      await env.app.settings.save(P, { ...current.settings, supportContacts: { ...current.settings.supportContacts, editors } }, current.version, 'admin');
    };
    await setEditors('admins');
    try {
      // User 2 is no admin of the app: read-only on the card, refused by the API, nothing changes.
      expect((await api(`/companies/${acme.id}/support-contacts`, 'GET', undefined, '2')).body).toMatchObject({ canEdit: false });
      expect(await api(`/companies/${acme.id}/support-contacts`, 'PUT', list, '2')).toEqual({ status: 403, body: { message: 'only an admin of Portal Autopilot can change support contacts in this account' } });
      expect((await api(`/companies/${acme.id}/support-contacts`)).body).toMatchObject({ contacts: [expect.objectContaining({ email: 'grace@acme.example' }), { kind: 'email', email: 'ops@acme.example' }] });
      // User 1 is an admin.
      expect((await api(`/companies/${acme.id}/support-contacts`, 'GET', undefined, '1')).body).toMatchObject({ canEdit: true });
      expect((await api(`/companies/${acme.id}/support-contacts`, 'PUT', list, '1')).status).toBe(200);
    } finally { await setEditors('everyone'); }
    expect((await api(`/companies/${acme.id}/support-contacts`, 'GET', undefined, '2')).body).toMatchObject({ canEdit: true });
    const grace = sandbox.account(P).objects.contacts!.all().find((c) => c.properties.email === 'grace@acme.example')!;
    expect((await api(`/companies/${acme.id}/support-contacts`, 'PUT', { contacts: [{ kind: 'contact', contactId: grace.id, email: 'grace@acme.example' }, { kind: 'email', email: 'ops@acme.example' }] }, '2')).status).toBe(200);
  });

  it('finds HubSpot users beside contacts; an install without the users scope still finds contacts and says which scope the admin must add', async () => {
    const lin = sandbox.seed(P, 'users', { hs_email: 'lin@support.example', hs_given_name: 'Lin', hs_family_name: 'Grace' });
    const both = await api('/support-contacts/search?q=grace');
    expect(both.body).toEqual({ results: [
      expect.objectContaining({ kind: 'contact', email: 'grace@acme.example' }),
      { kind: 'user', userId: lin.id, email: 'lin@support.example', name: 'Lin Grace' },
    ] });
    sandbox.account(P).scopes.delete('crm.objects.users.read');
    try {
      const contactsOnly = await api('/support-contacts/search?q=grace');
      expect(contactsOnly.status).toBe(200);
      expect(contactsOnly.body).toEqual({ results: [expect.objectContaining({ kind: 'contact', email: 'grace@acme.example' })], usersUnsearched: { reason: 'missing-scope', scopes: ['crm.objects.users.read'] } });
    } finally { sandbox.account(P).scopes.add('crm.objects.users.read'); }
  });

  it('sends each support contact one issue report per new ticket of the company, not its own raiser, whatever HubSpot redelivers', async () => {
    const acme = sandbox.account(P).objects.companies!.all().find((c) => c.properties.name === 'Acme')!;
    const ada = sandbox.seed(P, 'contacts', { email: 'ada@acme.example', firstname: 'Ada', associatedcompanyid: acme.id });
    const ticketId = await withEveryWebhookThreeTimes(env, () => sandbox.createTicket(P, { subject: 'Printer on fire', content: 'Smoke everywhere', hs_ticket_priority: 'HIGH' }, ada.id).id);
    const reports = (await env.app.email.outbox.list(P)).filter((m) => m.subject.includes('Printer on fire'));
    expect(reports.map((m) => m.to).sort()).toEqual(['grace@acme.example', 'ops@acme.example']);
    expect(reports[0]!.subject).toBe('New issue reported by Acme: Printer on fire');
    expect(reports[0]!.text).toContain(`Printer on fire (ticket ${ticketId}, priority high)\nSmoke everywhere`);
    expect(reports[0]!.text).toContain(`The ticket: https://app.hubspot.com/contacts/${P}/record/0-5/${ticketId}`);

    // Grace raises one herself: only the other support contact is told.
    const grace = sandbox.account(P).objects.contacts!.all().find((c) => c.properties.email === 'grace@acme.example')!;
    sandbox.account(P).objects.contacts!.update(grace.id, { associatedcompanyid: acme.id });
    sandbox.createTicket(P, { subject: 'Second issue' }, grace.id);
    await env.settle();
    expect((await env.app.email.outbox.list(P)).filter((m) => m.subject.includes('Second issue')).map((m) => m.to)).toEqual(['ops@acme.example']);
  });
});

describe('a company that becomes a customer', () => {
  it('is flagged when it has no support contact (a company property an admin can build a list on)', async () => {
    const initech = sandbox.seed(P, 'companies', { name: 'Initech', domain: 'initech.example', lifecyclestage: 'lead' });
    sandbox.changeCompany(P, initech.id, { lifecyclestage: 'customer' });
    await env.settle();
    expect(sandbox.account(P).objects.companies!.get(initech.id)!.properties.portal_autopilot_needs_support_contact).toBe('true');
    expect((await api(`/companies/${initech.id}/support-contacts`)).body).toMatchObject({ needsOne: true, isCustomer: true });
  });
});
