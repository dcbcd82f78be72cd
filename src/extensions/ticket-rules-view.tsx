import { Button, Divider, Flex, StatusTag, Text } from '@hubspot/ui-extensions';
import type { Evaluation } from '../rules/evaluate-rules.js';
import type { RuleRun } from '../tickets/run-ticket-rules.js';
import { t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

export interface TicketRulesViewProps {
  runs: Loadable<{ runs: RuleRun[] }>;
  test: Evaluation | null;
  language: Language;
  onTest: () => void;
  onRetryAction: (ruleId: string, index: number) => void;
  onRetry: () => void;
}

const statusVariant = { done: 'success', queued: 'success', skipped: 'default', failed: 'danger' } as const;

/** The ticket card: which rules ran on this ticket and what they did, a dry run, and retry of a failed action. */
export function TicketRulesView({ runs, test, language, onTest, onRetryAction, onRetry }: TicketRulesViewProps) {
  if (runs.kind !== 'ready') return <LoadStates state={runs} language={language} title="ticketRules.title" onRetry={onRetry} />;
  const list = runs.data.runs;
  const names = new Map(list.flatMap((r) => r.decisions.map((d) => [d.ruleId, d.name] as const)));
  return (
    <Flex direction="column" gap="sm">
      <Text format={{ fontWeight: 'bold' }}>{t(language, 'ticketRules.title')}</Text>
      {!list.length && <Text>{t(language, 'ticketRules.none')}</Text>}
      {list.slice(0, 5).map((run) => (
        <Flex key={`${run.at}-${run.cause}`} direction="column" gap="xs">
          <Text format={{ fontWeight: 'demibold' }}>{t(language, 'ticketRules.run', { trigger: run.trigger, at: run.at })}</Text>
          {run.decisions.map((d) => <Text key={d.ruleId}>{decisionText(language, d)}</Text>)}
          {run.actions.map((a) => (
            <Flex key={`${a.ruleId}-${a.index}`} gap="xs" align="center">
              <StatusTag variant={statusVariant[a.status]}>{t(language, 'ticketRules.action', { rule: names.get(a.ruleId) ?? a.ruleId, type: a.type, status: a.status, detail: a.detail })}</StatusTag>
              {a.status === 'failed' && <Button size="xs" onClick={() => onRetryAction(a.ruleId, a.index)}>{t(language, 'ticketRules.retry')}</Button>}
            </Flex>
          ))}
        </Flex>
      ))}
      <Divider />
      <Button onClick={onTest}>{t(language, 'ticketRules.test')}</Button>
      {test && test.decisions.map((d) => <Text key={`test-${d.ruleId}`}>{decisionText(language, d)}</Text>)}
    </Flex>
  );
}

export function decisionText(language: Language, d: { name: string; matched: boolean; fired: boolean; note?: string }): string {
  if (d.fired) return t(language, 'rules.fires', { rule: d.name });
  if (d.matched) return t(language, 'rules.matchesSkipped', { rule: d.name, note: d.note ?? '' });
  return t(language, 'rules.noMatch', { rule: d.name });
}
