import { useState } from 'react';
import type { Evaluation } from '../rules/evaluate-rules.js';
import type { RuleRun } from '../tickets/run-ticket-rules.js';
import { pickLanguage } from '../i18n/messages.js';
import { callBackend } from './backend.js';
import { TicketRulesView } from './ticket-rules-view.js';
import { useLoadable } from './use-loadable.js';

interface CardContext { portal: { id: number }; user: { id: number; email: string; locale?: string }; crm: { objectId: number } }

export function TicketCard({ context }: { context: CardContext }) {
  const ticketId = String(context.crm.objectId);
  const [runs, reload] = useLoadable(() => callBackend<{ runs: RuleRun[] }>(`/tickets/${ticketId}/rule-runs`));
  const [test, setTest] = useState<Evaluation | null>(null);
  return (
    <TicketRulesView
      runs={runs} test={test} language={pickLanguage(context.user.locale)} onRetry={reload}
      onTest={() => { void callBackend<Evaluation>('/rules/test', { method: 'POST', body: { ticketId } }).then(setTest, () => undefined); }}
      onRetryAction={(ruleId, actionIndex) => { void callBackend(`/tickets/${ticketId}/rule-runs/retry`, { method: 'POST', body: { ruleId, actionIndex } }).then(reload, reload); }}
    />
  );
}
