import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxWorkflows, type ActionDefinition } from '../../src/sandbox/workflow-runner.js';
import { signV3 } from '../../src/webhooks/sign-request.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { TEST_SECRET } from '../support/test-app.js';

let env: PortalEnv;
beforeAll(async () => { env = await startPortalEnv({ portal: { onboardNewContacts: false } }); });
afterAll(async () => { await env.stop(); });

/** As HubSpot calls a custom workflow action: v2, hex SHA-256 of secret + method + URI + body. */
async function callAction(action: string, body: unknown, sign: 'v2' | 'v3' | 'forged' = 'v2') {
  const url = `${env.base}/workflow-actions/${action}`;
  const text = JSON.stringify(body);
  const headers: Record<string, string> = sign === 'v3' ? signV3(TEST_SECRET, 'POST', url, text, Date.now())
    : { 'x-hubspot-signature': createHash('sha256').update(`${sign === 'forged' ? 'not-the-secret' : TEST_SECRET}POST${url}${text}`).digest('hex'), 'x-hubspot-signature-version': 'v2' };
  const res = await fetch(url, { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}
const request = (callbackId: string, objectId: string, objectType = 'CONTACT') => ({
  callbackId, origin: { portalId: env.P, actionDefinitionId: 51, actionDefinitionVersion: 1 }, context: { source: 'WORKFLOWS', workflowId: 9001 },
  object: { objectId: Number(objectId), objectType }, inputFields: {},
});

describe('the app\'s actions in HubSpot workflows', () => {
  it('"Give portal access and send credentials" answers BLOCK, gives access, and completes the step through HubSpot\'s callbacks API once the email is out; HubSpot asking again changes nothing', async () => {
    const { sandbox, P } = env;
    const eve = sandbox.seed(P, 'contacts', { email: 'eve@acme.example', firstname: 'Eve' });
    const workflows = sandbox.connectWorkflows({ appBaseUrl: env.base, clientSecret: TEST_SECRET });
    const [run] = await workflows.run(P, 9001, [definition('give-portal-access')], { objectType: 'CONTACT', objectId: eve.id });
    expect(run).toMatchObject({ attempts: [200], expiresIn: 'P1D', completedBy: 'callback', state: 'SUCCESS', outputFields: { accessState: 'invited', emailState: 'sent' } });
    expect((await env.app.portal.accounts.get(P, eve.id))?.state).toBe('invited');
    // HubSpot sends the same execution again (it lost our answer): the first answer, nothing done twice.
    expect((await callAction('give-portal-access', request(run!.callbackId, eve.id))).body).toEqual({ outputFields: { hs_execution_state: 'BLOCK', hs_expiration_duration: 'P1D' } });
    await env.settle();
    expect((await env.app.email.outbox.mailbox(P)).filter((m) => m.to === 'eve@acme.example').length).toBe(1);
    expect(sandbox.calls.filter((c) => c.path === `/automation/v4/actions/callbacks/${run!.callbackId}/complete`).map((c) => c.status)).toEqual([204]);
    expect(sandbox.violations).toEqual([]);
  });

  it('"Send portal credentials" to a contact who unsubscribed: the step fails in the workflow\'s history with the reason, and no email goes out', async () => {
    const { sandbox, P } = env;
    const una = sandbox.seed(P, 'contacts', { email: 'una@acme.example', firstname: 'Una', hs_email_optout: 'true' });
    const workflows = sandbox.connectWorkflows({ appBaseUrl: env.base, clientSecret: TEST_SECRET });
    const [run] = await workflows.run(P, 9005, [definition('send-portal-credentials')], { objectType: 'CONTACT', objectId: una.id });
    expect(run).toMatchObject({ completedBy: 'callback', state: 'FAIL_CONTINUE', outputFields: { emailState: 'not-sent' }, errorMessage: 'credentials email not sent: the contact unsubscribed from all email' });
    expect((await env.app.email.outbox.mailbox(P)).filter((m) => m.to === 'una@acme.example')).toEqual([]);
  });

  it('"Notify support contacts" on a ticket, and a failure shown as the action\'s error in the workflow\'s history', async () => {
    const { sandbox, P } = env;
    const acme = sandbox.seed(P, 'companies', { name: 'Acme', domain: 'acme.example' });
    const ada = sandbox.seed(P, 'contacts', { email: 'ada@acme.example', firstname: 'Ada', associatedcompanyid: acme.id });
    sandbox.account(P).associate('contacts', ada.id, 'companies', acme.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }]);
    const ticket = sandbox.createTicket(P, { subject: 'Broken' }, ada.id);
    await env.settle();
    expect((await callAction('notify-support-contacts', request('cb-0002', ticket.id, 'TICKET'), 'v3')).body).toEqual({ outputFields: { hs_execution_state: 'SUCCESS' } });
    const wrong = await callAction('send-portal-credentials', request('cb-0003', ticket.id, 'TICKET'));
    expect(wrong.body).toEqual({ outputFields: { hs_execution_state: 'FAIL_CONTINUE', errorMessage: 'this action runs on contacts, not on ticket' } });
  });

  it('"File the contact under its company": the company of its domain, the default company for free mail', async () => {
    const { sandbox, P } = env;
    const globex = sandbox.createCompany(P, { name: 'Globex', domain: 'globex.example' });
    await env.settle();
    const hank = sandbox.seed(P, 'contacts', { email: 'hank@eu.globex.example', firstname: 'Hank' });
    expect((await callAction('file-under-company', request('cb-0010', hank.id))).body).toEqual({ outputFields: { hs_execution_state: 'SUCCESS', filed: 'true', companyId: globex.id, reason: 'domain' } });
    expect(sandbox.account(P).associationsOf('contacts', hank.id, 'companies').map((a) => a.toObjectId)).toEqual([globex.id]);
    const free = sandbox.seed(P, 'contacts', { email: 'someone@gmail.com' });
    expect((await callAction('file-under-company', request('cb-0011', free.id))).body).toEqual({ outputFields: { hs_execution_state: 'SUCCESS', filed: 'false', reason: 'free-mail' } });
    expect(sandbox.violations).toEqual([]);
  });

  it('refuses a request HubSpot did not sign, and one for an account the app is not installed in', async () => {
    expect((await callAction('give-portal-access', request('cb-0004', '1'), 'forged')).status).toBe(401);
    expect((await callAction('give-portal-access', { ...request('cb-0005', '1'), origin: { portalId: 999_999 } })).status).toBe(403);
    // The callbackId goes into a Redis key and HubSpot's callbacks URL: a signed request with a path in it is refused too.
    expect(await callAction('give-portal-access', request('../../crm/v3/objects/contacts', '1'))).toEqual({ status: 400, body: { message: 'not a workflow action request (callbackId, origin.portalId, object.objectId)' } });
  });
});

/** The action definitions the app ships (what HubSpot's workflow editor offers). */
const definition = (name: string) => JSON.parse(readFileSync(resolve(import.meta.dirname, `../../src/app/workflow-actions/${name}-hsmeta.json`), 'utf8')) as ActionDefinition;

describe('workflows the sandbox runs with the shipped action definitions', () => {
  it('a contact workflow (file under company, give access and send credentials, send credentials) and a ticket workflow (notify support contacts) end as SUCCESS in the history, with their outputs, one email per sending step', async () => {
    const { sandbox, P } = env;
    const workflows = sandbox.connectWorkflows({ appBaseUrl: env.base, clientSecret: TEST_SECRET });
    const initech = sandbox.createCompany(P, { name: 'Initech', domain: 'initech.example' });
    await env.settle();
    const peter = sandbox.seed(P, 'contacts', { email: 'peter@initech.example', firstname: 'Peter' });
    const contactFlow = await workflows.run(P, 9101, [definition('file-under-company'), definition('give-portal-access'), definition('send-portal-credentials')], { objectType: 'CONTACT', objectId: peter.id });
    expect(contactFlow.map((e) => [e.action, e.state, e.attempts])).toEqual([
      ['portal_autopilot_file_under_company', 'SUCCESS', [200]], ['portal_autopilot_give_portal_access', 'SUCCESS', [200]], ['portal_autopilot_send_portal_credentials', 'SUCCESS', [200]],
    ]);
    expect(contactFlow[0]!.outputFields).toMatchObject({ filed: 'true', companyId: initech.id });
    expect(contactFlow[1]!.outputFields).toEqual({ accessState: 'invited', emailState: 'sent' });
    expect(contactFlow[2]!.outputFields).toEqual({ emailState: 'sent' });
    expect(contactFlow.map((e) => e.completedBy)).toEqual(['answer', 'callback', 'callback']);
    await env.settle();
    // Two steps that each send credentials: two emails (one per execution), the welcome both times (no password chosen yet).
    expect((await env.app.email.outbox.mailbox(P)).filter((m) => m.to === 'peter@initech.example').map((m) => m.template)).toEqual(['portal-credentials', 'portal-credentials']);
    expect(sandbox.account(P).associationsOf('contacts', peter.id, 'companies').map((a) => a.toObjectId)).toEqual([initech.id]);
    const ticket = sandbox.createTicket(P, { subject: 'TPS report' }, peter.id);
    await env.settle();
    const ticketFlow = await workflows.run(P, 9102, [definition('notify-support-contacts')], { objectType: 'TICKET', objectId: ticket.id });
    expect(ticketFlow.map((e) => [e.action, e.state])).toEqual([['portal_autopilot_notify_support_contacts', 'SUCCESS']]);
    // A definition run on the wrong kind of record never reaches the app (HubSpot's editor offers it only on its object types).
    await expect(workflows.run(P, 9103, [definition('notify-support-contacts')], { objectType: 'CONTACT', objectId: peter.id })).rejects.toThrow('does not run on CONTACT');
    expect(workflows.history).toHaveLength(4);
    expect(sandbox.violations).toEqual([]);
  });

  it('tries an execution again with the same callbackId when the app answered 5xx, and keeps the failure message the app gave', async () => {
    const seen: string[] = [];
    const app = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += String(c); });
      req.on('end', () => {
        seen.push(`${req.headers['x-hubspot-signature-version']}:${(JSON.parse(body) as { callbackId: string }).callbackId}`);
        if (seen.length === 1) return void res.writeHead(503).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ outputFields: { hs_execution_state: 'FAIL_CONTINUE', errorMessage: 'contact 7 has no email address' } }));
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    const workflows = new SandboxWorkflows({ appBaseUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}`, clientSecret: TEST_SECRET });
    const [run] = await workflows.run(env.P, 9104, [definition('send-portal-credentials')], { objectType: 'CONTACT', objectId: '7' });
    await new Promise<void>((r) => app.close(() => r()));
    expect(run).toMatchObject({ attempts: [503, 200], state: 'FAIL_CONTINUE', errorMessage: 'contact 7 has no email address', outputFields: {} });
    expect(new Set(seen).size).toBe(1);
    expect(seen[0]).toMatch(/^v2:ap-/);
  });
});
