import { Alert, Button, Flex, Text } from '@hubspot/ui-extensions';
import type { BackfillStatus } from '../companies/backfill.js';
import type { CompanyDomainsOverview } from '../companies/explain-filing.js';
import { t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

export interface CompanyDomainsViewProps {
  overview: Loadable<CompanyDomainsOverview>;
  backfill: BackfillStatus | null;
  language: Language;
  onDryRun: () => void;
  onApply: () => void;
  onRetry: () => void;
}

/** The company card: its domains and contacts, conflicts with other companies, and filing existing contacts (dry run first). */
export function CompanyDomainsView({ overview, backfill, language, onDryRun, onApply, onRetry }: CompanyDomainsViewProps) {
  if (overview.kind !== 'ready') return <LoadStates state={overview} language={language} title="company.title" onRetry={onRetry} />;
  const { domains } = overview.data;
  if (!domains.length) return <Text>{t(language, 'company.noDomains')}</Text>;
  const busy = backfill?.state === 'queued' || backfill?.state === 'running';
  return (
    <Flex direction="column" gap="sm">
      {domains.map((d) => <Text key={d.domain}>{t(language, 'company.domain', { domain: d.domain, count: d.contacts })}</Text>)}
      {domains.filter((d) => d.alsoOwnedBy.length).map((d) => (
        <Alert key={`c-${d.domain}`} title={t(language, 'company.title')} variant="warning">
          {t(language, 'company.conflict', { domain: d.domain, companies: d.alsoOwnedBy.map((c) => c.name || c.id).join(', ') })}
        </Alert>
      ))}
      {busy && <Text>{t(language, 'company.running', { scanned: backfill!.scanned })}</Text>}
      {backfill?.state === 'failed' && <Alert title={t(language, 'company.title')} variant="error">{backfill.error ?? ''}</Alert>}
      {backfill?.state === 'done' && backfill.mode === 'dry-run' && <Text>{t(language, 'company.planned', { count: backfill.planned })}</Text>}
      {backfill?.state === 'done' && backfill.mode === 'apply' && <Text>{t(language, 'company.applied', { count: backfill.applied })}</Text>}
      {backfill?.state === 'done' && backfill.mode === 'dry-run' && backfill.planned > 0
        ? <Button variant="primary" onClick={onApply}>{t(language, 'company.apply', { count: backfill.planned })}</Button>
        : <Button disabled={busy} onClick={onDryRun}>{t(language, 'company.dryRun')}</Button>}
    </Flex>
  );
}
