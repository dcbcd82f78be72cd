import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flagIfWithoutSupport, PROPS, provisionSupportContacts, readSupportContacts, saveSupportContacts, supportHistory, supportLabelTypeId, SupportContactsError, type SupportCtx } from '../../src/support-contacts/support-contacts.js';
import { keys } from '../../src/store/keys.js';
import { SANDBOX_PORTAL, startAppWithSandbox } from '../support/sandbox.js';

// How support contacts live in HubSpot (a labelled association per contact, a property for users
// and addresses, a flag for customers without one), pinned against the sandbox call by call.
const P = SANDBOX_PORTAL;
let env: Awaited<ReturnType<typeof startAppWithSandbox>>;
beforeAll(async () => { env = await startAppWithSandbox({ searchDelayMs: 0 }); });
afterAll(async () => { await env.stop(); });

const ctx = async (over: Partial<SupportCtx['settings']['supportContacts']> = {}): Promise<SupportCtx> => {
  const settings = (await env.app.settings.read(P)).settings;
  return { portalId: P, hubspot: env.app.hubspot, store: env.app.store, settings: { ...settings, supportContacts: { ...settings.supportContacts, ...over } } };
};
const calls = (route: string) => env.sandbox.callsByRoute()[route] ?? 0;
const company = (id: string) => env.sandbox.account(P).objects.companies!.get(id)!.properties;

describe('support contacts as HubSpot keeps them', () => {
  it('before the install made the label: reading finds no support contacts and makes nothing; a label of HubSpot\'s own or under another name is not ours', async () => {
    const labels = env.sandbox.account(P).labels;
    labels.set('companies>contacts', [
      { typeId: 1, label: 'Support contact', name: 'hubspot_support_contact', category: 'HUBSPOT_DEFINED' },
      { typeId: 90, label: 'Support contacts', name: 'someone_elses', category: 'USER_DEFINED' },
    ]);
    const early = env.sandbox.seed(P, 'companies', { name: 'Early', domain: 'early.example', lifecyclestage: 'customer' });
    const posted = calls('POST /crm/associations/v4/:from/:to/labels');
    expect(await supportLabelTypeId(await ctx())).toBeNull();
    const view = await readSupportContacts(await ctx(), early.id);
    expect(view).toEqual({ companyId: early.id, companyName: 'Early', isCustomer: true, contacts: [], needsOne: true });
    expect(calls('POST /crm/associations/v4/:from/:to/labels')).toBe(posted);
    // Without a label there is nothing to look for among the company's associations.
    expect(calls('GET /crm/v4/objects/companies/:id/associations/:toType')).toBe(0);
    expect(await env.app.store.get(keys.supportLabel(P))).toBeNull();
  });

  it('makes the label, the group and both company properties once, and says so; admins can read them in HubSpot', async () => {
    expect(await provisionSupportContacts(P, env.app.hubspot, env.app.store)).toBe('created label, group, portal_autopilot_support_contacts, portal_autopilot_needs_support_contact');
    expect(await provisionSupportContacts(P, env.app.hubspot, env.app.store)).toBe('already there');
    // The label's id is kept: read from HubSpot once.
    const listed = calls('GET /crm/associations/v4/:from/:to/labels');
    expect(listed).toBeGreaterThan(0);
    const typeId = await supportLabelTypeId(await ctx());
    expect(typeId).toBe(env.sandbox.account(P).labels.get('companies>contacts')!.find((l) => l.name === 'portal_autopilot_support_contact')!.typeId);
    expect(calls('GET /crm/associations/v4/:from/:to/labels')).toBe(listed);
    expect(await env.app.store.get(keys.supportLabel(P))).toBe(String(typeId));
    // What admins see in HubSpot: a "Portal Autopilot" group, a text field of users and addresses, a yes/no flag.
    const props = env.sandbox.account(P).properties.get('companies')!;
    expect(env.sandbox.account(P).propertyGroups.get('companies')).toContain('portal_autopilot');
    expect(props.get(PROPS.others)).toMatchObject({
      label: 'Support contacts (users and addresses)', type: 'string', fieldType: 'textarea', groupName: 'portal_autopilot',
      description: 'Portal Autopilot: HubSpot users and email addresses who receive every issue report of this company (contacts carry the "Support contact" association label).',
    });
    expect(props.get(PROPS.needsOne)).toMatchObject({
      label: 'Needs a support contact', type: 'bool', fieldType: 'booleancheckbox', groupName: 'portal_autopilot',
      description: 'Portal Autopilot: a customer company without any support contact.',
      options: [{ label: 'Yes', value: 'true', displayOrder: 0, hidden: false }, { label: 'No', value: 'false', displayOrder: 1, hidden: false }],
    });
    const label = env.sandbox.account(P).labels.get('companies>contacts')!.find((l) => l.name === 'portal_autopilot_support_contact');
    expect(label).toMatchObject({ label: 'Support contact', category: 'USER_DEFINED' });
  });

  it('reads users and addresses from the property as an admin may have typed them, and only "user:<id> <address>" as a user', async () => {
    const typed = env.sandbox.seed(P, 'companies', { name: 'Typed', domain: 'typed.example', lifecyclestage: 'lead', [PROPS.others]: ' user:12 Ann@typed.example ;; ops@typed.example;xuser:13 b@typed.example; user:1x c@typed.example ;user:14 d@typed.example extra' });
    expect((await readSupportContacts(await ctx(), typed.id)).contacts).toEqual([
      { kind: 'user', userId: '12', email: 'Ann@typed.example' },
      { kind: 'email', email: 'ops@typed.example' },
      { kind: 'email', email: 'xuser:13 b@typed.example' },
      { kind: 'email', email: 'user:1x c@typed.example' },
      { kind: 'email', email: 'user:14 d@typed.example extra' },
    ]);
  });

  it('saves contacts as labelled associations and the rest in the property, records who changed what, and reads them back the same', async () => {
    const acme = env.sandbox.seed(P, 'companies', { name: 'Acme', domain: 'acme.example', lifecyclestage: 'customer' });
    const grace = env.sandbox.seed(P, 'contacts', { email: 'grace@acme.example', firstname: 'Grace', lastname: 'Hopper' });
    const plain = env.sandbox.seed(P, 'contacts', { email: 'plain@acme.example' });
    // An association without the label is not a support contact.
    env.sandbox.account(P).associate('companies', acme.id, 'contacts', plain.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 280 }]);
    // Grace is the company's contact the usual way too: the label is added beside HubSpot's own type.
    env.sandbox.account(P).associate('companies', acme.id, 'contacts', grace.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 280 }]);
    const saved = await saveSupportContacts(await ctx(), acme.id, [
      { kind: 'contact', contactId: grace.id, email: 'Grace@Acme.example' }, { kind: 'user', userId: '7', email: 'Agent@Support.example' }, { kind: 'email', email: 'OPS@acme.example' },
    ], 'agent@support.example');
    expect(saved).toMatchObject({ companyId: acme.id, companyName: 'Acme', isCustomer: true, needsOne: false });
    expect(saved.contacts.map((c) => c.email)).toEqual(['grace@acme.example', 'agent@support.example', 'ops@acme.example']);
    expect(company(acme.id)).toMatchObject({ [PROPS.others]: 'user:7 agent@support.example; ops@acme.example', [PROPS.needsOne]: 'false' });
    const read = await readSupportContacts(await ctx(), acme.id);
    expect(read.contacts).toEqual([
      { kind: 'contact', contactId: grace.id, email: 'grace@acme.example', name: 'Grace Hopper' },
      { kind: 'user', userId: '7', email: 'agent@support.example' },
      { kind: 'email', email: 'ops@acme.example' },
    ]);
    expect((await supportHistory(env.app.store, P, acme.id))[0]).toMatchObject({ by: 'agent@support.example', added: [`contact ${grace.id} grace@acme.example`, 'user 7 agent@support.example', 'address ops@acme.example'], removed: [] });

    // Grace replaced by Mary: her label goes, Mary's comes, the history says both.
    const mary = env.sandbox.seed(P, 'contacts', { email: 'mary@acme.example' });
    await saveSupportContacts(await ctx(), acme.id, [{ kind: 'contact', contactId: mary.id, email: 'mary@acme.example' }, { kind: 'email', email: 'ops@acme.example' }], 'admin');
    const typeId = (await supportLabelTypeId(await ctx()))!;
    const labelled = (id: string) => env.sandbox.account(P).associationsOf('companies', acme.id, 'contacts').some((a) => a.toObjectId === id && a.types.some((t) => t.associationTypeId === typeId));
    expect(labelled(grace.id)).toBe(false);
    expect(labelled(mary.id)).toBe(true);
    expect(company(acme.id)[PROPS.others]).toBe('ops@acme.example');
    expect((await supportHistory(env.app.store, P, acme.id))[0]).toMatchObject({ by: 'admin', added: [`contact ${mary.id} mary@acme.example`], removed: [`contact ${grace.id} grace@acme.example`, 'user 7 agent@support.example'] });
    // Saving the same list again asks HubSpot for no association change, and the history says nothing changed.
    const associationCalls = () => calls('POST /crm/v4/associations/:from/:to/batch/create') + calls('POST /crm/v4/associations/:from/:to/batch/labels/archive');
    const beforeAgain = associationCalls();
    expect(beforeAgain).toBeGreaterThanOrEqual(2);
    await saveSupportContacts(await ctx(), acme.id, [{ kind: 'contact', contactId: mary.id, email: 'mary@acme.example' }, { kind: 'email', email: 'ops@acme.example' }], 'admin');
    expect(associationCalls()).toBe(beforeAgain);
    expect((await supportHistory(env.app.store, P, acme.id))[0]).toMatchObject({ added: [], removed: [] });
  });

  it('refuses a save that breaks a rule, keeping nothing of it, with a message that names what is wrong', async () => {
    const initech = env.sandbox.seed(P, 'companies', { name: 'Initech', domain: 'initech.example', lifecyclestage: 'customer' });
    await saveSupportContacts(await ctx(), initech.id, [{ kind: 'email', email: 'a@initech.example' }], 'admin');
    const refuse = async (list: Parameters<typeof saveSupportContacts>[2], message: string, over = {}) => {
      await expect(saveSupportContacts(await ctx(over), initech.id, list, 'admin')).rejects.toThrow(new SupportContactsError(message));
      expect(company(initech.id)[PROPS.others]).toBe('a@initech.example');
    };
    await refuse([{ kind: 'email', email: 'b@@initech.example' }], 'invalid email address: b@@initech.example');
    await refuse([{ kind: 'email', email: 'b@initech.example' }, { kind: 'email', email: 'B@INITECH.example' }], 'b@initech.example is listed twice');
    await refuse([{ kind: 'email', email: 'b@initech.example' }, { kind: 'email', email: 'c@initech.example' }], 'at most 1 support contacts per company', { maxPerCompany: 1 });
    await refuse([], 'Initech is a customer: it must keep at least one support contact');
    // At the limit is allowed.
    expect((await saveSupportContacts(await ctx({ maxPerCompany: 2 }), initech.id, [{ kind: 'email', email: 'b@initech.example' }, { kind: 'email', email: 'c@initech.example' }], 'admin')).contacts).toHaveLength(2);
  });

  it('lets a company that is no customer have none, and flags a customer without one', async () => {
    const prospect = env.sandbox.seed(P, 'companies', { name: 'Prospect', domain: 'prospect.example', lifecyclestage: 'lead' });
    const none = await saveSupportContacts(await ctx(), prospect.id, [], 'admin');
    expect(none).toMatchObject({ isCustomer: false, needsOne: false, contacts: [] });
    expect(company(prospect.id)[PROPS.needsOne]).toBe('false');
    expect(await flagIfWithoutSupport(await ctx(), prospect.id)).toBe(false);
    const bare = env.sandbox.seed(P, 'companies', { domain: 'bare.example', lifecyclestage: 'customer' });
    expect(await flagIfWithoutSupport(await ctx(), bare.id)).toBe(true);
    expect(company(bare.id)[PROPS.needsOne]).toBe('true');
    await expect(saveSupportContacts(await ctx(), bare.id, [], 'admin')).rejects.toThrow(`company ${bare.id} is a customer: it must keep at least one support contact`);
    // Which companies are customers is the admin's choice of property and value.
    expect((await readSupportContacts(await ctx({ customerProperty: 'domain', customerValue: 'prospect.example' }), prospect.id)).needsOne).toBe(true);
  });
});
