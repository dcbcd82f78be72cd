import type { Response, Router } from 'express';
import { z } from 'zod';
import type { ExtensionsDeps } from './extensions-deps.js';
import { describeZodError } from '../../platform/describe-zod-error.js';
import type { CardCaller } from './verify-extension-request.js';

const caller = (res: Response) => res.locals.caller as CardCaller;
import { evaluateRules } from '../../rules/evaluate-rules.js';
import { ruleTriggers, type RuleSet } from '../../rules/rule-schema.js';
import { availableActions, RuleRepository, RuleSetError, RulesVersionConflict } from '../../tickets/rule-repository.js';
import { runAction, ticketRuns } from '../../tickets/run-ticket-rules.js';
import { readTicket } from '../../tickets/ticket-snapshot.js';
import { rulePorts } from '../event-handlers.js';
import { dryRun, lastFiredByRule } from '../../tickets/rule-dry-run.js';

type Listed = { results: { name: string; label: string; type: string; hidden?: boolean; modificationMetadata?: { readOnlyValue?: boolean } }[] };
/** Properties by label, hidden ones left out (and those the app may not write, when it is to write them). */
async function propertiesByLabel(hubspot: ExtensionsDeps['hubspot'], portalId: number, objectType: 'tickets' | 'companies', writable: boolean) {
  const found = await hubspot.request<Listed>(portalId, `crm.properties.${objectType}.list`, { method: 'GET', path: `/crm/v3/properties/${objectType}` });
  return found.results.filter((p) => !p.hidden && !(writable && p.modificationMetadata?.readOnlyValue))
    .map((p) => ({ name: p.name, label: p.label, type: p.type })).sort((a, b) => a.label.localeCompare(b.label));
}

/** Rules (read, save/import, dry run) and a ticket's rule runs with retry of one action. */
export function rulesRoutes(r: Router, deps: ExtensionsDeps): void {
  /** The draft a test or dry run is given (validated, every problem named: 400), else the saved set. */
  const draftOrSaved = async (res: Response, portalId: number, draft: unknown): Promise<RuleSet | undefined> => {
    try {
      return draft === undefined ? (await deps.rules.read(portalId)).ruleSet : RuleRepository.validate(draft);
    } catch (err) {
      if (err instanceof RuleSetError) return void res.status(400).json({ message: err.message, problems: err.problems });
      throw err;
    }
  };

  r.get('/rules', async (_req, res) => {
    const { portalId } = caller(res);
    const [current, lastFired] = await Promise.all([deps.rules.read(portalId), lastFiredByRule(deps.store, portalId)]);
    res.json({ ...current, lastFired, availableActions: [...availableActions] });
  });

  /** The account's ticket properties by label, for the setProperty action's picker. */
  r.get('/rules/ticket-properties', async (_req, res) => {
    res.json({ properties: await propertiesByLabel(deps.hubspot, caller(res).portalId, 'tickets', true) });
  });

  /** The account's company properties by label (which companies must keep a support contact). */
  r.get('/pickers/company-properties', async (_req, res) => {
    res.json({ properties: await propertiesByLabel(deps.hubspot, caller(res).portalId, 'companies', false) });
  });

  /**
   * "Would these rules fire?" over the account's newest tickets (up to 200, one search): no side
   * effect. The requester and company are not read for each ticket (that would be 400 more calls):
   * conditions on them are evaluated as empty, and the answer says so.
   */
  r.post('/rules/dry-run', async (_req, res) => {
    const { portalId } = caller(res);
    const body = z.strictObject({ ruleSet: z.unknown().optional(), trigger: z.enum(ruleTriggers).default('ticket.created') }).safeParse(res.locals.json ?? {});
    if (!body.success) return void res.status(400).json({ message: describeZodError(body.error) });
    const ruleSet = await draftOrSaved(res, portalId, body.data.ruleSet);
    if (!ruleSet) return;
    res.json(await dryRun(deps.hubspot, portalId, ruleSet, body.data.trigger));
  });

  /** Saves (or imports) the whole rule set; every problem comes back with its path for inline errors. */
  r.put('/rules', deps.admin!, async (_req, res) => {
    const { portalId, userId, userEmail } = caller(res);
    const body = z.strictObject({ expectedVersion: z.number().int().min(0), ruleSet: z.unknown() }).safeParse(res.locals.json);
    if (!body.success) return void res.status(400).json({ message: describeZodError(body.error), problems: [] });
    try {
      res.json(await deps.rules.save(portalId, body.data.ruleSet, body.data.expectedVersion, userEmail ?? `user ${userId ?? 'unknown'}`));
    } catch (err) {
      if (err instanceof RuleSetError) return void res.status(400).json({ message: err.message, problems: err.problems });
      if (err instanceof RulesVersionConflict) return void res.status(409).json({ message: err.message, currentVersion: err.current });
      throw err;
    }
  });

  /** Dry run: the saved (or a draft) rule set against an existing ticket or a sample title; no side effect. */
  r.post('/rules/test', async (_req, res) => {
    const { portalId } = caller(res);
    const body = z.strictObject({
      title: z.string().max(10_000).optional(), ticketId: z.string().regex(/^\d+$/).optional(), ruleSet: z.unknown().optional(),
      /** A sample ticket as the admin describes it (the rule builder's "would this fire"). */
      ticket: z.strictObject({
        title: z.string().max(10_000).default(''), pipeline: z.string().max(200).default(''), stage: z.string().max(200).default(''),
        priority: z.string().max(200).default(''), requesterEmail: z.string().max(320).default(''), company: z.string().max(200).default(''),
      }).optional(),
      trigger: z.enum(ruleTriggers).default('ticket.created'),
    }).refine((b) => b.title !== undefined || b.ticketId !== undefined || b.ticket !== undefined, 'give a sample ticket, a sample title or a ticketId').safeParse(res.locals.json);
    if (!body.success) return void res.status(400).json({ message: describeZodError(body.error) });
    const ruleSet = await draftOrSaved(res, portalId, body.data.ruleSet);
    if (!ruleSet) return;
    const sample = body.data.ticket;
    const snapshot = body.data.ticketId ? (await readTicket(portalId, body.data.ticketId, deps.hubspot)).snapshot
      : sample ? { ...sample, requesterDomain: sample.requesterEmail.split('@')[1]?.toLowerCase() ?? '' } : { title: body.data.title };
    res.json(evaluateRules(ruleSet, snapshot, body.data.trigger));
  });

  r.get('/tickets/:ticketId/rule-runs', async (req, res) => {
    res.json({ runs: await ticketRuns(deps.store, caller(res).portalId, String(req.params.ticketId)) });
  });

  /** Retries one failed action of a rule on this ticket (the ticket card's button). */
  r.post('/tickets/:ticketId/rule-runs/retry', async (req, res) => {
    const { portalId } = caller(res);
    const body = z.strictObject({ ruleId: z.string(), actionIndex: z.number().int().min(0) }).safeParse(res.locals.json);
    if (!body.success) return void res.status(400).json({ message: describeZodError(body.error) });
    const ticketId = String(req.params.ticketId);
    const rule = (await deps.rules.read(portalId)).ruleSet.rules.find((r) => r.id === body.data.ruleId);
    const action = rule?.actions[body.data.actionIndex];
    if (!rule || !action) return void res.status(404).json({ message: `rule ${body.data.ruleId} has no action ${body.data.actionIndex}` });
    const settings = (await deps.settings.read(portalId)).settings;
    const facts = await readTicket(portalId, ticketId, deps.hubspot);
    res.json(await runAction({ portalId, hubspot: deps.hubspot, store: deps.store, settings, log: res.locals.log as import('pino').Logger }, rulePorts(deps.queue, deps.portal.access), ticketId, rule.id, body.data.actionIndex, action, facts.requesterId));
  });
}
