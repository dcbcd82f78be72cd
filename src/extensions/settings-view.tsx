import { Alert, Button, Flex, Heading, Input, Select, Text, TextArea, Toggle } from '@hubspot/ui-extensions';
import { useState } from 'react';
import { languages, t, type Language } from '../i18n/messages.js';
import type { BackfillStatus } from '../companies/backfill.js';
import { LoadStates, type Loadable } from './load-states.js';

export interface InboundSettings { freeMailAdditions: string[]; ignoredSenders: string[]; autoReplySubjects: string[]; matchSubdomains: boolean; defaultCompanyId: string | null; stripPlusAddresses: boolean }
export interface SmtpSettings { host: string; port: number; secure: boolean; user: string; from: string }
export interface EmailSettings { transport: 'outbox' | 'hubspot' | 'smtp'; hubspotEmailIds: Record<string, number>; smtp: SmtpSettings | null; maxPerRecipientPerHour: number }
export interface PortalSettings { accessListId: string | null; onboardNewContacts: boolean; portalUrl: string | null; linkExpiryHours: number; passwordMode: 'link' | 'temporary' }
export interface SupportSettings { reports: 'every' | 'rules'; customerProperty: string; customerValue: string; editors: 'everyone' | 'admins'; maxPerCompany: number; maxReportsPerRecipientPerHour?: number }
export interface SettingsData { defaultLanguage: Language; internalDomains: string[]; inbound: InboundSettings; email: EmailSettings; portal: PortalSettings; access: { adminUserIds: number[] }; supportContacts: SupportSettings }
export interface ProvisioningStep { name: string; ok: boolean; detail: string }
export interface SettingsPayload { version: number; settings: SettingsData; provisioning: { steps: ProvisioningStep[] } | null; you?: { userId: number | null; admin: boolean } }
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
}

const lines = (value: string) => value.split(/\s+/).filter(Boolean);

const languageNames: Record<Language, string> = { en: 'English', de: 'Deutsch', it: 'Italiano', es: 'Español' };

/** The app's settings page: general settings and the setup (provisioning) result. Sections grow with capabilities. */
export function SettingsView(props: SettingsViewProps) {
  const { payload, language, onRetry } = props;
  if (payload.kind !== 'ready') return <LoadStates state={payload} language={language} title="settings.title" onRetry={onRetry} />;
  return <SettingsForm {...props} initial={payload.data} />;
}

function SettingsForm({ initial, language, onSave, onCreateDefaultCompany, backfill, onBackfill, onSmtpPassword }: SettingsViewProps & { initial: SettingsPayload }) {
  const [smtpPassword, setSmtpPassword] = useState('');
  const [draft, setDraft] = useState<SettingsData>(initial.settings);
  const [version, setVersion] = useState(initial.version);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [saving, setSaving] = useState(false);

  const setInbound = (patch: Partial<InboundSettings>) => setDraft({ ...draft, inbound: { ...draft.inbound, ...patch } });

  const createDefault = async () => {
    const result = await onCreateDefaultCompany();
    if ('error' in result) return setOutcome({ ok: false, message: result.error });
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
  return (
    <Flex direction="column" gap="md">
      <Heading>{t(language, 'settings.title')}</Heading>
      {readOnly && <Alert title={t(language, 'settings.title')} variant="info">{t(language, 'settings.readOnly')}</Alert>}
      <Select
        name="defaultLanguage" label={t(language, 'settings.language')} value={draft.defaultLanguage}
        options={languages.map((l) => ({ label: languageNames[l], value: l }))}
        onChange={(value) => setDraft({ ...draft, defaultLanguage: value as Language })}
      />
      <TextArea
        name="internalDomains" label={t(language, 'settings.internalDomains')} value={draft.internalDomains.join('\n')}
        onChange={(value: string) => setDraft({ ...draft, internalDomains: lines(value) })}
      />
      <Heading>{t(language, 'settings.inbound')}</Heading>
      <Toggle
        name="matchSubdomains" label={t(language, 'settings.matchSubdomains')} checked={draft.inbound.matchSubdomains}
        onChange={(checked: boolean) => setInbound({ matchSubdomains: checked })}
      />
      <TextArea
        name="freeMailAdditions" label={t(language, 'settings.freeMail')} value={draft.inbound.freeMailAdditions.join('\n')}
        onChange={(value: string) => setInbound({ freeMailAdditions: lines(value) })}
      />
      <TextArea
        name="ignoredSenders" label={t(language, 'settings.ignoredSenders')} value={draft.inbound.ignoredSenders.join('\n')}
        onChange={(value: string) => setInbound({ ignoredSenders: lines(value) })}
      />
      <Input
        name="defaultCompanyId" label={t(language, 'settings.defaultCompany')} value={draft.inbound.defaultCompanyId ?? ''}
        onChange={(value: string) => setInbound({ defaultCompanyId: value.trim() || null })}
      />
      <Heading>{t(language, 'settings.email')}</Heading>
      <Select
        name="transport" label={t(language, 'settings.transport')} value={draft.email.transport}
        options={(['outbox', 'hubspot', 'smtp'] as const).map((v) => ({ value: v, label: t(language, `settings.transport.${v}`) }))}
        onChange={(v) => setEmail({ transport: v as EmailSettings['transport'] })}
      />
      {draft.email.transport === 'hubspot' && (['portal-credentials', 'support-issue-report'] as const).map((name) => (
        <Input
          key={name} name={`hubspotEmailId-${name}`} label={t(language, 'settings.hubspotEmailId', { template: name })}
          value={String(draft.email.hubspotEmailIds[name] ?? '')}
          onChange={(v: string) => {
            const ids = { ...draft.email.hubspotEmailIds };
            if (/^\d+$/.test(v.trim())) ids[name] = Number(v.trim()); else delete ids[name];
            setEmail({ hubspotEmailIds: ids });
          }}
        />
      ))}
      {draft.email.transport === 'smtp' && (
        <Flex direction="column" gap="xs">
          <Input name="smtpHost" label={t(language, 'settings.smtpHost')} value={smtp.host} onChange={(v: string) => setSmtp({ host: v.trim() })} />
          <Input name="smtpPort" label={t(language, 'settings.smtpPort')} value={String(smtp.port)} onChange={(v: string) => setSmtp({ port: Number(v) || 0 })} />
          <Input name="smtpUser" label={t(language, 'settings.smtpUser')} value={smtp.user} onChange={(v: string) => setSmtp({ user: v.trim() })} />
          <Input name="smtpFrom" label={t(language, 'settings.smtpFrom')} value={smtp.from} onChange={(v: string) => setSmtp({ from: v })} />
          <Input name="smtpPassword" type="password" label={t(language, 'settings.smtpPassword')} value={smtpPassword} onChange={(v: string) => setSmtpPassword(v)} />
        </Flex>
      )}
      <Heading>{t(language, 'settings.portal')}</Heading>
      <Toggle
        name="onboardNewContacts" label={t(language, 'settings.portal.onboard')} checked={draft.portal.onboardNewContacts}
        onChange={(checked: boolean) => setPortal({ onboardNewContacts: checked })}
      />
      <Input name="portalUrl" label={t(language, 'settings.portal.url')} value={draft.portal.portalUrl ?? ''} onChange={(v: string) => setPortal({ portalUrl: v.trim() || null })} />
      <Input name="accessListId" label={t(language, 'settings.portal.list')} value={draft.portal.accessListId ?? ''} onChange={(v: string) => setPortal({ accessListId: v.trim() || null })} />
      <Input name="linkExpiryHours" label={t(language, 'settings.portal.expiry')} value={String(draft.portal.linkExpiryHours)} onChange={(v: string) => setPortal({ linkExpiryHours: Number(v) || 0 })} />
      <Select
        name="passwordMode" label={t(language, 'settings.portal.mode')} value={draft.portal.passwordMode}
        options={(['link', 'temporary'] as const).map((v) => ({ value: v, label: t(language, `settings.portal.mode.${v}`) }))}
        onChange={(v) => setPortal({ passwordMode: v as PortalSettings['passwordMode'] })}
      />
      <Heading>{t(language, 'settings.support')}</Heading>
      <Select
        name="supportReports" label={t(language, 'settings.support.reports')} value={draft.supportContacts.reports}
        options={(['every', 'rules'] as const).map((v) => ({ value: v, label: t(language, `settings.support.reports.${v}`) }))}
        onChange={(v) => setDraft({ ...draft, supportContacts: { ...draft.supportContacts, reports: v as SupportSettings['reports'] } })}
      />
      <Select
        name="supportEditors" label={t(language, 'settings.support.editors')} value={draft.supportContacts.editors}
        options={(['everyone', 'admins'] as const).map((v) => ({ value: v, label: t(language, `settings.support.editors.${v}`) }))}
        onChange={(v) => setDraft({ ...draft, supportContacts: { ...draft.supportContacts, editors: v as SupportSettings['editors'] } })}
      />
      {!draft.inbound.defaultCompanyId && (
        <Button onClick={createDefault}>{t(language, 'settings.createDefaultCompany')}</Button>
      )}
      <Input
        name="adminUserIds" label={t(language, 'settings.admins')} value={draft.access.adminUserIds.join(', ')}
        onChange={(v: string) => setDraft({ ...draft, access: { adminUserIds: v.split(/[\s,]+/).filter((x) => /^\d+$/.test(x)).map(Number) } })}
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
        <Text key={step.name}>{step.name}: {step.ok ? t(language, 'settings.provisioning.ok') : t(language, 'settings.provisioning.failed', { reason: step.detail })}</Text>
      ))}
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
