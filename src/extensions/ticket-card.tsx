import { useState } from 'react';
import type { Evaluation } from '../rules/evaluate-rules.js';
import type { RuleRun } from '../tickets/run-ticket-rules.js';
import { pickLanguage } from '../i18n/messages.js';
import { callBackend } from './backend.js';
import { TicketRulesView } from './ticket-rules-view.js';
import { useLoadable } from './use-loadable.js';
import { Flex } from '@hubspot/ui-extensions';
import { QuickReplyView, type ReplyPreview, type SentReply } from './quick-reply-view.js';

interface CardContext { portal: { id: number }; user: { id: number; email: string; locale?: string }; crm: { objectId: number } }

export function TicketCard({ context }: { context: CardContext }) {
  const ticketId = String(context.crm.objectId);
  const [runs, reload] = useLoadable(() => callBackend<{ runs: RuleRun[] }>(`/tickets/${ticketId}/rule-runs`));
  const [test, setTest] = useState<Evaluation | null>(null);
  const [replies, reloadReplies] = useLoadable(() => callBackend<{ replies: SentReply[] }>(`/tickets/${ticketId}/portal-reply`));
  const language = pickLanguage(context.user.locale);
  const attempt = async <T,>(run: () => Promise<T>): Promise<T | { error: string }> => {
    try { return await run(); } catch (err) { return { error: (err as Error).message }; }
  };
  return (
    <Flex direction="column" gap="sm">
    <TicketRulesView
      runs={runs} test={test} language={language} onRetry={reload}
      onTest={() => { void callBackend<Evaluation>('/rules/test', { method: 'POST', body: { ticketId } }).then(setTest, () => undefined); }}
      onRetryAction={(ruleId, actionIndex) => { void callBackend(`/tickets/${ticketId}/rule-runs/retry`, { method: 'POST', body: { ruleId, actionIndex } }).then(reload, reload); }}
    />
    <QuickReplyView
      replies={replies} language={language} onRetry={reloadReplies}
      onPreview={() => attempt(() => callBackend<ReplyPreview>(`/tickets/${ticketId}/portal-reply/preview`, { method: 'POST', body: {} }))}
      onSend={(requestId) => attempt(() => callBackend<SentReply>(`/tickets/${ticketId}/portal-reply`, { method: 'POST', body: { requestId } }))}
    />
    </Flex>
  );
}
