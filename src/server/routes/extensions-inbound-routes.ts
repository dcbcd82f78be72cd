import type { Response, Router } from 'express';
import { z } from 'zod';
import type { ExtensionsDeps } from './extensions-deps.js';
import { describeZodError } from '../../platform/describe-zod-error.js';
import type { CardCaller } from './verify-extension-request.js';

const caller = (res: Response) => res.locals.caller as CardCaller;
import { newBackfill, readBackfill } from '../../companies/backfill.js';
import { companyOverview, explainFiling } from '../../companies/explain-filing.js';
import { keys } from '../../store/keys.js';
import { BACKFILL } from '../event-handlers.js';

const backfillBody = z.strictObject({
  mode: z.enum(['dry-run', 'apply'], { error: 'mode must be "dry-run" or "apply"' }),
  companyId: z.string().regex(/^\d+$/, 'must be a HubSpot company id (digits)').nullable().default(null),
});

/** Filing explanations, company domains, the default company and backfill runs. */
export function inboundRoutes(r: Router, deps: ExtensionsDeps): void {
  r.get('/contacts/:contactId/filing', async (req, res) => {
    const { portalId } = caller(res);
    const settings = (await deps.settings.read(portalId)).settings;
    res.json(await explainFiling(portalId, String(req.params.contactId), deps.hubspot, deps.store, settings, deps.index));
  });

  r.get('/companies/:companyId/domains', async (req, res) => {
    res.json(await companyOverview(caller(res).portalId, String(req.params.companyId), deps.hubspot, deps.index));
  });

  /** The articles' "Unassigned" customer, created when the admin asks for it and saved as the default. */
  r.post('/default-company', deps.admin!, async (_req, res) => {
    const { portalId, userId, userEmail } = caller(res);
    const current = await deps.settings.read(portalId);
    if (current.settings.inbound.defaultCompanyId) {
      return void res.status(409).json({ message: `the default company is already ${current.settings.inbound.defaultCompanyId}` });
    }
    const company = await deps.hubspot.call(portalId, 'crm.companies.create', (c) => c.crm.companies.basicApi.create({ properties: { name: 'Unassigned' }, associations: [] }));
    const saved = await deps.settings.save(portalId, { ...current.settings, inbound: { ...current.settings.inbound, defaultCompanyId: company.id } }, current.version, userEmail ?? `user ${userId ?? 'unknown'}`);
    res.status(201).json({ companyId: company.id, version: saved.version });
  });
  r.get('/backfill', async (_req, res) => {
    res.json((await readBackfill(deps.store, caller(res).portalId)) ?? { state: 'none' });
  });

  r.post('/backfill', deps.admin!, async (_req, res) => {
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
}
