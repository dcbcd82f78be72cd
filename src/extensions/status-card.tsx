import { Divider, Flex } from '@hubspot/ui-extensions';
import type { FilingExplanation } from '../companies/explain-filing.js';
import type { EmailRecord } from '../email/send-email.js';
import { pickLanguage } from '../i18n/messages.js';
import { callBackend } from './backend.js';
import { EmailLogView } from './email-log-view.js';
import { FilingView } from './filing-view.js';
import { StatusCardView, type AccountStatus } from './status-card-view.js';
import { useLoadable } from './use-loadable.js';
import { PortalAccessView, type ActionResult, type ContactPortal, type CredentialsPreview } from './portal-access-view.js';

interface CardContext { portal: { id: number }; user: { id: number; email: string; locale?: string }; crm?: { objectId: number } }

export function StatusCard({ context }: { context: CardContext }) {
  const language = pickLanguage(context.user.locale);
  const [status, reload] = useLoadable(() => callBackend<AccountStatus>('/status'));
  const [filing, reloadFiling] = useLoadable(() => callBackend<FilingExplanation>(`/contacts/${context.crm?.objectId}/filing`));
  const [emails, reloadEmails] = useLoadable(() => callBackend<{ emails: EmailRecord[] }>(`/contacts/${context.crm?.objectId}/emails`));
  const contact = `/contacts/${context.crm?.objectId}/portal`;
  const [portal, reloadPortal] = useLoadable(() => callBackend<ContactPortal>(contact));
  const act = async (path: string, body: Record<string, unknown> = {}): Promise<ActionResult> => {
    try { await callBackend(`${contact}${path}`, { method: 'POST', body }); return { ok: true }; } catch (err) { return { ok: false, reason: (err as Error).message }; }
  };
  // One id per click: a request HubSpot retries is still one email.
  const click = () => ({ requestId: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}` });
  return (
    <Flex direction="column" gap="sm">
      <StatusCardView status={status} language={language} onRetry={reload} />
      {context.crm?.objectId && <Divider />}
      {context.crm?.objectId && <FilingView filing={filing} language={language} onRetry={reloadFiling} />}
      {context.crm?.objectId && (
        <PortalAccessView
          portal={portal} language={language} onRetry={() => { reloadPortal(); reloadEmails(); }}
          onGrant={() => act('/grant')} onRevoke={() => act('/revoke')} onSend={() => act('/credentials', click())} onReset={() => act('/reset', click())}
          onTemporaryPassword={async () => {
            try { return await callBackend<{ password: string }>(`${contact}/temporary-password`, { method: 'POST', body: click() }); } catch (err) { return { error: (err as Error).message }; }
          }}
          onPreview={async () => {
            try { return await callBackend<CredentialsPreview>(`${contact}/credentials/preview`, { method: 'POST', body: {} }); } catch (err) { return { error: (err as Error).message }; }
          }}
        />
      )}
      {context.crm?.objectId && <EmailLogView emails={emails} language={language} onRetry={reloadEmails} />}
    </Flex>
  );
}
