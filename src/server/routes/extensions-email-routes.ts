import type { Router, Request, Response } from 'express';
import { z } from 'zod';
import type { ExtensionsDeps } from './extensions-deps.js';
import { describeZodError } from '../../platform/describe-zod-error.js';
import type { CardCaller } from './verify-extension-request.js';

const caller = (res: Response) => res.locals.caller as CardCaller;
import { templateNames } from '../../email/default-templates.js';
import { renderTemplate, validateTemplate } from '../../email/email-template.js';
import { TemplateError } from '../../email/template-repository.js';
import { languages } from '../../i18n/messages.js';

const templateBody = z.strictObject({ subject: z.string().max(500), text: z.string().max(50_000), html: z.string().max(200_000) });
const previewBody = templateBody.partial().extend({ contactId: z.string().regex(/^\d+$/, 'must be a HubSpot contact id') });
const languageParam = z.enum(languages, { error: `language must be one of ${languages.join(', ')}` });
const templateParam = z.enum(templateNames, { error: `template must be one of ${templateNames.join(', ')}` });

/** Templates (list, save, restore, preview), the outbox, a contact's email log, the SMTP password. */
export function emailRoutes(r: Router, deps: ExtensionsDeps): void {
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

  r.put('/email/templates/:name/:language', deps.admin!, async (req, res) => {
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

  r.delete('/email/templates/:name/:language', deps.admin!, async (req, res) => {
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
    const placeholders = { 'Portal Address': '[portal address]', 'Portal Username': contact.email ?? '', 'Portal Password': '[one-time set-password link]', 'Portal Sign-in Code': '[6-digit sign-in code]' };
    const { subject, text, html } = renderTemplate(template, deps.email.registry, { contact, company, ticket: { subject: '[ticket title]', content: '[ticket description]', hs_object_id: '0' } }, placeholders);
    res.json({ subject, text, html });
  });

  r.get('/contacts/:contactId/emails', async (req, res) => {
    res.json({ emails: await deps.email.service.log(deps.store, caller(res).portalId, String(req.params.contactId)) });
  });

  r.get('/email/outbox', async (_req, res) => {
    res.json({ messages: await deps.email.outbox.list(caller(res).portalId) });
  });

  r.put('/email/smtp-password', deps.admin!, async (_req, res) => {
    const body = z.strictObject({ password: z.string().min(1, 'must not be empty').max(1000) }).safeParse(res.locals.json);
    if (!body.success) return void res.status(400).json({ message: describeZodError(body.error) });
    try {
      await deps.email.saveSmtpPassword(caller(res).portalId, body.data.password);
      res.json({ saved: true });
    } catch (err) {
      res.status(409).json({ message: (err as Error).message });
    }
  });
}
