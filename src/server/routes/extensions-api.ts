import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { JOURNAL_RETENTION_MS, journalState, replayJournal } from '../../webhooks/journal-poller.js';
import { settingsSchema } from '../../settings/settings-schema.js';
import { VersionConflictError } from '../../settings/settings-repository.js';
import { describeZodError } from '../../platform/describe-zod-error.js';
import { emailRoutes } from './extensions-email-routes.js';
import { inboundRoutes } from './extensions-inbound-routes.js';
import { rulesRoutes } from './extensions-rules-routes.js';
import { portalRoutes } from './extensions-portal-routes.js';
import { supportRoutes } from './extensions-support-routes.js';
import { chosenNames, pickerRoutes } from './extensions-picker-routes.js';
import { afterSettingsSaved, setupRoutes } from './extensions-setup-routes.js';
import { replyRoutes } from './extensions-reply-routes.js';
import type { ExtensionsDeps } from './extensions-deps.js';
import { adminAudit, isAdmin, requireAdmin } from './require-admin.js';

export type { ExtensionsDeps };
import { accountSetupTasks, provisionAccount, readProvisioning } from '../provision-account.js';
import type { CardCaller } from './verify-extension-request.js';


const saveBody = z.strictObject({ expectedVersion: z.number().int().nonnegative(), settings: settingsSchema });

const caller = (res: Response) => res.locals.caller as CardCaller;

/** /api/extensions/...: what the cards and the settings page call through hubspot.fetch. */
export function extensionsApi(given: ExtensionsDeps): Router {
  const r = Router();
  const admin = requireAdmin({ store: given.store, settings: given.settings, operatorAdmins: given.operatorAdmins });
  const deps = { ...given, admin };
  // Record ids in a path are HubSpot's: exact positive whole numbers, refused before anything reads them.
  for (const name of ['contactId', 'companyId', 'ticketId']) {
    r.param(name, (_req, res, next, value: string) => {
      if (/^[1-9]\d{0,15}$/.test(value) && Number.isSafeInteger(Number(value))) return next();
      res.status(400).json({ message: `${name} must be a HubSpot record id (a positive whole number below 2^53), not "${value.slice(0, 40)}"` });
    });
  }

  r.get('/status', async (_req: Request, res: Response) => {
    const { portalId } = caller(res);
    // This account's numbers only: its own pending events and dead letters, never the app's totals.
    const [installed, pending, deadLetters, provisioning] = await Promise.all([
      deps.isInstalled(portalId), deps.queue.pendingFor(portalId), deps.deadLetters.countFor(portalId), readProvisioning(portalId, deps.store),
    ]);
    // Where reading HubSpot's Webhooks Journal stands, when this app reads it (marketplace installs).
    const journal = deps.journalOn ? await journalState(deps.store, portalId) : undefined;
    res.json({
      portalId, installed, queue: { waiting: pending, active: 0 }, deadLetters, provisioning,
      journal: journal ? { lagSeconds: journal.lagSeconds ?? null, lastReadAt: journal.lastReadAt ?? null, lastError: journal.lastError ?? null } : null,
    });
  });

  r.get('/settings', async (_req, res) => {
    const { portalId, userId } = caller(res);
    const [current, provisioning, youAdmin] = await Promise.all([
      deps.settings.read(portalId), readProvisioning(portalId, deps.store), isAdmin({ store: deps.store, settings: deps.settings, operatorAdmins: deps.operatorAdmins }, portalId, userId),
    ]);
    // What the settings hold by id, by name (the page never shows an admin a bare id).
    const names = await chosenNames(deps.hubspot, portalId, current.settings);
    res.json({ ...current, provisioning, names, you: { userId, admin: youAdmin } });
  });

  r.get('/admin-audit', admin, async (_req, res) => {
    res.json({ changes: await adminAudit(deps.store, caller(res).portalId) });
  });

  r.put('/settings', admin, async (_req, res) => {
    const { portalId, userId, userEmail } = caller(res);
    const parsed = saveBody.safeParse(res.locals.json);
    if (!parsed.success) {
      res.status(400).json({ message: describeZodError(parsed.error), issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      return;
    }
    try {
      const saved = await deps.settings.save(portalId, parsed.data.settings, parsed.data.expectedVersion, userEmail ?? `user ${userId ?? 'unknown'}`);
      await afterSettingsSaved(deps, portalId, saved.settings);
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

  r.post('/provisioning', admin, async (_req, res) => {
    const result = await provisionAccount(caller(res).portalId, deps.hubspot, deps.store, accountSetupTasks(deps.settings, deps.store));
    // Provisioning may have chosen the access list: read what it left.
    await afterSettingsSaved(deps, caller(res).portalId, (await deps.settings.read(caller(res).portalId)).settings);
    res.json(result);
  });

  inboundRoutes(r, deps);
  emailRoutes(r, deps);
  rulesRoutes(r, deps);
  portalRoutes(r, deps);
  supportRoutes(r, deps);
  pickerRoutes(r, deps);
  setupRoutes(r, deps);
  replyRoutes(r, deps);

  // "Replay events since": the journal is read again from its earliest entry (HubSpot keeps 3 days); what was queued once is not queued again.
  const replayBody = z.object({ since: z.string().max(40).refine((v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v)), 'must be a date and time, like 2026-12-01T08:00:00Z') });
  r.post('/journal/replay', admin, async (_req, res) => {
    if (!deps.journalOn) return void res.status(409).json({ message: 'this app does not read HubSpot\'s webhooks journal (WEBHOOKS_JOURNAL is off): there is nothing to replay' });
    const parsed = replayBody.safeParse(res.locals.json);
    if (!parsed.success) return void res.status(400).json({ message: describeZodError(parsed.error) });
    const since = Date.parse(parsed.data.since);
    if (since > Date.now()) return void res.status(400).json({ message: 'since: is in the future' });
    if (since < Date.now() - JOURNAL_RETENTION_MS) return void res.status(400).json({ message: 'since: HubSpot keeps the webhooks journal for 3 days; choose a time within them' });
    const state = await replayJournal(deps.store, caller(res).portalId, since);
    res.json({ replayingSince: new Date(since).toISOString(), offset: state.offset });
  });

  r.delete('/installation', admin, async (_req, res) => {
    await deps.uninstall(caller(res).portalId);
    res.json({ uninstalled: true });
  });

  return r;
}
