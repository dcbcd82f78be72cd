import { useEffect, useState } from 'react';
import type { BackfillStatus } from '../companies/backfill.js';
import { Flex } from '@hubspot/ui-extensions';
import type { ListedTemplate } from '../email/template-repository.js';
import { pickLanguage } from '../i18n/messages.js';
import { TemplatesView, type TemplatesPayload } from './templates-view.js';
import { RulesView, type TicketProperty } from './rules-view.js';
import type { DryRunResult } from '../tickets/rule-dry-run.js';
import type { Evaluation } from '../rules/evaluate-rules.js';
import type { RuleSet } from '../rules/rule-schema.js';
import { callBackend } from './backend.js';
import { SettingsView, type SaveOutcome, type SettingsData, type SettingsPayload } from './settings-view.js';
import { useLoadable } from './use-loadable.js';
import type { PickerOption } from '../settings/chosen-records.js';
import type { SetupChecklist } from '../settings/setup-steps.js';
import { SetupChecklistView, type SetupAction } from './setup-checklist-view.js';
import { OidcClientView, type OidcClientPayload } from './oidc-client-view.js';
import { AdminAuditView, type AdminChange } from './admin-audit-view.js';
import { JournalReplayView } from './journal-replay-view.js';
import type { AccountStatus } from './status-card-view.js';

interface SettingsContext { portal: { id: number }; user: { id: number; email: string; locale?: string } }

export function SettingsPage({ context }: { context: SettingsContext }) {
  const language = pickLanguage(context.user.locale);
  const [payload, reload] = useLoadable(() => callBackend<SettingsPayload>('/settings'));
  const onSave = async (settings: SettingsData, expectedVersion: number): Promise<SaveOutcome> => {
    try {
      const saved = await callBackend<{ version: number }>('/settings', { method: 'PUT', body: { settings, expectedVersion } });
      return { ok: true, version: saved.version };
    } catch (err) {
      return { ok: false, message: (err as Error).message, conflict: (err as { status?: number }).status === 409 };
    }
  };
  const [backfill, setBackfill] = useState<BackfillStatus | null>(null);
  const [checked, setChecked] = useState(false);
  useEffect(() => {
    if (checked && (!backfill || (backfill.state !== 'queued' && backfill.state !== 'running'))) return undefined;
    // Picks up a run started elsewhere on first render, then polls every 2 s while one runs.
    const timer = setTimeout(() => {
      setChecked(true);
      void callBackend<BackfillStatus | { state: 'none' }>('/backfill').then((s) => setBackfill(s.state === 'none' ? null : s as BackfillStatus), () => undefined);
    }, checked ? 2000 : 0);
    return () => clearTimeout(timer);
  });
  const onBackfill = (mode: 'dry-run' | 'apply') => {
    void callBackend<BackfillStatus>('/backfill', { method: 'POST', body: { mode } }).then(setBackfill, () => undefined);
  };
  const onCreateDefaultCompany = async () => {
    try {
      return await callBackend<{ companyId: string; version: number }>('/default-company', { method: 'POST', body: {} });
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
  const [checklist, reloadChecklist] = useLoadable(() => callBackend<SetupChecklist>('/setup'));
  const setupCalls: Record<SetupAction, string> = {
    provisioning: '/provisioning', 'default-company': '/default-company', 'test-email': '/setup/test-email', onboarding: '/setup/onboarding', 'credentials-rule': '/setup/credentials-rule',
  };
  const [audit, reloadAudit] = useLoadable(() => callBackend<{ changes: AdminChange[] }>('/admin-audit'));
  const [status, reloadStatus] = useLoadable(() => callBackend<AccountStatus>('/status'));
  const [oidcClient, reloadOidcClient] = useLoadable(() => callBackend<OidcClientPayload>('/portal/client'));
  const [rules, reloadRules] = useLoadable(() => callBackend<{ version: number; ruleSet: RuleSet }>('/rules'));
  const [templates, reloadTemplates] = useLoadable(() => callBackend<TemplatesPayload>(`/email/templates?language=${language}`));
  const attempt = async <T,>(run: () => Promise<T>): Promise<T | { ok: false; message: string }> => {
    try { return await run(); } catch (err) { return { ok: false, message: (err as Error).message }; }
  };
  const path = (name: string, lang: string) => `/email/templates/${name}/${lang}`;
  return (
    <Flex direction="column" gap="lg">
    <SetupChecklistView
      checklist={checklist} language={language} onRetry={reloadChecklist}
      readOnly={payload.kind === 'ready' && payload.data.you?.admin === false}
      onAction={async (action) => {
        const outcome = await attempt(async () => { await callBackend(setupCalls[action], { method: 'POST', body: {} }); return { ok: true }; });
        // What a step's button changed shows below too (the settings, the rules).
        if (action !== 'test-email') { reload(); reloadRules(); }
        return outcome;
      }}
    />
    <SettingsView
      payload={payload} language={language} onSave={onSave} onRetry={reload}
      onCreateDefaultCompany={onCreateDefaultCompany} backfill={backfill} onBackfill={onBackfill}
      onSmtpPassword={(password) => attempt(async () => { await callBackend('/email/smtp-password', { method: 'PUT', body: { password } }); return { ok: true }; })}
      onLoadCompanyProperties={() => attempt(async () => ({ ok: true as const, properties: (await callBackend<{ properties: { name: string; label: string }[] }>('/pickers/company-properties')).properties }))}
      onSearch={(kind, q) => attempt(async () => ({ ok: true as const, results: (await callBackend<{ results: PickerOption[] }>(`/pickers/${kind}?q=${encodeURIComponent(q)}`)).results }))}
    />
    <AdminAuditView audit={audit} language={language} onRetry={reloadAudit} />
    <JournalReplayView
      status={status} language={language} readOnly={payload.kind === 'ready' && payload.data.you?.admin === false}
      onReplay={async (since) => {
        const outcome = await attempt(async () => ({ ok: true as const, ...(await callBackend<{ replayingSince: string }>('/journal/replay', { method: 'POST', body: { since } })) }));
        reloadStatus();
        return outcome;
      }}
    />
    <OidcClientView
      client={oidcClient} language={language} onRetry={reloadOidcClient}
      onSave={async (redirectUris, rotateSecret, pkce) => {
        try {
          return { ok: true, payload: await callBackend<OidcClientPayload>('/portal/client', { method: 'PUT', body: { redirectUris, rotateSecret, pkce } }) };
        } catch (err) {
          return { ok: false, message: (err as Error).message };
        }
      }}
      onSignOutAll={() => attempt(async () => { await callBackend('/portal/sign-out-everywhere', { method: 'POST', body: {} }); return { ok: true }; })}
    />
    <RulesView
      payload={rules} language={language} onRetry={reloadRules}
      readOnly={payload.kind === 'ready' && payload.data.you?.admin === false}
      templates={templates.kind === 'ready' ? templates.data.templates.filter((x) => x.language === language).map((x) => ({ name: x.name, subject: x.subject, text: x.text })) : []}
      onSave={async (ruleSet, expectedVersion) => {
        try {
          const saved = await callBackend<{ version: number }>('/rules', { method: 'PUT', body: { ruleSet, expectedVersion } });
          reloadChecklist();
          return { ok: true, version: saved.version };
        } catch (err) {
          const body = (err as { body?: { problems?: string[] } }).body;
          return { ok: false, message: (err as Error).message, problems: body?.problems ?? [], conflict: (err as { status?: number }).status === 409 };
        }
      }}
      onTest={async (ticket, ruleSet) => {
        try {
          return { ok: true, evaluation: await callBackend<Evaluation>('/rules/test', { method: 'POST', body: { ticket, ruleSet } }) };
        } catch (err) {
          return { ok: false, message: (err as Error).message, problems: (err as { body?: { problems?: string[] } }).body?.problems ?? [] };
        }
      }}
      onDryRun={async (ruleSet) => {
        try {
          return { ok: true, result: await callBackend<DryRunResult>('/rules/dry-run', { method: 'POST', body: { ruleSet } }) };
        } catch (err) {
          return { ok: false, message: (err as Error).message, problems: (err as { body?: { problems?: string[] } }).body?.problems ?? [] };
        }
      }}
      onLoadProperties={() => attempt(async () => ({ ok: true as const, properties: (await callBackend<{ properties: TicketProperty[] }>('/rules/ticket-properties')).properties }))}
    />
    <TemplatesView
      payload={templates} language={language} onRetry={reloadTemplates}
      onSave={(name, lang, body) => attempt(async () => ({ ok: true as const, template: await callBackend<ListedTemplate>(path(name, lang), { method: 'PUT', body }) }))}
      onRestore={(name, lang) => attempt(async () => ({ ok: true as const, template: await callBackend<ListedTemplate>(path(name, lang), { method: 'DELETE' }) }))}
      onPreview={(name, lang, body, contactId) => attempt(async () => ({ ok: true as const, ...(await callBackend<{ subject: string; text: string }>(`${path(name, lang)}/preview`, { method: 'POST', body: { ...body, contactId } })) }))}
    />
    </Flex>
  );
}
