import { useEffect, useState } from 'react';
import type { BackfillStatus } from '../companies/backfill.js';
import type { CompanyDomainsOverview } from '../companies/explain-filing.js';
import { pickLanguage } from '../i18n/messages.js';
import { callBackend } from './backend.js';
import { CompanyDomainsView } from './company-domains-view.js';
import { useLoadable } from './use-loadable.js';
import { Divider, Flex } from '@hubspot/ui-extensions';
import { CompanyPortalView, type CompanyPortal } from './company-portal-view.js';
import { PrimaryContactsView, type PrimaryContact } from './primary-contacts-view.js';
import { SupportContactsView, type SupportData, type SupportSearch } from './support-contacts-view.js';

interface CardContext { portal: { id: number }; user: { id: number; email: string; locale?: string }; crm: { objectId: number } }

export function CompanyCard({ context }: { context: CardContext }) {
  const companyId = String(context.crm.objectId);
  const [overview, reload] = useLoadable(() => callBackend<CompanyDomainsOverview>(`/companies/${companyId}/domains`));
  const [backfill, setBackfill] = useState<BackfillStatus | null>(null);
  const [support, reloadSupport] = useLoadable(() => callBackend<SupportData>(`/companies/${companyId}/support-contacts`));
  const [portal, reloadPortal] = useLoadable(() => callBackend<CompanyPortal>(`/companies/${companyId}/portal`));
  const [primary, reloadPrimary] = useLoadable(() => callBackend<{ contacts: PrimaryContact[] }>(`/companies/${companyId}/primary-contacts`));

  // While a run of ours is queued or running, look again every 2 s.
  useEffect(() => {
    if (!backfill || (backfill.state !== 'queued' && backfill.state !== 'running')) return undefined;
    const timer = setTimeout(() => { void callBackend<BackfillStatus>('/backfill').then(setBackfill); }, 2000);
    return () => clearTimeout(timer);
  });

  const start = (mode: 'dry-run' | 'apply') => {
    void callBackend<BackfillStatus>('/backfill', { method: 'POST', body: { mode, companyId } }).then(setBackfill, (err: Error) =>
      setBackfill({ mode, companyId, state: 'failed', scanned: 0, planned: 0, applied: 0, sample: [], startedAt: new Date().toISOString(), error: err.message }));
  };
  const language = pickLanguage(context.user.locale);
  return (
    <Flex direction="column" gap="sm">
      <CompanyDomainsView overview={overview} backfill={backfill} language={language} onDryRun={() => start('dry-run')} onApply={() => start('apply')} onRetry={reload} />
      <Divider />
      <SupportContactsView
        data={support} language={language} onRetry={reloadSupport}
        onSearch={(q) => callBackend<SupportSearch>(`/support-contacts/search?q=${encodeURIComponent(q)}`)}
        onSave={async (contacts) => {
          try { await callBackend(`/companies/${companyId}/support-contacts`, { method: 'PUT', body: { contacts } }); return { ok: true }; } catch (err) { return { ok: false, message: (err as Error).message }; }
        }}
      />
      <Divider />
      <PrimaryContactsView
        contacts={primary} language={language} onRetry={reloadPrimary}
        onSet={async (contactId, value) => {
          try { await callBackend(`/companies/${companyId}/primary-contacts/${contactId}`, { method: 'PUT', body: { primary: value } }); return { ok: true }; } catch (err) { return { ok: false, message: (err as Error).message }; }
        }}
      />
      <Divider />
      <CompanyPortalView
        portal={portal} language={language} onRetry={reloadPortal}
        onGrantAll={async (expectedCount) => {
          try { return await callBackend<{ queued: number }>(`/companies/${companyId}/portal/grant-all`, { method: 'POST', body: { expectedCount } }); } catch (err) { return { error: (err as Error).message }; }
        }}
      />
    </Flex>
  );
}
