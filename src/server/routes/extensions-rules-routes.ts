import type { Response, Router } from 'express';
import { z } from 'zod';
import type { ExtensionsDeps } from './extensions-deps.js';
import { describeZodError } from '../../platform/describe-zod-error.js';
import type { CardCaller } from './verify-extension-request.js';

const caller = (res: Response) => res.locals.caller as CardCaller;
import { evaluateRules } from '../../rules/evaluate-rules.js';
import { ruleTriggers } from '../../rules/rule-schema.js';
import { availableActions, RuleRepository, RuleSetError, RulesVersionConflict } from '../../tickets/rule-repository.js';
import { runAction, ticketRuns } from '../../tickets/run-ticket-rules.js';
import { readTicket } from '../../tickets/ticket-snapshot.js';
import { rulePorts } from '../event-handlers.js';

/** Rules (read, save/import, dry run) and a ticket's rule runs with retry of one action. */
export function rulesRoutes(r: Router, deps: ExtensionsDeps): void {
  r.get('/rules', async (_req, res) => {
    res.json({ ...(await deps.rules.read(caller(res).portalId)), availableActions: [...availableActions] });
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
      trigger: z.enum(ruleTriggers).default('ticket.created'),
    }).refine((b) => b.title !== undefined || b.ticketId !== undefined, 'give a sample title or a ticketId').safeParse(res.locals.json);
    if (!body.success) return void res.status(400).json({ message: describeZodError(body.error) });
    let ruleSet;
    try {
      ruleSet = body.data.ruleSet === undefined ? (await deps.rules.read(portalId)).ruleSet : RuleRepository.validate(body.data.ruleSet);
    } catch (err) {
      if (err instanceof RuleSetError) return void res.status(400).json({ message: err.message, problems: err.problems });
      throw err;
    }
    const snapshot = body.data.ticketId ? (await readTicket(portalId, body.data.ticketId, deps.hubspot)).snapshot : { title: body.data.title };
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
