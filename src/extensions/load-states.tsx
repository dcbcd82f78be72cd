import { Alert, Button, Flex, LoadingSpinner } from '@hubspot/ui-extensions';
import { t, type Language, type MessageKey } from '../i18n/messages.js';

export type Loadable<T> = { kind: 'loading' } | { kind: 'error'; reason: string } | { kind: 'ready'; data: T };

/** The loading and error states every card and page shows the same way; null when the data is ready. */
export function LoadStates({ state, language, title, onRetry }: { state: Loadable<unknown>; language: Language; title: MessageKey; onRetry: () => void }) {
  if (state.kind === 'loading') return <LoadingSpinner label={t(language, 'status.loading')} />;
  if (state.kind === 'error') {
    return (
      <Flex direction="column" gap="sm">
        <Alert title={t(language, title)} variant="error">{t(language, 'status.error', { reason: state.reason })}</Alert>
        <Button onClick={onRetry}>{t(language, 'status.retry')}</Button>
      </Flex>
    );
  }
  return null;
}
