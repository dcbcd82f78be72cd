import type { HubSpotGateway } from '../hubspot/gateway.js';
import type { OidcClients } from '../portal/oidc/oidc-clients.js';
import { CREDENTIALS_RULE_ID } from '../rules/default-rules.js';
import type { SettingsRepository } from '../settings/settings-repository.js';
import type { Settings } from '../settings/settings-schema.js';
import type { Store } from '../store/store.js';
import { PROPS as SUPPORT_PROPS } from '../support-contacts/support-contacts.js';
import type { RuleRepository } from '../tickets/rule-repository.js';
import { readProvisioning } from './provision-account.js';
import { randomUUID } from 'node:crypto';
import escapeHtml from 'escape-html';
import type { Email } from '../email/create-email.js';
import { t } from '../i18n/messages.js';
import { hubspotTemplates } from '../extensions/hubspot-templates.js';
import { readSetupFacts, recordSetupFact, type ChecklistStep, type SetupChecklist, type SetupFacts } from '../settings/setup-steps.js';

export interface ChecklistDeps {
  store: Store; settings: SettingsRepository; rules: RuleRepository; clients: OidcClients; hubspot: HubSpotGateway;
  issuer: string; smtpPasswordSet: (portalId: number) => Promise<boolean>;
}

export const portalReady = (s: Settings) => Boolean(s.portal.portalUrl && s.portal.accessListId);

/** Customer companies no support contact was saved for (the app keeps "needs a support contact" on each). */
async function companiesWithoutSupport(hubspot: HubSpotGateway, portalId: number, s: Settings) {
  const found = await hubspot.request<{ total: number; results: { id: string; properties: Record<string, string | null> }[] }>(portalId, 'crm.companies.search', {
    method: 'POST', path: '/crm/v3/objects/companies/search',
    body: {
      limit: 20, after: '0', sorts: [], properties: ['name', 'domain'],
      filterGroups: [{ filters: [
        { propertyName: s.supportContacts.customerProperty, operator: 'EQ', value: s.supportContacts.customerValue },
        { propertyName: SUPPORT_PROPS.needsOne, operator: 'NEQ', value: 'false' },
      ] }],
    },
  });
  return { total: found.total, companies: found.results.map((c) => ({ id: c.id, label: c.properties.name || `#${c.id}` })) };
}

/**
 * Where the account's setup stands, step by step, in the order an admin does it (README: "From
 * install to the first credentials email"). Each step says what is missing; the page offers the
 * button that does it.
 */
export async function setupChecklist(d: ChecklistDeps, portalId: number): Promise<SetupChecklist> {
  const [{ settings: s }, provisioning, client, rules, facts] = await Promise.all([
    d.settings.read(portalId), readProvisioning(portalId, d.store), d.clients.get(portalId), d.rules.read(portalId), readSetupFacts(d.store, portalId),
  ]);
  const steps: ChecklistStep[] = [];
  steps.push(provisioning?.ok
    ? { id: 'provisioning', state: 'done' }
    : { id: 'provisioning', state: 'missing', vars: { failed: (provisioning?.steps ?? []).filter((x) => !x.ok).map((x) => x.id ?? x.name).join(',') } });
  steps.push(s.portal.portalUrl ? { id: 'portalUrl', state: 'done', vars: { url: s.portal.portalUrl } } : { id: 'portalUrl', state: 'missing' });
  steps.push(s.portal.accessListId ? { id: 'accessList', state: 'done' } : { id: 'accessList', state: 'missing' });
  const sso = { issuer: d.issuer, clientId: client?.clientId ?? '', redirectUri: client?.redirectUris.join(' ') ?? '' };
  steps.push(!client ? { id: 'sso', state: 'missing', vars: sso }
    : facts.firstSignInAt ? { id: 'sso', state: 'done', vars: { ...sso, at: facts.firstSignInAt } } : { id: 'sso', state: 'waiting', vars: sso });
  steps.push(s.inbound.defaultCompanyId ? { id: 'defaultCompany', state: 'done' } : { id: 'defaultCompany', state: 'missing' });
  steps.push(await emailStep(d, portalId, s, facts));
  steps.push(s.portal.onboardNewContacts ? { id: 'onboarding', state: 'done' } : { id: 'onboarding', state: 'missing' });
  const rule = rules.ruleSet.rules.find((r) => r.id === CREDENTIALS_RULE_ID);
  steps.push(rule?.active ? { id: 'credentialsRule', state: 'done' } : { id: 'credentialsRule', state: 'missing', vars: { name: rule?.name ?? '' } });
  try {
    const without = await companiesWithoutSupport(d.hubspot, portalId, s);
    steps.push(without.total === 0 ? { id: 'supportContacts', state: 'done' } : { id: 'supportContacts', state: 'missing', vars: { count: without.total }, companies: without.companies });
  } catch (err) {
    steps.push({ id: 'supportContacts', state: 'unknown', vars: { reason: (err as Error).message.slice(0, 200) } });
  }
  return { done: steps.filter((x) => x.state === 'done').length, total: steps.length, steps };
}

async function emailStep(d: ChecklistDeps, portalId: number, s: Settings, facts: SetupFacts): Promise<ChecklistStep> {
  const e = s.email;
  if (e.transport === 'outbox') return { id: 'email', state: 'missing', vars: { why: 'outbox' } };
  if (e.transport === 'hubspot' && !hubspotTemplates(s.portal.emailCode).every((n) => e.hubspotEmailIds[n])) return { id: 'email', state: 'missing', vars: { why: 'hubspotIds' } };
  if (e.transport === 'smtp' && !(e.smtp && await d.smtpPasswordSet(portalId))) return { id: 'email', state: 'missing', vars: { why: 'smtp' } };
  const test = facts.testEmail;
  if (!test || test.transport !== e.transport) return { id: 'email', state: 'missing', vars: { why: 'test' } };
  if (!test.ok) return { id: 'email', state: 'missing', vars: { why: 'testFailed', reason: test.reason ?? '', to: test.to } };
  return { id: 'email', state: 'done', vars: { to: test.to, at: test.at, transport: e.transport } };
}

/** A test email to an admin through the account's transport; the checklist keeps the outcome. */
export async function sendTestEmail(d: { settings: SettingsRepository; email: Email; hubspot: HubSpotGateway; store: Store }, portalId: number, to: string): Promise<{ ok: true; transport: string } | { ok: false; reason: string }> {
  const { settings } = await d.settings.read(portalId);
  const at = new Date().toISOString();
  try {
    const transport = await d.email.transport({ portalId, settings, hubspot: d.hubspot, store: d.store });
    const portalAddress = settings.portal.portalUrl ?? '';
    const line = `This test email went out through ${transport.kind}. Customers' emails will go the same way.`;
    // HubSpot sends its transactional email for the credentials template, with test values in its snippets.
    await transport.send(portalId, {
      to, contactId: '', templateName: 'portal-credentials',
      rendered: {
        subject: 'Portal Autopilot: test email', secrets: [], text: `${line}\n${portalAddress}`, html: `<p>${line}</p><p>${escapeHtml(portalAddress)}</p>`,
        values: { portal_address: portalAddress, portal_username: to, portal_password: '(test email: no password)' },
      },
    }, `setup-test-${randomUUID()}`);
    await recordSetupFact(d.store, portalId, { testEmail: { at, to, transport: settings.email.transport, ok: true } });
    return { ok: true, transport: settings.email.transport };
  } catch (err) {
    const reason = (err as Error).message.slice(0, 300);
    await recordSetupFact(d.store, portalId, { testEmail: { at, to, transport: settings.email.transport, ok: false, reason } });
    return { ok: false, reason };
  }
}

/** The checklist as plain lines (the demo and the console print it). */
export function checklistLines(c: SetupChecklist): string[] {
  return [t('en', 'setup.title', { done: c.done, total: c.total }), ...c.steps.map((s) => `    [${s.state === 'done' ? 'x' : ' '}] ${t('en', `setup.${s.id}`)}${s.state === 'done' ? '' : ` (${t('en', `setup.state.${s.state}`)})`}`)];
}
