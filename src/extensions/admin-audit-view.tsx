import { Flex, Heading, Text } from '@hubspot/ui-extensions';
import { t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

export interface AdminChange { at: string; userId: number | null; userEmail: string | null; action: string; status: number }

/** The settings page's record of what admins changed: who, when, what. Only admins can load it. */
export function AdminAuditView({ audit, language, onRetry }: { audit: Loadable<{ changes: AdminChange[] }>; language: Language; onRetry: () => void }) {
  if (audit.kind === 'error' && /only an admin/.test(audit.reason)) return null;
  if (audit.kind !== 'ready') return <LoadStates state={audit} language={language} title="audit.title" onRetry={onRetry} />;
  return (
    <Flex direction="column" gap="xs">
      <Heading>{t(language, 'audit.title')}</Heading>
      {!audit.data.changes.length && <Text>{t(language, 'audit.empty')}</Text>}
      {audit.data.changes.slice(0, 20).map((c) => (
        <Text key={`${c.at}-${c.action}`}>{t(language, 'audit.entry', { at: c.at.replace('T', ' ').slice(0, 16), who: c.userEmail ?? `user ${c.userId ?? '?'}`, action: c.action, status: c.status })}</Text>
      ))}
    </Flex>
  );
}
