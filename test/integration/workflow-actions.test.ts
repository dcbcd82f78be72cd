import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  it('"Give portal access and send credentials": access, one credentials email, and the access state for the next step; a repeated callbackId changes nothing', async () => {
    const { sandbox, P } = env;
    const eve = sandbox.seed(P, 'contacts', { email: 'eve@acme.example', firstname: 'Eve' });
    const first = await callAction('give-portal-access', request('cb-0001', eve.id));
    expect(first).toEqual({ status: 200, body: { outputFields: { hs_execution_state: 'SUCCESS', accessState: 'invited' } } });
    expect((await callAction('give-portal-access', request('cb-0001', eve.id))).body).toEqual(first.body);
    await env.settle();
    expect((await env.app.email.outbox.mailbox(P)).filter((m) => m.to === 'eve@acme.example').length).toBe(1);
    expect((await env.app.portal.accounts.get(P, eve.id))?.state).toBe('invited');
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
  });
});
