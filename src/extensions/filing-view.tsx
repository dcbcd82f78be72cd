import { Alert, Flex, Text } from '@hubspot/ui-extensions';
import type { FilingExplanation } from '../companies/explain-filing.js';
import { t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

/** The contact card's section: why this contact is (or is not) filed under its company. */
export function FilingView({ filing, language, onRetry }: { filing: Loadable<FilingExplanation>; language: Language; onRetry: () => void }) {
  if (filing.kind !== 'ready') return <LoadStates state={filing} language={language} title="filing.title" onRetry={onRetry} />;
  const f = filing.data;
  const company = f.companyName ?? f.companyId ?? '';
  const text = f.reason === 'domain'
    ? t(language, f.recorded ? 'filing.domain' : 'filing.wouldMatch', { company, domain: f.matchedDomain ?? '' })
    : f.reason === 'free-mail' ? t(language, 'filing.freeMail', { email: f.email ?? '' })
      : f.reason === 'no-email' ? t(language, 'filing.noEmail')
        : t(language, 'filing.noCompany', { email: f.email ?? '' });
  return (
    <Flex direction="column" gap="xs">
      <Text format={{ fontWeight: 'bold' }}>{t(language, 'filing.title')}</Text>
      <Text>{text}</Text>
      {f.conflictsWith.length > 0 && <Alert title={t(language, 'filing.title')} variant="warning">{t(language, 'filing.conflict', { ids: f.conflictsWith.join(', ') })}</Alert>}
    </Flex>
  );
}
