import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import { defaultRuleSet } from '../../src/rules/default-rules.js';
import { deliver } from '../support/hubspot-client.js';
import { SANDBOX_PORTAL, startAppWithSandbox } from '../support/sandbox.js';

let sandbox: HubSpotSandbox;
let env: Awaited<ReturnType<typeof startAppWithSandbox>>;
const P = SANDBOX_PORTAL;
beforeAll(async () => { env = await startAppWithSandbox({ searchDelayMs: 0 }); sandbox = env.sandbox; });
afterAll(async () => { await env.stop(); });

const api = (path: string, method = 'GET', body?: unknown) =>
  deliver(env.app.url!, body, { method, path: `/api/extensions${path}?portalId=${P}&userId=1&userEmail=admin%40support.example`, raw: body === undefined ? '' : JSON.stringify(body) });

const credentials = { ...defaultRuleSet, rules: [{ ...defaultRuleSet.rules[0]!, active: true }] };

describe('what the rule builder asks the app', () => {
  it('dry-runs a draft over the newest tickets: how many it fires on, which, with the conditions that decided, and what it did not read', async () => {
    for (let i = 0; i < 5; i++) sandbox.createTicket(P, { subject: i % 2 ? '[Portal Credentials]' : `Printer ${i}` });
    sandbox.createTicket(P, { subject: '[credenziali del portale]' });
    const draft = { ...credentials, rules: [...credentials.rules, {
      id: 'acme', name: 'Acme only', description: '', active: true, position: 1, ignoreFlow: false, trigger: 'ticket.created',
      conditions: { match: 'all', conditions: [{ field: 'requesterDomain', operator: 'equals', value: 'acme.example', caseSensitive: false }] }, actions: [{ type: 'grantPortalAccess' }],
    }] };
    const run = await api('/rules/dry-run', 'POST', { ruleSet: draft });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ tickets: 6, fired: 3, byRule: [{ ruleId: 'portal-credentials', fired: 3 }, { ruleId: 'acme', fired: 0 }], notRead: ['requesterDomain'] });
    const sample = run.body!.sample as { ticketId: string; title: string; rules: { conditions: { held: boolean }[] }[] }[];
    // Newest first.
    expect(sample.map((s) => s.title)).toEqual(['[credenziali del portale]', '[Portal Credentials]', '[Portal Credentials]']);
    expect(sample[0]!.rules[0]!.conditions[0]).toMatchObject({ field: 'title', operator: 'anyOf', held: true });
    expect(sandbox.violations).toEqual([]);
  });

  it('refuses a draft the engine would refuse, naming the field', async () => {
    const bad = { ...credentials, rules: [{ ...credentials.rules[0]!, conditions: { match: 'all', conditions: [{ field: 'title', operator: 'matchesRegex', value: '(.{1,100}){1,10}z' }] } }] };
    const run = await api('/rules/dry-run', 'POST', { ruleSet: bad });
    expect(run.status).toBe(400);
    expect(run.body!.problems).toEqual([expect.stringMatching(/^rules\.0\.conditions\.conditions\.0\.value: regular expression is too costly/)]);
  });

  it('tests a sample ticket with its requester (the domain derived from the address)', async () => {
    const rule = { id: 'acme', name: 'Acme', description: '', active: true, position: 0, ignoreFlow: false, trigger: 'ticket.created',
      conditions: { match: 'all', conditions: [{ field: 'requesterDomain', operator: 'equals', value: 'acme.example' }, { field: 'priority', operator: 'equals', value: 'HIGH' }] }, actions: [{ type: 'grantPortalAccess' }] };
    const tested = await api('/rules/test', 'POST', { ruleSet: { version: 1, rules: [rule] }, ticket: { title: 'Help', priority: 'high', requesterEmail: 'Ada@ACME.example' } });
    expect(tested.status).toBe(200);
    expect(tested.body!.fired).toEqual([expect.objectContaining({ ruleId: 'acme' })]);
  });

  it('lists the account\'s ticket properties by label for the setProperty action, leaving out what cannot be set', async () => {
    const listed = await api('/rules/ticket-properties');
    expect(listed.status).toBe(200);
    const props = listed.body!.properties as { name: string; label: string }[];
    expect(props).toEqual(expect.arrayContaining([{ name: 'hs_ticket_priority', label: 'Priority', type: 'enumeration' }, { name: 'subject', label: 'Ticket name', type: 'string' }]));
    expect(props.map((p) => p.label)).toEqual([...props.map((p) => p.label)].sort((a, b) => a.localeCompare(b)));
    expect(sandbox.violations).toEqual([]);
  });

  it('lists the company properties by label (which companies must keep a support contact)', async () => {
    const listed = await api('/pickers/company-properties');
    expect(listed.body!.properties).toEqual(expect.arrayContaining([{ name: 'lifecyclestage', label: 'Lifecycle stage', type: 'enumeration' }]));
    expect(sandbox.violations).toEqual([]);
  });

  it('says when each rule last fired', async () => {
    await env.app.rules.save(P, credentials, (await env.app.rules.read(P)).version, 'test');
    const ada = sandbox.seed(P, 'contacts', { email: 'ada@acme.example', firstname: 'Ada' });
    sandbox.createTicket(P, { subject: '[Portal Credentials]' }, ada.id);
    await env.settle();
    const read = await api('/rules');
    expect(read.body!.lastFired).toEqual({ 'portal-credentials': expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });
});
