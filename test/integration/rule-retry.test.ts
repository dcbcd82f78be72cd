import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRuleSet } from '../../src/rules/default-rules.js';
import { accountSetupTasks, provisionAccount } from '../../src/server/provision-account.js';
import { deliver } from '../support/hubspot-client.js';
import { SANDBOX_PORTAL, startAppWithSandbox } from '../support/sandbox.js';

let env: Awaited<ReturnType<typeof startAppWithSandbox>>;
const P = SANDBOX_PORTAL;
beforeAll(async () => {
  env = await startAppWithSandbox({ searchDelayMs: 0 });
  await env.app.rules.save(P, { ...defaultRuleSet, rules: defaultRuleSet.rules.map((r) => ({ ...r, active: true })) }, 0, 'test');
});
afterAll(async () => { await env.stop(); });
const api = (path: string, method = 'GET', body?: unknown) => deliver(env.app.url!, body, { method, path: `/api/extensions${path}?portalId=${P}`, raw: body === undefined ? '' : JSON.stringify(body) });

describe('retrying a failed rule action from the ticket card', () => {
  it('shows why an action failed, and does it once the cause is fixed', async () => {
    const ada = env.sandbox.seed(P, 'contacts', { email: 'ada@acme.example', firstname: 'Ada' });
    const ticket = env.sandbox.createTicket(P, { subject: '[Portal Credentials]' }, ada.id);
    await env.settle();
    // No access list yet: granting access fails for good, with the reason on the card.
    const runs = (await api(`/tickets/${ticket.id}/rule-runs`)).body!.runs as { actions: { type: string; status: string; detail: string }[] }[];
    expect(runs[0]!.actions[0]).toMatchObject({ type: 'grantPortalAccess', status: 'failed', detail: expect.stringContaining('no portal access list is set') });
    // The credentials need the access: they wait, instead of failing for a contact without an account.
    expect(runs[0]!.actions[1]).toMatchObject({ type: 'sendPortalCredentials', status: 'skipped', detail: 'waits for grantPortalAccess, which failed' });
    expect(await env.app.deadLetters.list()).toEqual([]);
    // The admin runs the setup; the agent retries the action.
    await provisionAccount(P, env.app.hubspot, env.app.store, accountSetupTasks(env.app.settings, env.app.store));
    const retried = await api(`/tickets/${ticket.id}/rule-runs/retry`, 'POST', { ruleId: 'portal-credentials', actionIndex: 0 });
    expect(retried.body).toMatchObject({ type: 'grantPortalAccess', status: 'done' });
    expect(await env.app.portal.accounts.get(P, ada.id)).toMatchObject({ state: 'invited' });
    // Done is done: a second retry changes nothing.
    expect((await api(`/tickets/${ticket.id}/rule-runs/retry`, 'POST', { ruleId: 'portal-credentials', actionIndex: 0 })).body).toMatchObject({ status: 'skipped', detail: 'already done' });
    expect((await api(`/tickets/${ticket.id}/rule-runs/retry`, 'POST', { ruleId: 'nope', actionIndex: 0 })).status).toBe(404);
    // Then the credentials, once.
    const current = await env.app.settings.read(P);
    await env.app.settings.save(P, { ...current.settings, portal: { ...current.settings.portal, portalUrl: 'https://support.acme.example' } }, current.version, 'test');
    expect((await api(`/tickets/${ticket.id}/rule-runs/retry`, 'POST', { ruleId: 'portal-credentials', actionIndex: 1 })).body).toMatchObject({ type: 'sendPortalCredentials', status: 'queued' });
    await env.settle();
    expect((await env.app.email.outbox.list(P)).filter((m) => m.to === 'ada@acme.example')).toHaveLength(1);
    expect(await env.app.deadLetters.list()).toEqual([]);
  });
});
