import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import type { Settings } from '../../src/settings/settings-schema.js';
import type { SetupChecklist, SetupStepId } from '../../src/settings/setup-steps.js';
import { deliver } from '../support/hubspot-client.js';
import { startPortalEnv } from '../support/portal-env.js';
import { SANDBOX_PORTAL, startAppWithSandbox } from '../support/sandbox.js';

const P = SANDBOX_PORTAL;

describe('the setup checklist, each step from missing to done by what the admin does', () => {
  let sandbox: HubSpotSandbox;
  let env: Awaited<ReturnType<typeof startAppWithSandbox>>;
  beforeAll(async () => { env = await startAppWithSandbox({ searchDelayMs: 0 }); sandbox = env.sandbox; });
  afterAll(async () => { await env.stop(); });

  const api = (path: string, method = 'GET', body?: unknown) =>
    deliver(env.app.url!, body, { method, path: `/api/extensions${path}?portalId=${P}&userId=1&userEmail=admin%40support.example`, raw: body === undefined ? '' : JSON.stringify(body) });
  const checklist = async () => (await api('/setup')).body as unknown as SetupChecklist;
  const state = async (id: SetupStepId) => (await checklist()).steps.find((s) => s.id === id)!;
  const saveSettings = async (change: (s: Settings) => Settings) => {
    const current = (await api('/settings')).body as { version: number; settings: Settings };
    const saved = await api('/settings', 'PUT', { expectedVersion: current.version, settings: change(current.settings) });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  };

  it('starts with nothing done on a fresh install', async () => {
    const c = await checklist();
    expect(c.total).toBe(9);
    expect(c.steps.map((s) => [s.id, s.state])).toEqual([
      ['provisioning', 'missing'], ['portalUrl', 'missing'], ['accessList', 'missing'], ['sso', 'missing'], ['defaultCompany', 'missing'],
      ['email', 'missing'], ['onboarding', 'missing'], ['credentialsRule', 'missing'], ['supportContacts', 'done'],
    ]);
    expect(c.steps.find((s) => s.id === 'email')!.vars).toEqual({ why: 'outbox' });
  });

  it('setup in HubSpot and the access list: done by "Run the setup again" / "Create the access list"', async () => {
    expect((await api('/provisioning', 'POST', {})).status).toBe(200);
    expect((await state('provisioning')).state).toBe('done');
    expect((await state('accessList')).state).toBe('done');
  });

  it('the portal address: done once saved; the shipped credentials rule then goes on by itself', async () => {
    await saveSettings((s) => ({ ...s, portal: { ...s.portal, portalUrl: 'https://support.acme.example' } }));
    expect(await state('portalUrl')).toMatchObject({ state: 'done', vars: { url: 'https://support.acme.example' } });
    expect((await state('credentialsRule')).state).toBe('done');
    const rules = (await api('/rules')).body as { version: number; ruleSet: { rules: { id: string; active: boolean; ignoreFlow: boolean }[] } };
    expect(rules.ruleSet.rules[0]).toMatchObject({ id: 'portal-credentials', active: true, ignoreFlow: true });
  });

  it('the credentials rule: an admin who turned it off turns it on again with the step\'s button (and an admin\'s own choice is not overridden by setup)', async () => {
    const rules = (await api('/rules')).body as { version: number; ruleSet: { version: 1; rules: Record<string, unknown>[] } };
    await api('/rules', 'PUT', { expectedVersion: rules.version, ruleSet: { ...rules.ruleSet, rules: rules.ruleSet.rules.map((r) => ({ ...r, active: false })) } });
    await saveSettings((s) => s); // a save with the portal ready leaves the admin's choice alone
    expect((await state('credentialsRule')).state).toBe('missing');
    expect((await api('/setup/credentials-rule', 'POST', {})).status).toBe(200);
    expect((await state('credentialsRule')).state).toBe('done');
  });

  it('single sign-on: missing, then waiting for the first sign-in once the client is registered, naming the values to paste', async () => {
    expect((await state('sso')).state).toBe('missing');
    const saved = await api('/portal/client', 'PUT', { redirectUris: ['https://support.acme.example/_hcms/oauth/callback'] });
    expect(saved.status).toBe(200);
    const sso = await state('sso');
    expect(sso).toMatchObject({ state: 'waiting', vars: { issuer: env.app.portal.issuer, clientId: (saved.body!.client as { clientId: string }).clientId, redirectUri: 'https://support.acme.example/_hcms/oauth/callback' } });
    expect(JSON.stringify(sso)).not.toContain((saved.body!.client as { clientSecret: string }).clientSecret);
  });

  it('the default company: done by "Create an Unassigned company and use it"', async () => {
    expect((await api('/default-company', 'POST', {})).status).toBe(201);
    expect((await state('defaultCompany')).state).toBe('done');
  });

  it('email delivery: missing in the outbox, then until a test email went through the chosen transport, then done', async () => {
    await saveSettings((s) => ({ ...s, email: { ...s.email, transport: 'hubspot', hubspotEmailIds: { 'portal-credentials': 71 } } }));
    expect((await state('email')).vars).toEqual({ why: 'hubspotIds' });
    await saveSettings((s) => ({ ...s, email: { ...s.email, hubspotEmailIds: { 'portal-credentials': 71, 'portal-reset': 73, 'support-issue-report': 72 } } }));
    expect((await state('email')).vars).toEqual({ why: 'test' });
    // Every attempt of one send fails (the gateway tries 4 times), the next send goes through.
    sandbox.injectFault({ pathPrefix: '/marketing/v3/transactional', error5xxRate: 1, times: 4 });
    const failed = await api('/setup/test-email', 'POST', {});
    expect(failed.status).toBe(502);
    expect(await state('email')).toMatchObject({ state: 'missing', vars: { why: 'testFailed', to: 'admin@support.example' } });
    const sent = await api('/setup/test-email', 'POST', {});
    expect(sent).toEqual({ status: 200, body: { sent: true, to: 'admin@support.example', transport: 'hubspot' } });
    expect(await state('email')).toMatchObject({ state: 'done', vars: { to: 'admin@support.example', transport: 'hubspot' } });
    expect(sandbox.account(P).transactionalSends.at(-1)).toMatchObject({ emailId: 71, to: 'admin@support.example' });
    // Sign-in by email code on: its HubSpot email is needed too, and then the step is done again.
    await saveSettings((s) => ({ ...s, portal: { ...s.portal, emailCode: true } }));
    expect((await state('email')).vars).toEqual({ why: 'hubspotIds' });
    await saveSettings((s) => ({ ...s, email: { ...s.email, hubspotEmailIds: { ...s.email.hubspotEmailIds, 'portal-sign-in-code': 74 } } }));
    expect((await state('email')).state).toBe('done');
    await saveSettings((s) => ({ ...s, portal: { ...s.portal, emailCode: false } }));
  });

  it('onboarding: done by "Turn it on"', async () => {
    expect((await api('/setup/onboarding', 'POST', {})).status).toBe(200);
    expect((await state('onboarding')).state).toBe('done');
  });

  it('support contacts: a customer company without one is named, and done once it has one', async () => {
    const acme = sandbox.seed(P, 'companies', { name: 'Acme', domain: 'acme.example', lifecyclestage: 'customer' });
    expect(await state('supportContacts')).toMatchObject({ state: 'missing', vars: { count: 1 }, companies: [{ id: acme.id, label: 'Acme' }] });
    expect((await api(`/companies/${acme.id}/support-contacts`, 'PUT', { contacts: [{ kind: 'email', email: 'ops@acme.example' }] })).status).toBe(200);
    expect((await state('supportContacts')).state).toBe('done');
    expect((await checklist()).done).toBe(8); // all but the first sign-in
  });

  it('only an admin may press the steps\' buttons', async () => {
    const asAgent = await deliver(env.app.url!, {}, { method: 'POST', path: `/api/extensions/setup/onboarding?portalId=${P}&userId=99&userEmail=agent%40support.example`, raw: '{}' });
    expect(asAgent.status).toBe(403);
  });
});

describe('the single sign-on step once HubSpot signs a customer in', () => {
  it('goes from waiting to done with the first code HubSpot exchanges', async () => {
    const env = await startPortalEnv();
    try {
      const api = async () => (await deliver(env.base, undefined, { method: 'GET', path: `/api/extensions/setup?portalId=${env.P}&userId=1&userEmail=admin%40support.example`, raw: '', publicUrl: env.base })).body as unknown as SetupChecklist;
      expect((await api()).steps.find((s) => s.id === 'sso')!.state).toBe('waiting');
      env.sandbox.inboundEmail(env.P, { from: 'ada@acme.example', name: 'Ada Lovelace', subject: 'Help', text: 'Hi' });
      await env.settle();
      const b = env.browser();
      await b.get((await env.latestLink('ada@acme.example'))!);
      await b.submit({ password: 'correct horse battery staple', confirm: 'correct horse battery staple' });
      await b.get(env.sandbox.portal.portalUrl(env.P));
      await b.submit({ email: 'ada@acme.example', password: 'correct horse battery staple' });
      expect(b.text()).toContain('Signed in as Ada Lovelace');
      await expect.poll(async () => (await api()).steps.find((s) => s.id === 'sso')!.state).toBe('done');
    } finally {
      await env.stop();
    }
  });
});
