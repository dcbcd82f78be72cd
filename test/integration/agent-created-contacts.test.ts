import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../support/hubspot-client.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { TEST_APP_ID } from '../support/test-app.js';

let env: PortalEnv;
beforeAll(async () => { env = await startPortalEnv(); });
afterAll(async () => { await env.stop(); });

const credentialsTo = async (email: string) => (await env.app.email.outbox.mailbox(env.P)).filter((m) => m.to === email && m.template === 'portal-credentials');

describe('contacts an agent creates in HubSpot get their credentials too (the article: "after the automatic or manual creation of the contact")', () => {
  it('onboards a contact a person made in HubSpot\'s UI or mobile app, once, and leaves imports and other integrations\' contacts alone', async () => {
    const { sandbox, P } = env;
    const made = {
      ui: sandbox.createContact(P, { email: 'katherine@acme.example', firstname: 'Katherine' }, 'CRM_UI'),
      mobile: sandbox.createContact(P, { email: 'dorothy@acme.example', firstname: 'Dorothy' }, 'MOBILE_IOS'),
      imported: sandbox.createContact(P, { email: 'mary@acme.example', firstname: 'Mary' }, 'IMPORT'),
      integration: sandbox.createContact(P, { email: 'christine@acme.example', firstname: 'Christine' }, 'INTEGRATION'),
    };
    await env.settle();
    // HubSpot redelivers: still one welcome each.
    sandbox.webhooks!.redeliverAll(7);
    await env.settle();
    expect((await credentialsTo('katherine@acme.example')).length).toBe(1);
    expect((await credentialsTo('dorothy@acme.example')).length).toBe(1);
    expect(await credentialsTo('mary@acme.example')).toEqual([]);
    expect(await credentialsTo('christine@acme.example')).toEqual([]);
    expect((await env.app.portal.accounts.get(P, made.ui.id))?.state).toBe('invited');
    expect(await env.app.portal.accounts.get(P, made.imported.id)).toBeNull();
    expect(await env.app.portal.accounts.get(P, made.integration.id)).toBeNull();
    const listId = (await env.app.settings.read(P)).settings.portal.accessListId!;
    expect([...sandbox.account(P).lists.get(listId)!.members.keys()].sort()).toEqual([made.ui.id, made.mobile.id].sort());
  });

  it('reads HubSpot\'s documented contact.creation payload (changeSource CRM_UI, sourceId userId:…), delivered three times: one welcome', async () => {
    const { sandbox, P } = env;
    const grace = sandbox.seed(P, 'contacts', { email: 'grace.h@acme.example', firstname: 'Grace' });
    const event = {
      eventId: 567890123, subscriptionId: 234567, portalId: P, appId: Number(TEST_APP_ID), occurredAt: Date.now(), subscriptionType: 'contact.creation',
      attemptNumber: 0, objectId: Number(grace.id), changeFlag: 'CREATED', changeSource: 'CRM_UI', sourceId: 'userId:45678',
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await deliver(env.base, [{ ...event, attemptNumber: attempt }], { publicUrl: env.base });
      expect(res.status).toBe(200);
    }
    await env.settle();
    expect((await credentialsTo('grace.h@acme.example')).length).toBe(1);
  });

  it('does nothing for an agent-created contact while onboarding is off', async () => {
    const current = await env.app.settings.read(env.P);
    await env.app.settings.save(env.P, { ...current.settings, portal: { ...current.settings.portal, onboardNewContacts: false } }, current.version, 'admin');
    const c = env.sandbox.createContact(env.P, { email: 'off@acme.example' }, 'CRM_UI');
    await env.settle();
    expect(await credentialsTo('off@acme.example')).toEqual([]);
    expect(await env.app.portal.accounts.get(env.P, c.id)).toBeNull();
  });
});
