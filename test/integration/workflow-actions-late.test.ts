import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ActionDefinition } from '../../src/sandbox/workflow-runner.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { TEST_SECRET } from '../support/test-app.js';

// HubSpot waits about 20 s for an action's answer; here the app may keep it waiting 100 ms, and
// HubSpot's association write takes 1.5 s.
let env: PortalEnv;
beforeAll(async () => { env = await startPortalEnv({ portal: { onboardNewContacts: false }, runtime: { workflowAnswerWithinMs: 100 } }); });
afterAll(async () => { await env.stop(); });

const definition = (name: string) => JSON.parse(readFileSync(resolve(import.meta.dirname, `../../src/app/workflow-actions/${name}-hsmeta.json`), 'utf8')) as ActionDefinition;

describe('a workflow action that takes longer than HubSpot waits', () => {
  it('is answered BLOCK in time and completed through the callbacks API when done; HubSpot asking again while it runs is answered BLOCK, and the step ends once', async () => {
    const { sandbox, P } = env;
    const globex = sandbox.createCompany(P, { name: 'Globex', domain: 'globex.example' });
    await env.settle();
    const gil = sandbox.seed(P, 'contacts', { email: 'gil@globex.example' });
    sandbox.injectFault({ pathPrefix: '/crm/v4/associations/contacts/companies/batch/create', latencyMs: 1500, times: 1 });
    const workflows = sandbox.connectWorkflows({ appBaseUrl: env.base, clientSecret: TEST_SECRET });
    const running = workflows.run(P, 9006, [definition('file-under-company')], { objectType: 'CONTACT', objectId: gil.id });
    await vi.waitUntil(() => workflows.waiting().length === 1, { timeout: 5000 });
    expect(await workflows.resend(workflows.waiting()[0]!)).toEqual({ hs_execution_state: 'BLOCK', hs_expiration_duration: 'P1D' });
    const [run] = await running;
    expect(run).toMatchObject({ attempts: [200], expiresIn: 'P1D', completedBy: 'callback', state: 'SUCCESS', outputFields: { filed: 'true', companyId: globex.id, reason: 'domain' } });
    expect(sandbox.account(P).associationsOf('contacts', gil.id, 'companies').map((a) => a.toObjectId)).toEqual([globex.id]);
    expect(sandbox.calls.filter((c) => c.path.startsWith('/automation/v4/actions/callbacks/')).map((c) => c.status)).toEqual([204]);
    expect(sandbox.violations).toEqual([]);
  });

  it('a failure after the BLOCK answer reaches the workflow\'s history through the callback', async () => {
    const { sandbox, P } = env;
    const ticket = sandbox.createTicket(P, { subject: 'Late' });
    await env.settle();
    sandbox.injectFault({ pathPrefix: '/crm/v3/objects/contacts', latencyMs: 1500, times: 1 });
    const workflows = sandbox.connectWorkflows({ appBaseUrl: env.base, clientSecret: TEST_SECRET });
    // A contact that does not exist: HubSpot's 404, told after the BLOCK answer.
    const [run] = await workflows.run(P, 9007, [definition('file-under-company')], { objectType: 'CONTACT', objectId: String(Number(ticket.id) + 999_999) });
    expect(run).toMatchObject({ completedBy: 'callback', state: 'FAIL_CONTINUE' });
    expect(run!.errorMessage).toMatch(/404|not found|does not exist/i);
  });
});
