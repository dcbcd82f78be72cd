import { pickLanguage } from '../i18n/messages.js';
import { callBackend } from './backend.js';
import { StatusCardView, type AccountStatus } from './status-card-view.js';
import { useLoadable } from './use-loadable.js';

interface CardContext { portal: { id: number }; user: { id: number; email: string; locale?: string } }

export function StatusCard({ context }: { context: CardContext }) {
  const caller = { portalId: context.portal.id, userId: context.user.id, userEmail: context.user.email };
  const [status, reload] = useLoadable(() => callBackend<AccountStatus>(caller, '/status'));
  return <StatusCardView status={status} language={pickLanguage(context.user.locale)} onRetry={reload} />;
}
