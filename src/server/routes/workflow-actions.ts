import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { PortalAccess } from '../../portal/portal-access.js';
import type { SettingsRepository } from '../../settings/settings-repository.js';
import { keys, ttl } from '../../store/keys.js';
import type { Store } from '../../store/store.js';
import type { HubSpotGateway } from '../../hubspot/gateway.js';
import type { EventQueue } from '../../queue/event-queue.js';
import { verifyLegacy, verifyV3 } from '../../webhooks/verify-signature.js';
import { rulePorts } from '../event-handlers.js';
import { explainFiling } from '../../companies/explain-filing.js';
import type { DomainIndexCache } from '../../companies/domain-index-cache.js';
import { primaryCompanyInputs } from '../../hubspot/association-types.js';
import { BLOCKED, completeWorkflowAction, workflowCompletion } from '../../hubspot/workflow-callbacks.js';

export interface WorkflowActionDeps {
  clientSecret: string; publicBaseUrl: string; store: Store; settings: SettingsRepository; hubspot: HubSpotGateway; queue: EventQueue;
  access: PortalAccess; index: DomainIndexCache; isInstalled: (portalId: number) => Promise<boolean>; log: Logger; now?: () => number;
  /** How long HubSpot's request may wait for an action's answer before it is answered BLOCK and completed through the callbacks API. */
  answerWithinMs?: number;
}

/**
 * HubSpot waits about 20 s for an action's answer (its custom action guide; 30 s for workflow
 * webhooks); an action not done within this is answered BLOCK and completed through the callbacks API.
 */
export const ANSWER_WITHIN_MS = 10_000;

/** What HubSpot posts when a workflow reaches one of the app's actions (HubSpot's custom workflow action request). */
const actionRequest = z.looseObject({
  callbackId: workflowCompletion.shape.callbackId,
  origin: z.looseObject({ portalId: z.number().int().positive().refine(Number.isSafeInteger) }),
  object: z.looseObject({ objectId: z.number().int().positive().refine(Number.isSafeInteger), objectType: z.string().max(64) }),
  inputFields: z.record(z.string(), z.unknown()).optional(),
});

/** An action's outcome; `later`: its own job (the credentials email) completes the execution through the callbacks API. */
type Outcome = { outputFields: Record<string, string>; later?: true };
const failed = (message: string): Outcome => ({ outputFields: { hs_execution_state: 'FAIL_CONTINUE', errorMessage: message.slice(0, 300) } });

/**
 * POST /workflow-actions/:action: the app's actions in HubSpot workflows. HubSpot signs these
 * with v2 (hex SHA-256 of secret + method + URI + body, no timestamp) — or v3 where it sends it —
 * over our own public URL; with no timestamp a replay is possible, so each callbackId acts at
 * most once and a repeat gets the first answer.
 */
export function workflowActions(d: WorkflowActionDeps): Router {
  const r = Router();
  const now = d.now ?? Date.now;
  r.post('/:action', async (req: Request, res: Response) => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const uri = `${d.publicBaseUrl}${req.originalUrl}`;
    const v3 = req.get('x-hubspot-signature-v3');
    const verdict = v3
      ? verifyV3(d.clientSecret, 'POST', uri, body, v3, req.get('x-hubspot-request-timestamp'), now())
      : verifyLegacy('v2', d.clientSecret, 'POST', uri, body, req.get('x-hubspot-signature'));
    if (!verdict.ok) {
      d.log.warn({ reason: verdict.reason }, 'workflow action refused');
      return void res.status(401).json({ message: 'not signed by HubSpot' });
    }
    let parsed;
    try { parsed = actionRequest.safeParse(JSON.parse(body)); } catch { parsed = undefined; }
    if (!parsed?.success) return void res.status(400).json({ message: 'not a workflow action request (callbackId, origin.portalId, object.objectId)' });
    const { callbackId, origin: { portalId }, object } = parsed.data;
    if (!(await d.isInstalled(portalId))) return void res.status(403).json({ message: `the app is not installed in account ${portalId}` });
    const action = String(req.params.action);
    const once = keys.idempotency(portalId, `workflow:${callbackId}`);
    // Set by a request answered BLOCK while the execution was still running: it ends through the callbacks API.
    const blocked = keys.idempotency(portalId, `workflow-blocked:${callbackId}`);
    if (!(await d.store.setIfAbsent(once, 'running', ttl.idempotency))) {
      let first = await d.store.get(once);
      if (first === 'running') {
        await d.store.set(blocked, '1', ttl.idempotency);
        first = await d.store.get(once);
      }
      return void res.json(first && first !== 'running' ? JSON.parse(first) as Outcome : { outputFields: BLOCKED });
    }
    const work = run(d, action, portalId, String(object.objectId), object.objectType, callbackId).catch((err: unknown) => {
      d.log.warn({ action, reason: (err as Error).message }, 'workflow action failed');
      return failed((err as Error).message);
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), d.answerWithinMs ?? ANSWER_WITHIN_MS); });
    const quick = await Promise.race([work, late]);
    clearTimeout(timer);
    if (quick === 'late') {
      await d.store.set(blocked, '1', ttl.idempotency);
      res.json({ outputFields: BLOCKED });
    }
    const outcome = await work;
    const answer = outcome.later ? { outputFields: BLOCKED } : { outputFields: outcome.outputFields };
    await d.store.set(once, JSON.stringify(answer), ttl.idempotency);
    if (quick !== 'late') res.json(answer);
    // Answered BLOCK (this request was late, or HubSpot asked again while it ran): the outcome goes
    // through the callbacks API, unless the action's own job completes it.
    if (!outcome.later && (quick === 'late' || await d.store.get(blocked))) {
      await completeWorkflowAction({ portalId, hubspot: d.hubspot, store: d.store, log: d.log }, callbackId, outcome.outputFields)
        .catch((err: unknown) => d.log.warn({ action, reason: (err as Error).message }, 'could not complete a workflow action through the callbacks API'));
    }
  });
  return r;
}

async function run(d: WorkflowActionDeps, action: string, portalId: number, objectId: string, objectType: string, callbackId: string): Promise<Outcome> {
  const settings = (await d.settings.read(portalId)).settings;
  const ctx = { portalId, hubspot: d.hubspot, store: d.store, settings, log: d.log };
  const ports = rulePorts(d.queue, d.access);
  const contactOnly = () => { if (objectType.toUpperCase() !== 'CONTACT') throw new Error(`this action runs on contacts, not on ${objectType.toLowerCase()}`); };
  switch (action) {
    case 'give-portal-access': {
      contactOnly();
      const change = await d.access.grant(ctx, objectId, 'a HubSpot workflow', `workflow action ${callbackId}`);
      const accessState = change.account.state;
      await ports.queueEmail(portalId, { cause: `workflow:${callbackId}`, template: await d.access.credentialsTemplate(ctx, objectId), contactId: objectId, workflow: { callbackId, outputFields: { accessState } } });
      return { outputFields: { accessState }, later: true };
    }
    case 'send-portal-credentials': {
      contactOnly();
      await ports.queueEmail(portalId, { cause: `workflow:${callbackId}`, template: await d.access.credentialsTemplate(ctx, objectId), contactId: objectId, workflow: { callbackId } });
      return { outputFields: {}, later: true };
    }
    case 'notify-support-contacts': {
      if (objectType.toUpperCase() !== 'TICKET') throw new Error(`this action runs on tickets, not on ${objectType.toLowerCase()}`);
      await ports.notifySupportContacts(ctx, objectId);
      return { outputFields: { hs_execution_state: 'SUCCESS' } };
    }
    case 'file-under-company': {
      // The inbox's own rule: the company that owns the contact's email domain (free mail never),
      // else the account's default company.
      contactOnly();
      const filing = await explainFiling(portalId, objectId, d.hubspot, d.store, settings, d.index);
      const companyId = filing.reason === 'domain' ? filing.companyId : settings.inbound.defaultCompanyId;
      if (!companyId) return { outputFields: { hs_execution_state: 'SUCCESS', filed: 'false', reason: filing.reason } };
      await d.hubspot.call(portalId, 'crm.associations.contacts-companies.batch.create', (c) => c.crm.associations.v4.batchApi.create('contacts', 'companies', {
        inputs: primaryCompanyInputs([{ contactId: objectId, companyId }]),
      }));
      return { outputFields: { hs_execution_state: 'SUCCESS', filed: 'true', companyId, reason: filing.reason === 'domain' ? 'domain' : 'default-company' } };
    }
    default:
      throw new Error(`no workflow action "${action.slice(0, 40)}" (give-portal-access, send-portal-credentials, notify-support-contacts, file-under-company)`);
  }
}
