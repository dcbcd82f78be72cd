import { Flex, StatusTag, Text } from '@hubspot/ui-extensions';
import type { EmailRecord } from '../email/send-email.js';
import { t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

const variant = { sent: 'success', suppressed: 'warning', failed: 'danger' } as const;

/** The contact card's section: what Portal Autopilot sent this contact, and why not when it did not. */
export function EmailLogView({ emails, language, onRetry }: { emails: Loadable<{ emails: EmailRecord[] }>; language: Language; onRetry: () => void }) {
  if (emails.kind !== 'ready') return <LoadStates state={emails} language={language} title="emails.title" onRetry={onRetry} />;
  const list = emails.data.emails;
  return (
    <Flex direction="column" gap="xs">
      <Text format={{ fontWeight: 'bold' }}>{t(language, 'emails.title')}</Text>
      {!list.length && <Text>{t(language, 'emails.empty')}</Text>}
      {list.slice(0, 5).map((e) => (
        <StatusTag key={`${e.cause}-${e.at}`} variant={variant[e.state]}>
          {t(language, `emails.${e.state}`, { template: e.template, transport: e.transport ?? '', language: e.language ?? '', reason: e.reason ?? '' })}
        </StatusTag>
      ))}
    </Flex>
  );
}
