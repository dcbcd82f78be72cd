import { Accordion, Alert, Button, Heading, Input, LoadingSpinner, SearchInput, Select, StatusTag, Text, TextArea, Toggle } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import type { ReactElement } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { AdminAuditView } from '../../src/extensions/admin-audit-view.js';
import { JournalReplayView } from '../../src/extensions/journal-replay-view.js';
import { CompanyDomainsView } from '../../src/extensions/company-domains-view.js';
import { CompanyPortalView } from '../../src/extensions/company-portal-view.js';
import { EmailLogView } from '../../src/extensions/email-log-view.js';
import { FilingView } from '../../src/extensions/filing-view.js';
import { OidcClientView } from '../../src/extensions/oidc-client-view.js';
import { PortalAccessView } from '../../src/extensions/portal-access-view.js';
import { RulesView } from '../../src/extensions/rules-view.js';
import { SettingsView, type SettingsPayload } from '../../src/extensions/settings-view.js';
import { SetupChecklistView } from '../../src/extensions/setup-checklist-view.js';
import { StatusCardView } from '../../src/extensions/status-card-view.js';
import { SupportContactsView } from '../../src/extensions/support-contacts-view.js';
import { TemplatesView } from '../../src/extensions/templates-view.js';
import { TicketRulesView } from '../../src/extensions/ticket-rules-view.js';
import { QuickReplyView } from '../../src/extensions/quick-reply-view.js';
import { PrimaryContactsView } from '../../src/extensions/primary-contacts-view.js';
import { defaultTemplate, templateNames } from '../../src/email/default-templates.js';
import { languages, t, type Language } from '../../src/i18n/messages.js';
import { defaultRuleSet } from '../../src/rules/default-rules.js';
import { defaultSettings } from '../../src/settings/settings-schema.js';
import type { RuleRun } from '../../src/tickets/run-ticket-rules.js';
import type { SetupChecklist } from '../../src/settings/setup-steps.js';

/**
 * Every view the app shows in HubSpot, rendered with HubSpot's createRenderer in English and in
 * German, Italian and Spanish: a text that reads the same in another language as in English is
 * English left behind, unless what is left after taking out the data (names, addresses, ids, dates)
 * and the product's own words has no word in it.
 */
const kinds = [Text, Heading, Alert, Button, StatusTag, Input, Select, TextArea, Toggle, SearchInput, LoadingSpinner, Accordion] as const;
/** Words that are the same in every language on purpose: names of products and standards. */
const sameEverywhere = /Portal Autopilot|HubSpot|SMTP|TLS|JSON|HTML|RE2|UTC|OpenID Connect|Ignore Flow|Pipeline|\bURI\b|\bID\b|\bid\b|\bSSO\b/g;
/** And words one language shares with English (German "Text"). */
const sameIn: Partial<Record<Language, string[]>> = { de: ['Text'] };

type Renderer = ReturnType<typeof createRenderer>;
type Act = (r: Renderer, language: Language) => void;
function visibleTexts(view: ReactElement, act?: Act, language: Language = 'en'): string[] {
  const r = createRenderer('settings');
  r.render(view);
  act?.(r, language);
  const texts: string[] = [];
  for (const kind of kinds) {
    for (const node of r.findAll(kind as typeof Text)) {
      const p = node.props as Record<string, unknown>;
      for (const v of [node.text, p.label, p.title, p.placeholder, p.description, p.tooltip, p.validationMessage]) if (typeof v === 'string' && v.trim()) texts.push(v);
      if (Array.isArray(p.options)) for (const o of p.options as { label?: string }[]) if (o.label) texts.push(o.label);
    }
  }
  return texts;
}

/** Every string in the data a view was given (what it may show as it is, in every language). */
function dataOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && value.length > 1) out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => dataOf(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => dataOf(v, out));
  return out;
}

function englishLeft(view: (language: Language) => ReactElement, data: unknown, act?: Act): Record<string, string[]> {
  const values = [...new Set(dataOf(data))].sort((a, b) => b.length - a.length);
  const strip = (s: string) => values.reduce((acc, d) => acc.split(d).join(' '), s).replace(sameEverywhere, ' ').replace(/\s+/g, ' ').trim();
  const english = new Set(visibleTexts(view('en'), act).map(strip));
  const left: Record<string, string[]> = {};
  for (const language of ['de', 'it', 'es'] as const) {
    const same = visibleTexts(view(language), act, language).filter((s) => /[A-Za-z]{3,}/.test(strip(s)) && english.has(strip(s)) && !sameIn[language]?.includes(s));
    if (same.length) left[language] = same;
  }
  return left;
}

const ready = <T,>(data: T) => ({ kind: 'ready' as const, data });
const noop = vi.fn();
const pending = () => new Promise<never>(() => undefined);

const settingsPayload: SettingsPayload = {
  version: 3,
  settings: { ...defaultSettings, internalDomains: ['acme.example'], email: { ...defaultSettings.email, transport: 'smtp', smtp: { host: 'mail.acme.example', port: 587, secure: false, user: 'support', from: 'Support <support@acme.example>' } }, inbound: { ...defaultSettings.inbound, defaultCompanyId: '501' }, access: { adminUserIds: [71] } },
  provisioning: { steps: [{ id: 'propertyGroup', name: 'contact property group "Portal Autopilot"', ok: true, detail: 'created' }, { id: 'accessList', name: 'contact list', ok: false, detail: 'HubSpot answered 403' }] },
  names: { defaultCompany: { id: '501', label: 'Unassigned' }, accessList: null, admins: [{ id: '71', label: 'Grace Hopper', detail: 'grace@acme.example' }] },
  you: { userId: 71, admin: true },
};
const run: RuleRun = {
  at: '2026-12-01T10:00:00.000Z', ticketId: '9', trigger: 'ticket.created', cause: 'c', snapshot: { title: '[Portal Credentials]' }, requesterId: '5',
  decisions: [{ ruleId: 'portal-credentials', name: 'Portal credentials', matched: true, fired: true, noteCode: 'ignore-flow', conditions: [] }, { ruleId: 'x', name: 'Other', matched: true, fired: false, noteCode: 'skipped-by', skippedBy: 'Portal credentials', conditions: [] }],
  actions: [
    { ruleId: 'portal-credentials', index: 0, type: 'grantPortalAccess', status: 'done', detail: 'portal access for contact 5' },
    { ruleId: 'portal-credentials', index: 1, type: 'sendPortalCredentials', status: 'queued', detail: 'portal credentials to contact 5', delivered: { state: 'suppressed', at: '2026-12-01T10:00:01Z', reasonCode: 'unsubscribed' } },
    { ruleId: 'portal-credentials', index: 2, type: 'sendEmail', status: 'skipped', detail: 'the ticket has no requester contact', code: 'no-requester' },
  ],
};

const views: Record<string, { view: (language: Language) => ReactElement; data: unknown; act?: Act }> = {
  'status card': { view: (language) => <StatusCardView status={ready({ portalId: 4242, installed: true, queue: { waiting: 2, active: 0 }, deadLetters: 1 })} language={language} onRetry={noop} />, data: {} },
  'status card, not set up': { view: (language) => <StatusCardView status={ready({ portalId: 4242, installed: false, queue: { waiting: 0, active: 0 }, deadLetters: 0 })} language={language} onRetry={noop} />, data: {} },
  'a card that failed to load': { view: (language) => <StatusCardView status={{ kind: 'error', reason: 'HubSpot answered 503' }} language={language} onRetry={noop} />, data: ['HubSpot answered 503'] },
  'settings page': {
    view: (language) => <SettingsView payload={ready(settingsPayload)} language={language} onSave={vi.fn()} onRetry={noop} onCreateDefaultCompany={vi.fn()} backfill={null} onBackfill={noop} onSmtpPassword={vi.fn()} onSearch={vi.fn()} onLoadCompanyProperties={pending} />,
    data: [settingsPayload.settings, settingsPayload.names, 'HubSpot answered 403', 'English', 'Deutsch', 'Italiano', 'Español'],
  },
  'setup checklist': {
    view: (language) => <SetupChecklistView checklist={ready({ done: 2, total: 9, steps: [
      { id: 'provisioning', state: 'missing', vars: { failed: 'accessList' } }, { id: 'portalUrl', state: 'done', vars: { url: 'https://support.acme.example' } },
      { id: 'accessList', state: 'missing' }, { id: 'sso', state: 'waiting', vars: { issuer: 'https://app.example/oidc', clientId: 'hs-4242-x', redirectUri: 'https://support.acme.example/cb' } },
      { id: 'defaultCompany', state: 'done' }, { id: 'email', state: 'missing', vars: { why: 'testFailed', to: 'admin@acme.example', reason: 'connection refused' } },
      { id: 'onboarding', state: 'missing' }, { id: 'credentialsRule', state: 'missing' }, { id: 'supportContacts', state: 'unknown', vars: { reason: 'HubSpot answered 503' } },
    ] } as SetupChecklist)} language={language} readOnly={false} onAction={vi.fn()} onRetry={noop} />,
    data: ['https://support.acme.example', 'https://app.example/oidc', 'hs-4242-x', 'https://support.acme.example/cb', 'admin@acme.example', 'connection refused', 'HubSpot answered 503'],
  },
  'rules list': {
    view: (language) => <RulesView payload={ready({ version: 2, ruleSet: defaultRuleSet, lastFired: { 'portal-credentials': '2026-12-01T10:00:00.000Z' } })} language={language} templates={[]} onSave={vi.fn()} onTest={vi.fn()} onDryRun={vi.fn()} onLoadProperties={vi.fn()} onRetry={noop} />,
    data: [defaultRuleSet, '2026-12-01 10:00'],
  },
  'rule builder': {
    view: (language) => <RulesView payload={ready({ version: 2, ruleSet: defaultRuleSet })} language={language} templates={[]} onSave={vi.fn()} onTest={vi.fn()} onDryRun={vi.fn()} onLoadProperties={pending} onRetry={noop} />,
    data: [defaultRuleSet],
    // Opens the shipped rule in the builder, and adds a group and a setProperty action.
    act: (r, language) => {
      const click = (text: string) => r.findAll(Button).find((b) => b.text === text)!.trigger('onClick');
      click(t(language, 'rb.edit', { name: 'Portal credentials' }));
      click(t(language, 'rb.addGroup'));
      r.find(Select, { name: 'rule.actions.0.type' }).trigger('onChange', 'sendEmail' as never);
    },
  },
  'ticket card': { view: (language) => <TicketRulesView runs={ready({ runs: [run] })} test={null} language={language} onTest={noop} onRetryAction={noop} onRetry={noop} />, data: [run, '2026-12-01 10:00'] },
  'ticket card: quick reply': {
    view: (language) => <QuickReplyView replies={ready({ replies: [{ at: '2026-12-03T10:00:00Z', by: 'agent@acme.example', channel: 'email', to: 'omar@acme.example', why: 'scope' }, { at: '2026-12-03T09:00:00Z', by: 'agent@acme.example', channel: 'thread', to: 'lucia@acme.example' }] })} language={language} onPreview={pending} onSend={pending} onRetry={noop} />,
    data: ['agent@acme.example', 'omar@acme.example', 'lucia@acme.example', '2026-12-03 10:00', '2026-12-03 09:00', 'conversations.write'],
  },
  'contact card: emails': {
    view: (language) => <EmailLogView emails={ready({ emails: [
      { cause: 'a', template: 'portal-credentials', contactId: '5', to: 'ada@acme.example', state: 'sent', transport: 'hubspot', language: 'it', at: '2' },
      { cause: 'b', template: 'request-received', contactId: '5', to: 'ada@acme.example', state: 'suppressed', reason: 'x', reasonCode: 'bounced', at: '1' },
    ] })} language={language} onRetry={noop} />,
    data: ['ada@acme.example'],
  },
  'contact card: filing': { view: (language) => <FilingView filing={ready({ contactId: '5', email: 'ada@gmail.com', recorded: true, companyId: null, reason: 'free-mail', conflictsWith: [] })} language={language} onRetry={noop} />, data: ['ada@gmail.com'] },
  'contact card: portal access': {
    view: (language) => <PortalAccessView portal={ready({ access: 'active', email: 'ada@acme.example', lastSignInAt: '2026-12-01T10:00:00Z', lastCredentialsEmail: { cause: 'c', template: 'portal-reset', contactId: '5', to: 'ada@acme.example', state: 'sent', at: '2026-12-01T09:00:00Z' } })} language={language} onRetry={noop} onGrant={pending} onRevoke={pending} onPreview={pending} onSend={pending} onReset={pending} onTemporaryPassword={async () => ({ password: 'abcd-efgh-jkmn' })} />,
    act: (r, language) => r.findAll(Button).find((b) => b.text === t(language, 'portal.temporary'))!.trigger('onClick'),
    data: ['ada@acme.example', 'abcd-efgh-jkmn'],
  },
  'company card: domains': { view: (language) => <CompanyDomainsView overview={ready({ companyId: '1', domains: [{ domain: 'acme.example', contacts: 3, alsoOwnedBy: [] }] })} backfill={null} language={language} onDryRun={noop} onApply={noop} onRetry={noop} />, data: ['acme.example'] },
  'company card: portal': { view: (language) => <CompanyPortalView portal={ready({ contacts: 5, withAccess: 3, withoutAccess: ['linus@acme.test'], truncated: false, selfRegistered: [{ contactId: '9', email: 'mae@acme.example', name: 'Mae Jemison', at: '2026-12-02T09:00:00Z' }] })} language={language} onRetry={noop} onGrantAll={pending} />, data: ['linus@acme.test', 'Mae Jemison <mae@acme.example>', '2026-12-02'] },
  'company card: support contacts': {
    view: (language) => <SupportContactsView data={ready({ companyId: '1', companyName: 'Acme', isCustomer: true, needsOne: false, canEdit: true, contacts: [{ kind: 'contact', contactId: '5', email: 'grace@acme.example', name: 'Grace Hopper' }, { kind: 'email', email: 'ops@acme.example' }], history: [{ at: '2026-12-01T10:00:00Z', by: 'admin@acme.example', added: ['address ops@acme.example'], removed: [] }] })} language={language} onRetry={noop} onSearch={pending} onSave={pending} />,
    data: ['Acme', 'grace@acme.example', 'Grace Hopper', 'ops@acme.example', 'admin@acme.example', 'address ops@acme.example', '2026-12-01T10:00:00Z'],
  },
  'company card: primary contacts': {
    view: (language) => <PrimaryContactsView contacts={ready({ contacts: [{ contactId: '5', email: 'pat@globex.example', name: 'Pat Primary', primary: true }, { contactId: '6', email: 'sam@globex.example', name: null, primary: false }] })} language={language} onSet={pending} onRetry={noop} />,
    data: ['pat@globex.example', 'Pat Primary', 'sam@globex.example'],
  },
  'single sign-on': {
    view: (language) => <OidcClientView client={ready({ issuer: 'https://app.example/oidc', discovery: 'https://app.example/oidc/.well-known/openid-configuration', client: { clientId: 'hs-4242-x', clientSecret: 'secret-x', redirectUris: ['https://support.acme.example/cb'] } })} language={language} onRetry={noop} onSave={pending} onSignOutAll={pending} />,
    data: ['https://app.example/oidc', 'hs-4242-x', 'secret-x', 'https://support.acme.example/cb'],
  },
  'journal, read and replayable': { view: (language) => <JournalReplayView status={ready({ portalId: 4242, installed: true, queue: { waiting: 0, active: 0 }, deadLetters: 0, journal: { lagSeconds: 2, lastReadAt: '2026-12-01T10:00:00Z', lastError: 'HubSpot answered 503' } })} language={language} readOnly={false} onReplay={async () => ({ ok: true, replayingSince: '2026-12-01T09:00:00Z' })} />, data: ['HubSpot answered 503'] },
  'status card with the journal': { view: (language) => <StatusCardView status={ready({ portalId: 4242, installed: true, queue: { waiting: 0, active: 0 }, deadLetters: 0, journal: { lagSeconds: null, lastReadAt: null, lastError: null } })} language={language} onRetry={noop} />, data: {} },
  'admin audit': { view: (language) => <AdminAuditView audit={ready({ changes: [{ at: '2026-12-01T10:00:00Z', userId: 71, userEmail: 'grace@acme.example', action: 'PUT /settings', status: 200 }] })} language={language} onRetry={noop} />, data: ['grace@acme.example', 'PUT /settings', '2026-12-01 10:00'] },
};

describe('every view in the admin\'s and the agent\'s language', () => {
  for (const [name, { view, data, act }] of Object.entries(views)) {
    it(`${name}: nothing left in English in German, Italian or Spanish`, () => {
      expect(englishLeft(view, data, act)).toEqual({});
    });
  }

  it('email templates: the editor speaks the language it edits in', () => {
    const payload = { templates: templateNames.flatMap((n) => languages.map((l) => ({ ...defaultTemplate(n, l), customised: false }))), snippets: [{ name: 'Portal Address', shown: 'https://support.acme.example', secret: false }] };
    const view = (language: Language) => <TemplatesView payload={ready(payload)} language={language} onSave={pending} onRestore={pending} onPreview={pending} onRetry={noop} />;
    // The templates' own text is the admin's content (shown as it is); the editor around it is translated.
    expect(englishLeft(view, [payload])).toEqual({});
  });

  it('would catch a text left in English (the check itself)', () => {
    const view = (language: Language) => <Text>{language === 'de' ? 'Gespeichert' : 'Saved for good'}</Text>;
    expect(englishLeft(view, [])).toEqual({ it: ['Saved for good'], es: ['Saved for good'] });
  });
});
