import { Alert, Button, Flex, Heading, Input, Select, Text, TextArea, Toggle } from '@hubspot/ui-extensions';
import { useState } from 'react';
import { languages, t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

export interface InboundSettings { freeMailAdditions: string[]; ignoredSenders: string[]; autoReplySubjects: string[]; matchSubdomains: boolean; defaultCompanyId: string | null; stripPlusAddresses: boolean }
export interface SettingsData { defaultLanguage: Language; internalDomains: string[]; inbound: InboundSettings }
export interface ProvisioningStep { name: string; ok: boolean; detail: string }
export interface SettingsPayload { version: number; settings: SettingsData; provisioning: { steps: ProvisioningStep[] } | null }
export type SaveOutcome = { ok: true; version: number } | { ok: false; message: string; conflict?: boolean };

export interface SettingsViewProps {
  payload: Loadable<SettingsPayload>;
  language: Language;
  onSave: (settings: SettingsData, expectedVersion: number) => Promise<SaveOutcome>;
  onRetry: () => void;
}

const lines = (value: string) => value.split(/\s+/).filter(Boolean);

const languageNames: Record<Language, string> = { en: 'English', de: 'Deutsch', it: 'Italiano', es: 'Español' };

/** The app's settings page: general settings and the setup (provisioning) result. Sections grow with capabilities. */
export function SettingsView({ payload, language, onSave, onRetry }: SettingsViewProps) {
  if (payload.kind !== 'ready') return <LoadStates state={payload} language={language} title="settings.title" onRetry={onRetry} />;
  return <SettingsForm initial={payload.data} language={language} onSave={onSave} />;
}

function SettingsForm({ initial, language, onSave }: { initial: SettingsPayload; language: Language; onSave: SettingsViewProps['onSave'] }) {
  const [draft, setDraft] = useState<SettingsData>(initial.settings);
  const [version, setVersion] = useState(initial.version);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [saving, setSaving] = useState(false);

  const setInbound = (patch: Partial<InboundSettings>) => setDraft({ ...draft, inbound: { ...draft.inbound, ...patch } });

  const save = async () => {
    setSaving(true);
    const result = await onSave(draft, version);
    if (result.ok) setVersion(result.version);
    setOutcome(result);
    setSaving(false);
  };

  return (
    <Flex direction="column" gap="md">
      <Heading>{t(language, 'settings.title')}</Heading>
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
      <Button variant="primary" disabled={saving} onClick={save}>{t(language, 'settings.save')}</Button>
      {outcome?.ok && <Alert title={t(language, 'settings.title')} variant="success">{t(language, 'settings.saved', { version: outcome.version })}</Alert>}
      {outcome && !outcome.ok && (
        <Alert title={t(language, 'settings.title')} variant="error">
          {outcome.conflict ? t(language, 'settings.conflict') : t(language, 'error.badRequest', { reason: outcome.message })}
        </Alert>
      )}
      <Heading>{t(language, 'settings.provisioning')}</Heading>
      {(initial.provisioning?.steps ?? []).map((step) => (
        <Text key={step.name}>{step.name}: {step.ok ? t(language, 'settings.provisioning.ok') : t(language, 'settings.provisioning.failed', { reason: step.detail })}</Text>
      ))}
    </Flex>
  );
}
