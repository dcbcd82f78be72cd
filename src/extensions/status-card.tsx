import { Divider, Flex } from '@hubspot/ui-extensions';
import type { FilingExplanation } from '../companies/explain-filing.js';
import type { EmailRecord } from '../email/send-email.js';
import { pickLanguage } from '../i18n/messages.js';
import { callBackend } from './backend.js';
import { EmailLogView } from './email-log-view.js';
import { FilingView } from './filing-view.js';
import { StatusCardView, type AccountStatus } from './status-card-view.js';
import { useLoadable } from './use-loadable.js';

interface CardContext { portal: { id: number }; user: { id: number; email: string; locale?: string }; crm?: { objectId: number } }

export function StatusCard({ context }: { context: CardContext }) {
  const language = pickLanguage(context.user.locale);
  const [status, reload] = useLoadable(() => callBackend<AccountStatus>('/status'));
  const [filing, reloadFiling] = useLoadable(() => callBackend<FilingExplanation>(`/contacts/${context.crm?.objectId}/filing`));
  const [emails, reloadEmails] = useLoadable(() => callBackend<{ emails: EmailRecord[] }>(`/contacts/${context.crm?.objectId}/emails`));
  return (
    <Flex direction="column" gap="sm">
      <StatusCardView status={status} language={language} onRetry={reload} />
      {context.crm?.objectId && <Divider />}
      {context.crm?.objectId && <FilingView filing={filing} language={language} onRetry={reloadFiling} />}
      {context.crm?.objectId && <EmailLogView emails={emails} language={language} onRetry={reloadEmails} />}
    </Flex>
  );
}
