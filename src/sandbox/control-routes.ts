import { Router } from 'express';
import { z } from 'zod';
import { describeZodError } from '../platform/describe-zod-error.js';
import type { CrmRecord } from './crm-objects.js';

/** What the control routes drive: HubSpot's side of the story (the sandbox implements it). */
export interface SandboxControls {
  inboundEmail(portalId: number, m: { from: string; name?: string; subject: string; text: string; threadId?: string; spam?: boolean }): unknown;
  agentReply(portalId: number, threadId: string, text: string): unknown;
  createTicket(portalId: number, properties: Record<string, string>, contactId?: string): CrmRecord;
  createCompany(portalId: number, properties: Record<string, string>): CrmRecord;
  callsByRoute(): Record<string, number>;
  readonly violations: string[];
}

const portalId = z.coerce.number().int().positive();
const inbound = z.object({ portalId, from: z.email(), name: z.string().optional(), subject: z.string(), text: z.string(), threadId: z.string().optional(), spam: z.boolean().optional() });
const company = z.object({ portalId, name: z.string().trim().min(1).max(200), domain: z.string().trim().min(3).max(253), hs_additional_domains: z.string().trim().max(2000).optional() });
const reply = z.object({ portalId: z.number().int(), threadId: z.string(), text: z.string() });
const ticket = z.object({ portalId: z.number().int(), subject: z.string(), content: z.string().optional(), contactId: z.string().optional() });

/** /_sandbox/...: drive HubSpot's side of the story over HTTP (not a HubSpot API; never checked against the specs). */
export function controlRoutes(sandbox: SandboxControls): Router {
  const r = Router();
  const parse = <T>(schema: z.ZodType<T>, body: unknown, res: import('express').Response): T | undefined => {
    const p = schema.safeParse(body);
    if (!p.success) { res.status(400).json({ message: describeZodError(p.error) }); return undefined; }
    return p.data;
  };
  // The console's forms post here too: a form gets sent back to the console.
  const answer = (req: import('express').Request, res: import('express').Response, body: unknown) => (req.is('application/x-www-form-urlencoded') ? res.redirect(303, '/_console') : res.json(body));
  r.post('/_sandbox/inbound-email', (req, res) => {
    const m = parse(inbound, req.body, res);
    if (m) answer(req, res, sandbox.inboundEmail(m.portalId, m));
  });
  /** A company created in HubSpot's UI (with its company.creation webhook). */
  r.post('/_sandbox/companies', (req, res) => {
    const m = parse(company, req.body, res);
    if (m) answer(req, res, sandbox.createCompany(m.portalId, { name: m.name, domain: m.domain, ...(m.hs_additional_domains ? { hs_additional_domains: m.hs_additional_domains } : {}) }));
  });
  r.post('/_sandbox/agent-reply', (req, res) => {
    const m = parse(reply, req.body, res);
    if (m) res.json(sandbox.agentReply(m.portalId, m.threadId, m.text));
  });
  r.post('/_sandbox/tickets', (req, res) => {
    const m = parse(ticket, req.body, res);
    if (m) res.json(sandbox.createTicket(m.portalId, { subject: m.subject, ...(m.content ? { content: m.content } : {}) }, m.contactId));
  });
  r.get('/_sandbox/calls', (_req, res) => { res.json({ byRoute: sandbox.callsByRoute(), violations: sandbox.violations }); });
  return r;
}
