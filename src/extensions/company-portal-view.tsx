import { Alert, Button, ButtonRow, Flex, Text } from '@hubspot/ui-extensions';
import { useState } from 'react';
import { t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

export interface SelfRegisteredPerson { contactId: string; email: string | null; name: string | null; at: string }
export interface CompanyPortal { contacts: number; withAccess: number; withoutAccess: string[]; truncated: boolean; selfRegistered: SelfRegisteredPerson[] }

export interface CompanyPortalViewProps {
  portal: Loadable<CompanyPortal>;
  language: Language;
  onRetry: () => void;
  /** Sends the count the agent saw: the backend refuses if it changed meanwhile. */
  onGrantAll: (expectedCount: number) => Promise<{ queued: number } | { error: string }>;
}

/** The company card's portal section: how many contacts have access, and "grant access to all" with the count shown first. */
export function CompanyPortalView({ portal, language, onRetry, onGrantAll }: CompanyPortalViewProps) {
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<{ queued: number } | { error: string } | null>(null);
  if (portal.kind !== 'ready') return <LoadStates state={portal} language={language} title="portal.company.title" onRetry={onRetry} />;
  const s = portal.data;
  const count = s.withoutAccess.length;
  return (
    <Flex direction="column" gap="xs">
      <Text format={{ fontWeight: 'bold' }}>{t(language, 'portal.company.title')}</Text>
      <Text>{t(language, 'portal.company.count', { withAccess: s.withAccess, contacts: s.contacts })}</Text>
      {result && 'queued' in result && <Alert title={t(language, 'portal.company.title')} variant="success">{t(language, 'portal.company.queued', { count: result.queued })}</Alert>}
      {result && 'error' in result && <Alert title={t(language, 'portal.company.title')} variant="error">{t(language, 'portal.failed', { reason: result.error })}</Alert>}
      {count === 0 && s.contacts > 0 && <Text>{t(language, 'portal.company.allHave')}</Text>}
      {count > 0 && !confirming && <Button onClick={() => setConfirming(true)}>{t(language, 'portal.company.grantAll', { count })}</Button>}
      {s.selfRegistered.length > 0 && (
        <Flex direction="column" gap="flush">
          <Text format={{ fontWeight: 'demibold' }}>{t(language, 'portal.company.selfRegistered', { count: s.selfRegistered.length })}</Text>
          {s.selfRegistered.map((p) => (
            <Text key={p.contactId} variant="microcopy">{t(language, 'portal.company.selfRegisteredOne', { who: p.name && p.email ? `${p.name} <${p.email}>` : p.name ?? p.email ?? p.contactId, date: p.at.slice(0, 10) })}</Text>
          ))}
        </Flex>
      )}
      {count > 0 && confirming && (
        <Flex direction="column" gap="xs">
          <Alert title={t(language, 'portal.company.title')} variant="warning">{t(language, 'portal.company.confirmAll', { count })}</Alert>
          <ButtonRow>
            <Button variant="primary" onClick={() => { setConfirming(false); void onGrantAll(count).then((r) => { setResult(r); onRetry(); }); }}>{t(language, 'portal.company.confirm', { count })}</Button>
            <Button onClick={() => setConfirming(false)}>{t(language, 'portal.cancel')}</Button>
          </ButtonRow>
        </Flex>
      )}
    </Flex>
  );
}
