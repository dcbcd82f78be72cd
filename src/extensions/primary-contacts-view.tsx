import { Alert, Flex, Text, Toggle } from '@hubspot/ui-extensions';
import { useState } from 'react';
import { t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

export interface PrimaryContact { contactId: string; email: string | null; name: string | null; primary: boolean }

export interface PrimaryContactsViewProps {
  contacts: Loadable<{ contacts: PrimaryContact[] }>;
  language: Language;
  onSet: (contactId: string, primary: boolean) => Promise<{ ok: true } | { ok: false; message: string }>;
  onRetry: () => void;
}

/** The company card's primary contacts: each one sees every ticket of the company in the customer portal. */
export function PrimaryContactsView({ contacts, language, onSet, onRetry }: PrimaryContactsViewProps) {
  const [changed, setChanged] = useState<Record<string, boolean>>({});
  const [failure, setFailure] = useState<string | null>(null);
  if (contacts.kind !== 'ready') return <LoadStates state={contacts} language={language} title="portal.primary.title" onRetry={onRetry} />;
  const list = contacts.data.contacts;
  return (
    <Flex direction="column" gap="xs">
      <Text format={{ fontWeight: 'bold' }}>{t(language, 'portal.primary.title')}</Text>
      {!list.length && <Text>{t(language, 'portal.primary.none')}</Text>}
      {list.map((c) => {
        const label = c.name ? `${c.name} (${c.email ?? c.contactId})` : (c.email ?? c.contactId);
        return (
          <Toggle
            key={c.contactId} name={`primary-${c.contactId}`} label={t(language, 'portal.primary.toggle', { name: label })} checked={changed[c.contactId] ?? c.primary}
            onChange={async (primary: boolean) => {
              setFailure(null);
              setChanged({ ...changed, [c.contactId]: primary });
              const outcome = await onSet(c.contactId, primary);
              if (!outcome.ok) { setFailure(outcome.message); setChanged({ ...changed, [c.contactId]: !primary }); }
            }}
          />
        );
      })}
      {list.length > 0 && <Text variant="microcopy">{t(language, 'portal.primary.hint')}</Text>}
      {failure !== null && <Alert title={t(language, 'portal.primary.title')} variant="error">{t(language, 'portal.failed', { reason: failure })}</Alert>}
    </Flex>
  );
}
