import { Alert, Flex, StatusTag, Text } from '@hubspot/ui-extensions';
import { t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

export type { Loadable };

export interface AccountStatus {
  portalId: number;
  installed: boolean;
  queue: { waiting: number; active: number };
  deadLetters: number;
  /** Reading HubSpot's Webhooks Journal (marketplace installs): how far behind, and its last failure; null when the journal is not read. */
  journal?: { lagSeconds: number | null; lastReadAt: string | null; lastError: string | null } | null;
}

export interface StatusCardViewProps { status: Loadable<AccountStatus>; language: Language; onRetry: () => void }

/** The "Portal Autopilot" sidebar card on contacts: is the app set up, and is its pipeline healthy. */
export function StatusCardView({ status, language, onRetry }: StatusCardViewProps) {
  if (status.kind !== 'ready') return <LoadStates state={status} language={language} title="status.title" onRetry={onRetry} />;
  const s = status.data;
  if (!s.installed) return <Alert title={t(language, 'status.title')} variant="warning">{t(language, 'status.notInstalled')}</Alert>;
  return (
    <Flex direction="column" gap="xs">
      <StatusTag variant={s.deadLetters ? 'warning' : 'success'}>{t(language, 'status.connected', { portalId: s.portalId })}</StatusTag>
      <Text>{t(language, 'status.queue', { waiting: s.queue.waiting + s.queue.active, deadLetters: s.deadLetters })}</Text>
      {s.journal ? <JournalLines journal={s.journal} language={language} title="status.title" /> : null}
    </Flex>
  );
}

/** How far behind reading HubSpot's webhooks journal is, and (a warning) why it could not be read: the status card's and the settings page's. */
export function JournalLines({ journal, language, title }: { journal: NonNullable<AccountStatus['journal']>; language: Language; title: 'status.title' | 'journal.title' }) {
  return (
    <>
      <Text>{journal.lastReadAt ? t(language, 'status.journal', { lag: String(Math.round(journal.lagSeconds ?? 0)) }) : t(language, 'status.journalNotYet')}</Text>
      {journal.lastError ? <Alert title={t(language, title)} variant="warning">{t(language, 'status.journalFailing', { reason: journal.lastError })}</Alert> : null}
    </>
  );
}
