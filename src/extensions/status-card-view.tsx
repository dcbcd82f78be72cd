import { Alert, Button, Flex, LoadingSpinner, StatusTag, Text } from '@hubspot/ui-extensions';
import { t, type Language } from '../i18n/messages.js';

export interface AccountStatus {
  portalId: number;
  installed: boolean;
  queue: { waiting: number; active: number };
  deadLetters: number;
}

export type Loadable<T> = { kind: 'loading' } | { kind: 'error'; reason: string } | { kind: 'ready'; data: T };

export interface StatusCardViewProps { status: Loadable<AccountStatus>; language: Language; onRetry: () => void }

/** The "Portal Autopilot" sidebar card on contacts: is the app set up, and is its pipeline healthy. */
export function StatusCardView({ status, language, onRetry }: StatusCardViewProps) {
  if (status.kind === 'loading') return <LoadingSpinner label={t(language, 'status.loading')} />;
  if (status.kind === 'error') {
    return (
      <Flex direction="column" gap="sm">
        <Alert title={t(language, 'status.title')} variant="error">{t(language, 'status.error', { reason: status.reason })}</Alert>
        <Button onClick={onRetry}>{t(language, 'status.retry')}</Button>
      </Flex>
    );
  }
  const s = status.data;
  if (!s.installed) return <Alert title={t(language, 'status.title')} variant="warning">{t(language, 'status.notInstalled')}</Alert>;
  return (
    <Flex direction="column" gap="xs">
      <StatusTag variant={s.deadLetters ? 'warning' : 'success'}>{t(language, 'status.connected', { portalId: s.portalId })}</StatusTag>
      <Text>{t(language, 'status.queue', { waiting: s.queue.waiting + s.queue.active, deadLetters: s.deadLetters })}</Text>
    </Flex>
  );
}
