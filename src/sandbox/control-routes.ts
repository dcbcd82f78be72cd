import { Router } from 'express';
import { z } from 'zod';
import { describeZodError } from '../server/describe-zod-error.js';
import type { HubSpotSandbox } from './hubspot-sandbox.js';

const inbound = z.object({ portalId: z.number().int(), from: z.email(), name: z.string().optional(), subject: z.string(), text: z.string(), threadId: z.string().optional(), spam: z.boolean().optional() });
const reply = z.object({ portalId: z.number().int(), threadId: z.string(), text: z.string() });
const ticket = z.object({ portalId: z.number().int(), subject: z.string(), content: z.string().optional(), contactId: z.string().optional() });

/** /_sandbox/...: drive HubSpot's side of the story over HTTP (not a HubSpot API; never checked against the specs). */
export function controlRoutes(sandbox: HubSpotSandbox): Router {
  const r = Router();
  const parse = <T>(schema: z.ZodType<T>, body: unknown, res: import('express').Response): T | undefined => {
    const p = schema.safeParse(body);
    if (!p.success) { res.status(400).json({ message: describeZodError(p.error) }); return undefined; }
    return p.data;
  };
  r.post('/_sandbox/inbound-email', (req, res) => {
    const m = parse(inbound, req.body, res);
    if (m) res.json(sandbox.inboundEmail(m.portalId, m));
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
