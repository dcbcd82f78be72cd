import { Alert, Button, Flex, Heading, Input, LoadingSpinner, Select, Text, TextArea, Toggle } from '@hubspot/ui-extensions';
import { useState } from 'react';
import { languages, t, type Language, type MessageKey } from '../i18n/messages.js';
import type { BackfillStatus } from '../companies/backfill.js';
import { LoadStates, type Loadable } from './load-states.js';
import { RecordPicker } from './record-picker.js';
import { useLoadable } from './use-loadable.js';
import { templateLabel } from './email-log-view.js';
import { hubspotTemplates } from './hubspot-templates.js';
import type { ChosenNames, PickerOption, PickerSearch } from '../settings/chosen-records.js';

export interface InboundSettings { freeMailAdditions: string[]; ignoredSenders: string[]; autoReplySubjects: string[]; matchSubdomains: boolean; defaultCompanyId: string | null; stripPlusAddresses: boolean }
export interface SmtpSettings { host: string; port: number; secure: boolean; user: string; from: string }
export interface EmailSettings { transport: 'outbox' | 'hubspot' | 'smtp'; hubspotEmailIds: Record<string, number>; smtp: SmtpSettings | null; maxPerRecipientPerHour: number }
export interface PortalSettings { accessListId: string | null; onboardNewContacts: boolean; portalUrl: string | null; linkExpiryHours: number; passwordMode: 'link' | 'temporary'; selfRegistration: boolean; emailCode: boolean; passkeys: boolean }
export interface SupportSettings { reports: 'every' | 'rules'; customerProperty: string; customerValue: string; editors: 'everyone' | 'admins'; maxPerCompany: number; maxReportsPerRecipientPerHour: number }
export interface RuleSettings { auditRetentionDays: number; maxActionsPerTicketPerHour: number }
export interface SettingsData { defaultLanguage: Language; internalDomains: string[]; inbound: InboundSettings; email: EmailSettings; portal: PortalSettings; access: { adminUserIds: number[] }; supportContacts: SupportSettings; rules: RuleSettings }
export interface ProvisioningStep { id?: 'propertyGroup' | 'primaryContact' | 'accessList' | 'supportContacts'; name: string; ok: boolean; detail: string }
export interface SettingsPayload { version: number; settings: SettingsData; provisioning: { steps: ProvisioningStep[] } | null; names?: ChosenNames; you?: { userId: number | null; admin: boolean } }
export type SaveOutcome = { ok: true; version: number } | { ok: false; message: string; conflict?: boolean };

export interface SettingsViewProps {
  payload: Loadable<SettingsPayload>;
  language: Language;
  onSave: (settings: SettingsData, expectedVersion: number) => Promise<SaveOutcome>;
  onRetry: () => void;
  onCreateDefaultCompany: () => Promise<{ companyId: string; version: number } | { error: string }>;
  backfill: BackfillStatus | null;
  onBackfill: (mode: 'dry-run' | 'apply') => void;
  onSmtpPassword: (password: string) => Promise<{ ok: boolean; message?: string }>;
  /** Searches HubSpot for the pickers (companies, manual contact lists, users). */
  onSearch: PickerSearch;
  /** The account's company properties by label (which companies must keep a support contact). */
  onLoadCompanyProperties: () => Promise<{ ok: true; properties: { name: string; label: string }[] } | { ok: false; message: string }>;
}

const lines = (value: string) => value.split(/\s+/).filter(Boolean);
/** Subjects have spaces: one per line. */
const lineList = (value: string) => value.split('\n').map((l) => l.trim()).filter(Boolean);

const languageNames: Record<Language, string> = { en: 'English', de: 'Deutsch', it: 'Italiano', es: 'Español' };

/** The app's settings page: general settings and the setup (provisioning) result. Sections grow with capabilities. */
export function SettingsView(props: SettingsViewProps) {
  const { payload, language, onRetry } = props;
  if (payload.kind !== 'ready') return <LoadStates state={payload} language={language} title="settings.title" onRetry={onRetry} />;
  return <SettingsForm {...props} initial={payload.data} />;
}

function SettingsForm({ initial, language, onSave, onCreateDefaultCompany, backfill, onBackfill, onSmtpPassword, onSearch, onLoadCompanyProperties }: SettingsViewProps & { initial: SettingsPayload }) {
  // The names of chosen records: from the server for what was saved, from the picker for what is picked now.
  const [known, setKnown] = useState<Record<string, PickerOption>>(() => Object.fromEntries(
    [initial.names?.defaultCompany, initial.names?.accessList, ...(initial.names?.admins ?? [])].filter((o): o is PickerOption => Boolean(o)).map((o) => [o.id, o]),
  ));
  const named = (id: string | null | undefined): PickerOption[] => (id ? [known[id] ?? { id, label: id }] : []);
  const remember = (options: PickerOption[]) => setKnown({ ...known, ...Object.fromEntries(options.map((o) => [o.id, o])) });
  const [smtpPassword, setSmtpPassword] = useState('');
  const [draft, setDraft] = useState<SettingsData>(initial.settings);
  const [version, setVersion] = useState(initial.version);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [saving, setSaving] = useState(false);

  const setInbound = (patch: Partial<InboundSettings>) => setDraft({ ...draft, inbound: { ...draft.inbound, ...patch } });

  const createDefault = async () => {
    const result = await onCreateDefaultCompany();
    if ('error' in result) return setOutcome({ ok: false, message: result.error });
    remember([{ id: result.companyId, label: 'Unassigned' }]);
    setDraft({ ...draft, inbound: { ...draft.inbound, defaultCompanyId: result.companyId } });
    setVersion(result.version);
    setOutcome({ ok: true, version: result.version });
  };

  const setEmail = (patch: Partial<EmailSettings>) => setDraft({ ...draft, email: { ...draft.email, ...patch } });
  const setPortal = (patch: Partial<PortalSettings>) => setDraft({ ...draft, portal: { ...draft.portal, ...patch } });
  const smtp: SmtpSettings = draft.email.smtp ?? { host: '', port: 587, secure: false, user: '', from: '' };
  const setSmtp = (patch: Partial<SmtpSettings>) => setEmail({ smtp: { ...smtp, ...patch } });

  const save = async () => {
    setSaving(true);
    if (smtpPassword) {
      const stored = await onSmtpPassword(smtpPassword);
      if (!stored.ok) { setOutcome({ ok: false, message: stored.message ?? '' }); setSaving(false); return; }
      setSmtpPassword('');
    }
    const result = await onSave(draft, version);
    if (result.ok) setVersion(result.version);
    setOutcome(result);
    setSaving(false);
  };

  const readOnly = initial.you?.admin === false;
  const setSupport = (patch: Partial<SupportSettings>) => setDraft({ ...draft, supportContacts: { ...draft.supportContacts, ...patch } });
  const setRules = (patch: Partial<RuleSettings>) => setDraft({ ...draft, rules: { ...draft.rules, ...patch } });
  // Every field is named by its path in the settings schema (a test holds the page to the schema).
  const text = (name: string, label: MessageKey, value: string, onChange: (v: string) => void, type?: 'password') => (
    <Input name={name} label={t(language, label)} value={value} type={type} readOnly={readOnly} onChange={onChange} />
  );
  const whole = (name: string, label: MessageKey, value: number, onChange: (v: number) => void) => text(name, label, String(value), (v) => onChange(Number(v.trim()) || 0));
  const list = (name: string, label: MessageKey, value: string[], onChange: (v: string[]) => void, split: (v: string) => string[] = lines) => (
    <TextArea name={name} label={t(language, label)} value={value.join('\n')} readOnly={readOnly} onChange={(v: string) => onChange(split(v))} />
  );
  const toggle = (name: string, label: MessageKey, checked: boolean, onChange: (v: boolean) => void) => (
    <Toggle name={name} label={t(language, label)} checked={checked} readOnly={readOnly} onChange={onChange} />
  );
  return (
    <Flex direction="column" gap="md">
      <Heading>{t(language, 'settings.title')}</Heading>
      {readOnly && <Alert title={t(language, 'settings.title')} variant="info">{t(language, 'settings.readOnly')}</Alert>}
      <Select
        name="defaultLanguage" label={t(language, 'settings.language')} value={draft.defaultLanguage}
        options={languages.map((l) => ({ label: languageNames[l], value: l }))}
        onChange={(value) => setDraft({ ...draft, defaultLanguage: value as Language })}
      />
      {list('internalDomains', 'settings.internalDomains', draft.internalDomains, (v) => setDraft({ ...draft, internalDomains: v }))}
      <Heading>{t(language, 'settings.inbound')}</Heading>
      {toggle('inbound.matchSubdomains', 'settings.matchSubdomains', draft.inbound.matchSubdomains, (v) => setInbound({ matchSubdomains: v }))}
      {toggle('inbound.stripPlusAddresses', 'settings.stripPlusAddresses', draft.inbound.stripPlusAddresses, (v) => setInbound({ stripPlusAddresses: v }))}
      {list('inbound.freeMailAdditions', 'settings.freeMail', draft.inbound.freeMailAdditions, (v) => setInbound({ freeMailAdditions: v }))}
      {list('inbound.ignoredSenders', 'settings.ignoredSenders', draft.inbound.ignoredSenders, (v) => setInbound({ ignoredSenders: v }))}
      {list('inbound.autoReplySubjects', 'settings.autoReplySubjects', draft.inbound.autoReplySubjects, (v) => setInbound({ autoReplySubjects: v }), lineList)}
      <RecordPicker
        name="inbound.defaultCompanyId" kind="companies" label={t(language, 'settings.defaultCompany')} language={language} readOnly={readOnly}
        chosen={named(draft.inbound.defaultCompanyId)} onSearch={onSearch}
        onChange={(picked) => { remember(picked); setInbound({ defaultCompanyId: picked[0]?.id ?? null }); }}
      />
      {!draft.inbound.defaultCompanyId && !readOnly && (
        <Button onClick={createDefault}>{t(language, 'settings.createDefaultCompany')}</Button>
      )}
      <Heading>{t(language, 'settings.email')}</Heading>
      <Select
        name="email.transport" label={t(language, 'settings.transport')} value={draft.email.transport}
        options={(['outbox', 'hubspot', 'smtp'] as const).map((v) => ({ value: v, label: t(language, `settings.transport.${v}`) }))}
        onChange={(v) => setEmail({ transport: v as EmailSettings['transport'] })}
      />
      {draft.email.transport === 'hubspot' && hubspotTemplates(draft.portal.emailCode).map((name) => (
        <Input
          key={name} name={`email.hubspotEmailIds.${name}`} label={t(language, 'settings.hubspotEmailId', { template: templateLabel(language, name) })}
          value={String(draft.email.hubspotEmailIds[name] ?? '')} readOnly={readOnly}
          onChange={(v: string) => {
            const ids = { ...draft.email.hubspotEmailIds };
            if (/^\d+$/.test(v.trim())) ids[name] = Number(v.trim()); else delete ids[name];
            setEmail({ hubspotEmailIds: ids });
          }}
        />
      ))}
      {draft.email.transport === 'smtp' && (
        <Flex direction="column" gap="xs">
          {text('email.smtp.host', 'settings.smtpHost', smtp.host, (v) => setSmtp({ host: v.trim() }))}
          {whole('email.smtp.port', 'settings.smtpPort', smtp.port, (v) => setSmtp({ port: v }))}
          {toggle('email.smtp.secure', 'settings.smtpSecure', smtp.secure, (v) => setSmtp({ secure: v }))}
          {text('email.smtp.user', 'settings.smtpUser', smtp.user, (v) => setSmtp({ user: v.trim() }))}
          {text('email.smtp.from', 'settings.smtpFrom', smtp.from, (v) => setSmtp({ from: v }))}
          {text('smtpPassword', 'settings.smtpPassword', smtpPassword, setSmtpPassword, 'password')}
        </Flex>
      )}
      {whole('email.maxPerRecipientPerHour', 'settings.maxPerRecipient', draft.email.maxPerRecipientPerHour, (v) => setEmail({ maxPerRecipientPerHour: v }))}
      <Heading>{t(language, 'settings.portal')}</Heading>
      {toggle('portal.onboardNewContacts', 'settings.portal.onboard', draft.portal.onboardNewContacts, (v) => setPortal({ onboardNewContacts: v }))}
      {text('portal.portalUrl', 'settings.portal.url', draft.portal.portalUrl ?? '', (v) => setPortal({ portalUrl: v.trim() || null }))}
      <RecordPicker
        name="portal.accessListId" kind="lists" label={t(language, 'settings.portal.list')} language={language} readOnly={readOnly}
        chosen={named(draft.portal.accessListId)} onSearch={onSearch}
        onChange={(picked) => { remember(picked); setPortal({ accessListId: picked[0]?.id ?? null }); }}
      />
      <Text variant="microcopy">{t(language, 'settings.accessListHint')}</Text>
      {whole('portal.linkExpiryHours', 'settings.portal.expiry', draft.portal.linkExpiryHours, (v) => setPortal({ linkExpiryHours: v }))}
      <Select
        name="portal.passwordMode" label={t(language, 'settings.portal.mode')} value={draft.portal.passwordMode}
        options={(['link', 'temporary'] as const).map((v) => ({ value: v, label: t(language, `settings.portal.mode.${v}`) }))}
        onChange={(v) => setPortal({ passwordMode: v as PortalSettings['passwordMode'] })}
      />
      {toggle('portal.selfRegistration', 'settings.portal.selfRegistration', draft.portal.selfRegistration, (v) => setPortal({ selfRegistration: v }))}
      <Text variant="microcopy">{t(language, 'settings.portal.selfRegistrationHint')}</Text>
      {toggle('portal.emailCode', 'settings.portal.emailCode', draft.portal.emailCode, (v) => setPortal(v ? { emailCode: true } : { emailCode: false, passkeys: false }))}
      <Text variant="microcopy">{t(language, 'settings.portal.emailCodeHint')}</Text>
      {toggle('portal.passkeys', 'settings.portal.passkeys', draft.portal.passkeys, (v) => setPortal(v ? { passkeys: true, emailCode: true } : { passkeys: false }))}
      <Text variant="microcopy">{t(language, 'settings.portal.passkeysHint')}</Text>
      <Heading>{t(language, 'settings.support')}</Heading>
      <Select
        name="supportContacts.reports" label={t(language, 'settings.support.reports')} value={draft.supportContacts.reports}
        options={(['every', 'rules'] as const).map((v) => ({ value: v, label: t(language, `settings.support.reports.${v}`) }))}
        onChange={(v) => setSupport({ reports: v as SupportSettings['reports'] })}
      />
      <Select
        name="supportContacts.editors" label={t(language, 'settings.support.editors')} value={draft.supportContacts.editors}
        options={(['everyone', 'admins'] as const).map((v) => ({ value: v, label: t(language, `settings.support.editors.${v}`) }))}
        onChange={(v) => setSupport({ editors: v as SupportSettings['editors'] })}
      />
      <CompanyPropertySelect language={language} readOnly={readOnly} value={draft.supportContacts.customerProperty} onLoad={onLoadCompanyProperties} onChange={(v) => setSupport({ customerProperty: v })} />
      {text('supportContacts.customerValue', 'settings.support.customerValue', draft.supportContacts.customerValue, (v) => setSupport({ customerValue: v }))}
      {whole('supportContacts.maxPerCompany', 'settings.support.maxPerCompany', draft.supportContacts.maxPerCompany, (v) => setSupport({ maxPerCompany: v }))}
      {whole('supportContacts.maxReportsPerRecipientPerHour', 'settings.support.maxReports', draft.supportContacts.maxReportsPerRecipientPerHour, (v) => setSupport({ maxReportsPerRecipientPerHour: v }))}
      <Heading>{t(language, 'settings.rules')}</Heading>
      {whole('rules.auditRetentionDays', 'settings.rules.auditDays', draft.rules.auditRetentionDays, (v) => setRules({ auditRetentionDays: v }))}
      {whole('rules.maxActionsPerTicketPerHour', 'settings.rules.maxActions', draft.rules.maxActionsPerTicketPerHour, (v) => setRules({ maxActionsPerTicketPerHour: v }))}
      <Heading>{t(language, 'settings.access')}</Heading>
      <RecordPicker
        name="access.adminUserIds" kind="users" multiple label={t(language, 'settings.admins')} language={language} readOnly={readOnly}
        chosen={draft.access.adminUserIds.flatMap((id) => named(String(id)))} onSearch={onSearch}
        onChange={(picked) => { remember(picked); setDraft({ ...draft, access: { adminUserIds: picked.map((p) => Number(p.id)) } }); }}
      />
      <Button variant="primary" disabled={saving || readOnly} onClick={save}>{t(language, 'settings.save')}</Button>
      {outcome?.ok && <Alert title={t(language, 'settings.title')} variant="success">{t(language, 'settings.saved', { version: outcome.version })}</Alert>}
      {outcome && !outcome.ok && (
        <Alert title={t(language, 'settings.title')} variant="error">
          {outcome.conflict ? t(language, 'settings.conflict') : t(language, 'error.badRequest', { reason: outcome.message })}
        </Alert>
      )}
      <Heading>{t(language, 'settings.backfill')}</Heading>
      <BackfillSection backfill={backfill} language={language} onBackfill={onBackfill} />
      <Heading>{t(language, 'settings.provisioning')}</Heading>
      {(initial.provisioning?.steps ?? []).map((step) => (
        <Text key={step.name}>{step.id ? t(language, `provisioning.step.${step.id}`) : step.name}: {step.ok ? t(language, 'settings.provisioning.ok') : t(language, 'settings.provisioning.failed', { reason: step.detail })}</Text>
      ))}
    </Flex>
  );
}

/** A company property by its label; the saved one stays chosen while the list loads or when it cannot be loaded. */
function CompanyPropertySelect({ language, readOnly, value, onLoad, onChange }: { language: Language; readOnly: boolean; value: string; onLoad: SettingsViewProps['onLoadCompanyProperties']; onChange: (name: string) => void }) {
  const [state, reload] = useLoadable(async () => {
    const r = await onLoad();
    if (!r.ok) throw new Error(r.message);
    return r.properties;
  });
  const list = state.kind === 'ready' ? state.data : [];
  const options = [...list, ...(list.some((p) => p.name === value) ? [] : [{ name: value, label: value }])].map((p) => ({ value: p.name, label: p.label }));
  return (
    <Flex direction="column" gap="xs">
      <Select name="supportContacts.customerProperty" label={t(language, 'settings.support.customerProperty')} value={value} readOnly={readOnly} options={options} onChange={(v) => onChange(String(v))} />
      {state.kind === 'loading' && <LoadingSpinner label={t(language, 'settings.propertiesLoading')} />}
      {state.kind === 'error' && (
        <Alert title={t(language, 'settings.support')} variant="error">
          {t(language, 'settings.propertiesFailed', { reason: state.reason })}
          <Button size="xs" onClick={reload}>{t(language, 'status.retry')}</Button>
        </Alert>
      )}
    </Flex>
  );
}

/** Account-wide filing of existing contacts: a dry run first, then applying what it found. */
function BackfillSection({ backfill, language, onBackfill }: { backfill: BackfillStatus | null; language: Language; onBackfill: (mode: 'dry-run' | 'apply') => void }) {
  const busy = backfill?.state === 'queued' || backfill?.state === 'running';
  const planned = backfill?.state === 'done' && backfill.mode === 'dry-run' ? backfill.planned : 0;
  return (
    <Flex direction="column" gap="xs">
      {busy && <Text>{t(language, 'company.running', { scanned: backfill!.scanned })}</Text>}
      {backfill?.state === 'failed' && <Alert title={t(language, 'settings.backfill')} variant="error">{backfill.error ?? ''}</Alert>}
      {backfill?.state === 'done' && backfill.mode === 'dry-run' && <Text>{t(language, 'company.planned', { count: backfill.planned })}</Text>}
      {backfill?.state === 'done' && backfill.mode === 'apply' && <Text>{t(language, 'company.applied', { count: backfill.applied })}</Text>}
      {planned > 0
        ? <Button variant="primary" onClick={() => onBackfill('apply')}>{t(language, 'settings.backfillApply', { count: planned })}</Button>
        : <Button disabled={busy} onClick={() => onBackfill('dry-run')}>{t(language, 'settings.backfillDryRun')}</Button>}
    </Flex>
  );
}
