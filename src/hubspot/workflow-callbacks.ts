import type { Logger } from 'pino';
import { z } from 'zod';
import { isPermanent } from '../queue/errors.js';
import { keys, ttl } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { HubSpotGateway } from './gateway.js';

/**
 * What a workflow action that finishes later carries to where it finishes (the credentials email's
 * job): the execution's callbackId and the output fields already known (the access state). Bounded
 * like everything queued; never a secret.
 */
export const workflowCompletion = z.object({
  callbackId: z.string().regex(/^[\w.:-]{1,200}$/),
  outputFields: z.record(z.string().regex(/^\w{1,40}$/), z.string().max(100)).refine((o) => Object.keys(o).length <= 10, 'at most 10 output fields').optional(),
});
export type WorkflowCompletion = z.infer<typeof workflowCompletion>;

/**
 * HubSpot's answer that an execution finishes later: the workflow waits (BLOCK) until the app
 * completes it through the callbacks API, for a day at most (ISO 8601; HubSpot's default is a week,
 * and a credentials email that has not gone out in a day will not).
 */
export const BLOCKED = { hs_execution_state: 'BLOCK', hs_expiration_duration: 'P1D' } as const;

/** A workflow action's email that did not go out: the step fails in the workflow's history with the reason, and the workflow goes on. */
export const emailNotSent = (reason: string): Record<string, string> => ({ hs_execution_state: 'FAIL_CONTINUE', emailState: 'not-sent', errorMessage: `credentials email not sent: ${reason}`.slice(0, 300) });

interface CallbackContext { portalId: number; hubspot: HubSpotGateway; store: Store; log: Logger }

/**
 * Completes a blocked workflow action execution (POST /automation/v4/actions/callbacks/{callbackId}/complete,
 * scope `automation`): once per callbackId (a retried job does not complete it again). A refusal
 * (4xx: HubSpot no longer waits for it, or never did) is logged and taken as final; a 429, 5xx or
 * no answer throws, so the job that completes it is retried.
 */
export async function completeWorkflowAction(ctx: CallbackContext, callbackId: string, outputFields: Record<string, string>): Promise<void> {
  const done = keys.idempotency(ctx.portalId, `workflow-completed:${callbackId}`);
  if (await ctx.store.get(done)) return;
  try {
    await ctx.hubspot.request(ctx.portalId, 'automation.callbacks.complete', {
      method: 'POST', path: `/automation/v4/actions/callbacks/${encodeURIComponent(callbackId)}/complete`,
      body: { outputFields, typedOutputs: {} },
    });
  } catch (err) {
    if (!isPermanent(err)) throw err;
    ctx.log.warn({ callbackId, reason: (err as Error).message }, 'HubSpot refused completing a workflow action: not tried again');
  }
  await ctx.store.set(done, '1', ttl.idempotency);
}

/**
 * A job that failed for good (a dead letter) whose payload finishes a workflow step (a credentials
 * email of a workflow action): the step fails now with the reason, instead of waiting until
 * HubSpot's wait runs out. Replaying the letter sends the email; the step stays as told.
 */
export async function failWorkflowOfDeadLetter(ctx: CallbackContext, payload: unknown, reason: string): Promise<void> {
  const parsed = z.object({ workflow: workflowCompletion }).safeParse(payload);
  if (!parsed.success) return;
  const { callbackId, outputFields } = parsed.data.workflow;
  await completeWorkflowAction(ctx, callbackId, { ...outputFields, ...emailNotSent(reason) });
}
