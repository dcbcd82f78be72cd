import { Flex, StatusTag, Text } from '@hubspot/ui-extensions';
import type { EmailRecord } from '../email/send-email.js';
import { languages, t, type Language, type MessageKey } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

const variant = { sent: 'success', suppressed: 'warning', failed: 'danger' } as const;
const transports = ['outbox', 'hubspot', 'smtp'] as const;
type Transport = (typeof transports)[number];

/** A template by its name in the agent's language (its id when the app does not know it). */
export function templateLabel(language: Language, name: string): string {
  const key = `tpl.${name}` as MessageKey;
  return ['portal-credentials', 'portal-reset', 'support-issue-report', 'request-received', 'portal-sign-in-code'].includes(name) ? t(language, key) : name;
}

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
          {t(language, `emails.${e.state}`, {
            template: templateLabel(language, e.template),
            transport: e.transport && (transports as readonly string[]).includes(e.transport) ? t(language, `via.${e.transport as Transport}`) : (e.transport ?? ''),
            language: e.language && (languages as readonly string[]).includes(e.language) ? t(language, `lang.${e.language as Language}`) : (e.language ?? ''),
            reason: e.reasonCode ? t(language, `emailReason.${e.reasonCode}`, { limit: e.limit ?? '' }) : (e.reason ?? ''),
          })}
        </StatusTag>
      ))}
    </Flex>
  );
}
