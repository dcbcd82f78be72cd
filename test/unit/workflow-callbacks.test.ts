import { describe, expect, it } from 'vitest';
import { nock } from '../support/use-nock.js';
import { testLog } from '../support/test-log.js';
import { StaticTokenSource } from '../../src/auth/oauth-token-source.js';
import { HubSpotGateway } from '../../src/hubspot/gateway.js';
import { MemoryRateLimiter } from '../../src/hubspot/rate-limiter.js';
import { completeWorkflowAction, failWorkflowOfDeadLetter, workflowCompletion } from '../../src/hubspot/workflow-callbacks.js';
import { DeadLetters } from '../../src/queue/dead-letters.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const HUBSPOT = 'https://api.hubapi.test';
const P = 4242;
// HubSpot's callbackId as its custom action reference shows it.
const CALLBACK = 'ap-102670506-56777914962-11-0';
const PATH = `/automation/v4/actions/callbacks/${CALLBACK}/complete`;
function setup() {
  const hubspot = new HubSpotGateway({ baseUrl: HUBSPOT, tokens: new StaticTokenSource('acct-token'), limiter: new MemoryRateLimiter(), metrics: createMetrics(), log: testLog, ratePer10s: 100, searchRatePerSecond: 5, timeoutMs: 2000, maxAttempts: 1, sleep: async () => {} });
  return { portalId: P, hubspot, store: new MemoryStore(), log: testLog };
}

describe('completing a blocked workflow action (nock as HubSpot\'s callbacks API)', () => {
  it('posts the outcome with the account\'s token as HubSpot\'s CallbackCompletionRequest, once per callbackId', async () => {
    const ctx = setup();
    const call = nock(HUBSPOT, { reqheaders: { authorization: 'Bearer acct-token', 'content-type': 'application/json' } })
      .post(PATH, { outputFields: { hs_execution_state: 'SUCCESS', emailState: 'sent' }, typedOutputs: {} }).reply(204);
    await completeWorkflowAction(ctx, CALLBACK, { hs_execution_state: 'SUCCESS', emailState: 'sent' });
    // The job that sent it runs again (a retry after a crash): HubSpot is not asked twice.
    await completeWorkflowAction(ctx, CALLBACK, { hs_execution_state: 'SUCCESS', emailState: 'sent' });
    call.done();
  });

  it('takes HubSpot\'s refusal as final (the execution no longer waits), and throws on a 5xx so the job is retried', async () => {
    const ctx = setup();
    nock(HUBSPOT).post(PATH).reply(400, { status: 'error', message: 'callback is not blocked', category: 'VALIDATION_ERROR', correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf' });
    await completeWorkflowAction(ctx, CALLBACK, { hs_execution_state: 'SUCCESS' });
    await completeWorkflowAction(ctx, CALLBACK, { hs_execution_state: 'SUCCESS' });
    const other = 'ap-102670506-56777914962-12-0';
    nock(HUBSPOT).post(`/automation/v4/actions/callbacks/${other}/complete`).reply(503, { message: 'unavailable' })
      .post(`/automation/v4/actions/callbacks/${other}/complete`).reply(204);
    await expect(completeWorkflowAction(ctx, other, { hs_execution_state: 'SUCCESS' })).rejects.toThrow();
    await completeWorkflowAction(ctx, other, { hs_execution_state: 'SUCCESS' });
    expect(nock.isDone()).toBe(true);
  });

  it('queues only a bounded callbackId and a few short output fields with an email', () => {
    expect(workflowCompletion.safeParse({ callbackId: CALLBACK, outputFields: { accessState: 'invited' } }).success).toBe(true);
    expect(workflowCompletion.safeParse({ callbackId: '../../crm/v3/objects/contacts' }).success).toBe(false);
    expect(workflowCompletion.safeParse({ callbackId: 'x'.repeat(201) }).success).toBe(false);
    expect(workflowCompletion.safeParse({ callbackId: CALLBACK, outputFields: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, 'v'])) }).success).toBe(false);
    expect(workflowCompletion.safeParse({ callbackId: CALLBACK, outputFields: { accessState: 'x'.repeat(101) } }).success).toBe(false);
  });

  it('fails the workflow step at once when its credentials email ends among the dead letters, and leaves other letters alone', async () => {
    const ctx = setup();
    const dead = new DeadLetters(ctx.store);
    dead.onAdded = (job, reason) => failWorkflowOfDeadLetter(ctx, job.event.propertyValue, reason);
    const call = nock(HUBSPOT).post(PATH, {
      outputFields: { accessState: 'invited', hs_execution_state: 'FAIL_CONTINUE', emailState: 'not-sent', errorMessage: 'credentials email not sent: HubSpot crm.contacts.read still failing after 4 attempts: HTTP 503' },
      typedOutputs: {},
    }).reply(204);
    const event = (propertyValue: unknown) => ({ id: 'email-4242-workflow', event: { eventId: 0, subscriptionId: 0, portalId: P, occurredAt: 1, subscriptionType: 'app.email.send', attemptNumber: 0, propertyValue } });
    await dead.add(event({ cause: 'rule:1', template: 'portal-credentials', contactId: '7' }), 'no workflow here', 5);
    await dead.add(event({ cause: `workflow:${CALLBACK}`, template: 'portal-credentials', contactId: '7', workflow: { callbackId: CALLBACK, outputFields: { accessState: 'invited' } } }), 'HubSpot crm.contacts.read still failing after 4 attempts: HTTP 503', 5);
    call.done();
    expect(await dead.countFor(P)).toBe(2);
  });
});
