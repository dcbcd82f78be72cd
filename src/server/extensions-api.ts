import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import type { DeadLetters } from '../queue/dead-letters.js';
import type { EventQueue } from '../queue/event-queue.js';
import { settingsSchema } from '../settings/settings-schema.js';
import { VersionConflictError, type SettingsRepository } from '../settings/settings-repository.js';
import { newBackfill, readBackfill } from '../companies/backfill.js';
import type { DomainIndexCache } from '../companies/domain-index-cache.js';
import { companyOverview, explainFiling } from '../companies/explain-filing.js';
import { keys } from '../store/keys.js';
import type { Email } from '../email/create-email.js';
import { templateNames } from '../email/default-templates.js';
import { renderTemplate, validateTemplate } from '../email/email-template.js';
import { TemplateError } from '../email/template-repository.js';
import { languages } from '../i18n/messages.js';
import type { Store } from '../store/store.js';
import { BACKFILL, emailQueuePort } from './event-handlers.js';
import { evaluateRules } from '../rules/evaluate-rules.js';
import { ruleTriggers } from '../rules/rule-schema.js';
import { availableActions, RuleRepository, RuleSetError, RulesVersionConflict } from '../tickets/rule-repository.js';
import { runAction, ticketRuns } from '../tickets/run-ticket-rules.js';
import { readTicket } from '../tickets/ticket-snapshot.js';
import { describeZodError } from './describe-zod-error.js';
import { provisionAccount, readProvisioning } from './provision-account.js';
import type { CardCaller } from './verify-extension-request.js';

export interface ExtensionsDeps {
  settings: SettingsRepository;
  store: Store;
  queue: EventQueue;
  deadLetters: DeadLetters;
  hubspot: HubSpotGateway;
  isInstalled: (portalId: number) => Promise<boolean>;
  uninstall: (portalId: number) => Promise<void>;
  index: DomainIndexCache;
  email: Email;
  rules: RuleRepository;
}

const templateBody = z.strictObject({ subject: z.string().max(500), text: z.string().max(50_000), html: z.string().max(200_000) });
const previewBody = templateBody.partial().extend({ contactId: z.string().regex(/^\d+$/, 'must be a HubSpot contact id') });
const languageParam = z.enum(languages, { error: `language must be one of ${languages.join(', ')}` });
const templateParam = z.enum(templateNames, { error: `template must be one of ${templateNames.join(', ')}` });

const backfillBody = z.strictObject({
  mode: z.enum(['dry-run', 'apply'], { error: 'mode must be "dry-run" or "apply"' }),
  companyId: z.string().regex(/^\d+$/, 'must be a HubSpot company id (digits)').nullable().default(null),
});

const saveBody = z.strictObject({ expectedVersion: z.number().int().nonnegative(), settings: settingsSchema });

const caller = (res: Response) => res.locals.caller as CardCaller;

/** /api/extensions/...: what the cards and the settings page call through hubspot.fetch. */
export function extensionsApi(deps: ExtensionsDeps): Router {
  const r = Router();

  r.get('/status', async (_req: Request, res: Response) => {
    const { portalId } = caller(res);
    const [installed, counts, dead, provisioning] = await Promise.all([
      deps.isInstalled(portalId), deps.queue.counts(), deps.deadLetters.list(1000), readProvisioning(portalId, deps.store),
    ]);
    res.json({
      portalId, installed,
      queue: { waiting: counts.waiting + counts.delayed, active: counts.active },
      deadLetters: dead.filter((d) => d.job.event.portalId === portalId).length,
      provisioning,
    });
  });

  r.get('/settings', async (_req, res) => {
    const { portalId } = caller(res);
    const [current, provisioning] = await Promise.all([deps.settings.read(portalId), readProvisioning(portalId, deps.store)]);
    res.json({ ...current, provisioning });
  });

  r.put('/settings', async (_req, res) => {
    const { portalId, userId, userEmail } = caller(res);
    const parsed = saveBody.safeParse(res.locals.json);
    if (!parsed.success) {
      res.status(400).json({ message: describeZodError(parsed.error), issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      return;
    }
    try {
      const saved = await deps.settings.save(portalId, parsed.data.settings, parsed.data.expectedVersion, userEmail ?? `user ${userId ?? 'unknown'}`);
      res.json(saved);
    } catch (err) {
      if (err instanceof VersionConflictError) {
        res.status(409).json({ message: err.message, currentVersion: err.current });
        return;
      }
      throw err;
    }
  });

  r.get('/settings/history', async (_req, res) => {
    res.json({ changes: await deps.settings.history(caller(res).portalId) });
  });

  r.post('/provisioning', async (_req, res) => {
    res.json(await provisionAccount(caller(res).portalId, deps.hubspot, deps.store));
  });

  r.get('/contacts/:contactId/filing', async (req, res) => {
    const { portalId } = caller(res);
    const settings = (await deps.settings.read(portalId)).settings;
    res.json(await explainFiling(portalId, String(req.params.contactId), deps.hubspot, deps.store, settings, deps.index));
  });

  r.get('/companies/:companyId/domains', async (req, res) => {
    res.json(await companyOverview(caller(res).portalId, String(req.params.companyId), deps.hubspot, deps.index));
  });

  /** The articles' "Unassigned" customer, created when the admin asks for it and saved as the default. */
  r.post('/default-company', async (_req, res) => {
    const { portalId, userId, userEmail } = caller(res);
    const current = await deps.settings.read(portalId);
    if (current.settings.inbound.defaultCompanyId) {
      return void res.status(409).json({ message: `the default company is already ${current.settings.inbound.defaultCompanyId}` });
    }
    const company = await deps.hubspot.call(portalId, 'crm.companies.create', (c) => c.crm.companies.basicApi.create({ properties: { name: 'Unassigned' }, associations: [] }));
    const saved = await deps.settings.save(portalId, { ...current.settings, inbound: { ...current.settings.inbound, defaultCompanyId: company.id } }, current.version, userEmail ?? `user ${userId ?? 'unknown'}`);
    res.status(201).json({ companyId: company.id, version: saved.version });
  });

  const templateOf = (req: Request, res: Response) => {
    const name = templateParam.safeParse(req.params.name);
    const language = languageParam.safeParse(req.params.language);
    if (!name.success || !language.success) {
      res.status(400).json({ message: [name.error?.issues[0]?.message, language.error?.issues[0]?.message].filter(Boolean).join('; ') });
      return undefined;
    }
    return { name: name.data, language: language.data };
  };

  r.get('/email/templates', async (req, res) => {
    const language = languageParam.safeParse(req.query.language ?? 'en');
    res.json({ templates: await deps.email.templates.list(caller(res).portalId), snippets: deps.email.registry.list(language.success ? language.data : 'en') });
  });

  r.put('/email/templates/:name/:language', async (req, res) => {
    const which = templateOf(req, res);
    if (!which) return;
    const body = templateBody.safeParse(res.locals.json);
    if (!body.success) return void res.status(400).json({ message: describeZodError(body.error) });
    try {
      await deps.email.templates.save(caller(res).portalId, { ...which, ...body.data });
      res.json({ ...which, ...body.data, customised: true });
    } catch (err) {
      if (err instanceof TemplateError) return void res.status(400).json({ message: err.message, problems: err.problems });
      throw err;
    }
  });

  r.delete('/email/templates/:name/:language', async (req, res) => {
    const which = templateOf(req, res);
    if (!which) return;
    res.json({ ...(await deps.email.templates.restore(caller(res).portalId, which.name, which.language)), customised: false });
  });

  /** Live preview of a (possibly unsaved) template against a chosen contact; secret snippets show as placeholders. */
  r.post('/email/templates/:name/:language/preview', async (req, res) => {
    const which = templateOf(req, res);
    if (!which) return;
    const body = previewBody.safeParse(res.locals.json);
    if (!body.success) return void res.status(400).json({ message: describeZodError(body.error) });
    const { portalId } = caller(res);
    const saved = await deps.email.templates.get(portalId, which.name, which.language);
    const template = { ...saved, ...Object.fromEntries(Object.entries(body.data).filter(([k, v]) => k !== 'contactId' && v !== undefined)) };
    const problems = validateTemplate(template, deps.email.registry);
    if (problems.length) return void res.status(400).json({ message: problems.join('; '), problems });
    const contact = (await deps.hubspot.call(portalId, 'crm.contacts.get', (c) => c.crm.contacts.basicApi.getById(body.data.contactId, ['email', 'firstname', 'lastname', 'associatedcompanyid']))).properties;
    const company = contact.associatedcompanyid
      ? (await deps.hubspot.call(portalId, 'crm.companies.get', (c) => c.crm.companies.basicApi.getById(contact.associatedcompanyid!, ['name']))).properties : undefined;
    const placeholders = { 'Portal Address': '[portal address]', 'Portal Username': contact.email ?? '', 'Portal Password': '[one-time set-password link]' };
    const { subject, text, html } = renderTemplate(template, deps.email.registry, { contact, company, ticket: { subject: '[ticket title]', content: '[ticket description]', hs_object_id: '0' } }, placeholders);
    res.json({ subject, text, html });
  });

  r.get('/contacts/:contactId/emails', async (req, res) => {
    res.json({ emails: await deps.email.service.log(deps.store, caller(res).portalId, String(req.params.contactId)) });
  });

  r.get('/email/outbox', async (_req, res) => {
    res.json({ messages: await deps.email.outbox.list(caller(res).portalId) });
  });

  r.put('/email/smtp-password', async (_req, res) => {
    const body = z.strictObject({ password: z.string().min(1, 'must not be empty').max(1000) }).safeParse(res.locals.json);
    if (!body.success) return void res.status(400).json({ message: describeZodError(body.error) });
    try {
      await deps.email.saveSmtpPassword(caller(res).portalId, body.data.password);
      res.json({ saved: true });
    } catch (err) {
      res.status(409).json({ message: (err as Error).message });
    }
  });

  r.get('/rules', async (_req, res) => {
    res.json({ ...(await deps.rules.read(caller(res).portalId)), availableActions: [...availableActions] });
  });

  /** Saves (or imports) the whole rule set; every problem comes back with its path for inline errors. */
  r.put('/rules', async (_req, res) => {
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
    res.json(await runAction({ portalId, hubspot: deps.hubspot, store: deps.store, settings }, emailQueuePort(deps.queue), ticketId, rule.id, body.data.actionIndex, action, facts.requesterId));
  });

  r.get('/backfill', async (_req, res) => {
    res.json((await readBackfill(deps.store, caller(res).portalId)) ?? { state: 'none' });
  });

  r.post('/backfill', async (_req, res) => {
    const { portalId } = caller(res);
    const parsed = backfillBody.safeParse(res.locals.json ?? {});
    if (!parsed.success) return void res.status(400).json({ message: describeZodError(parsed.error) });
    const current = await readBackfill(deps.store, portalId);
    if (current && (current.state === 'queued' || current.state === 'running')) {
      return void res.status(409).json({ message: `a ${current.mode} backfill is already ${current.state}; wait for it to finish`, status: current });
    }
    const status = newBackfill(parsed.data.mode, parsed.data.companyId);
    await deps.store.set(keys.backfill(portalId), JSON.stringify(status));
    await deps.queue.enqueue([{ id: `backfill-${portalId}-${Date.parse(status.startedAt)}`, event: {
      eventId: 0, subscriptionId: 0, portalId, occurredAt: Date.now(), subscriptionType: BACKFILL, attemptNumber: 0,
    } }]);
    res.status(202).json(status);
  });

  r.delete('/installation', async (_req, res) => {
    await deps.uninstall(caller(res).portalId);
    res.json({ uninstalled: true });
  });

  return r;
}
