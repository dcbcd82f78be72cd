import type { Response, Router } from 'express';
import { CREDENTIALS_RULE_ID } from '../../rules/default-rules.js';
import { keys } from '../../store/keys.js';
import { portalReady, sendTestEmail, setupChecklist, type ChecklistDeps } from '../setup-checklist.js';
import type { Settings } from '../../settings/settings-schema.js';
import type { ExtensionsDeps } from './extensions-deps.js';
import type { CardCaller } from './verify-extension-request.js';

const caller = (res: Response) => res.locals.caller as CardCaller;
const by = (res: Response) => caller(res).userEmail ?? `user ${caller(res).userId ?? 'unknown'}`;

/** Turns the shipped credentials rule on once the portal is ready (nobody saved rules before): given the settings just saved. */
export async function afterSettingsSaved(deps: Pick<ExtensionsDeps, 'rules'>, portalId: number, settings: Settings): Promise<void> {
  if (portalReady(settings)) await deps.rules.activateShippedRule(portalId, 'Portal Autopilot setup (the portal is ready)');
}

/** The settings page's setup checklist and the buttons of its steps that have no other home. */
export function setupRoutes(r: Router, deps: ExtensionsDeps): void {
  const checklistDeps = (): ChecklistDeps => ({
    store: deps.store, settings: deps.settings, rules: deps.rules, clients: deps.portal.clients, hubspot: deps.hubspot,
    issuer: deps.portal.issuer,
    smtpPasswordSet: async (portalId) => Boolean(await deps.store.get(keys.smtpPassword(portalId))),
  });

  r.get('/setup', async (_req, res) => {
    res.json(await setupChecklist(checklistDeps(), caller(res).portalId));
  });

  /** A test email to the admin who asks, through the account's transport; the checklist keeps the outcome. */
  r.post('/setup/test-email', deps.admin!, async (_req, res) => {
    const { portalId, userEmail } = caller(res);
    if (!userEmail) return void res.status(400).json({ message: 'HubSpot did not say who you are (no user email in the call): the test email has nowhere to go' });
    const outcome = await sendTestEmail(deps, portalId, userEmail);
    if (outcome.ok) res.json({ sent: true, to: userEmail, transport: outcome.transport });
    else res.status(502).json({ message: `the test email to ${userEmail} failed: ${outcome.reason}` });
  });

  /** "Onboard new contacts" on (the portal's address must be set: the credentials email names it). */
  r.post('/setup/onboarding', deps.admin!, async (_req, res) => {
    const { portalId } = caller(res);
    const current = await deps.settings.read(portalId);
    if (!current.settings.portal.portalUrl) return void res.status(409).json({ message: 'set the customer portal\'s address first: the credentials email names it' });
    const saved = await deps.settings.save(portalId, { ...current.settings, portal: { ...current.settings.portal, onboardNewContacts: true } }, current.version, by(res));
    await afterSettingsSaved(deps, portalId, saved.settings);
    res.json({ version: saved.version });
  });

  /** The shipped credentials rule on (as the articles set it), whatever else the rules hold. */
  r.post('/setup/credentials-rule', deps.admin!, async (_req, res) => {
    const { portalId } = caller(res);
    const current = await deps.rules.read(portalId);
    const rule = current.ruleSet.rules.find((x) => x.id === CREDENTIALS_RULE_ID);
    if (!rule) return void res.status(409).json({ message: 'the rules no longer hold the shipped "Portal credentials" rule: add it again on the rules section (or import the shipped set)' });
    const saved = await deps.rules.save(portalId, { ...current.ruleSet, rules: current.ruleSet.rules.map((x) => (x.id === rule.id ? { ...x, active: true } : x)) }, current.version, by(res));
    res.json({ version: saved.version });
  });
}
