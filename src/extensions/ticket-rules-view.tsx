import { Button, Divider, Flex, StatusTag, Text } from '@hubspot/ui-extensions';
import type { Evaluation } from '../rules/evaluate-rules.js';
import type { ActionOutcome, RuleRun } from '../tickets/run-ticket-rules.js';
import type { EmailReasonCode } from '../email/send-email.js';
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
const deliveredVariant = { sent: 'success', suppressed: 'warning', failed: 'danger' } as const;
const knownActions = ['sendEmail', 'setProperty', 'grantPortalAccess', 'sendPortalCredentials', 'notifySupportContacts', 'addNote'] as const;
const actionLabel = (language: Language, type: string) => ((knownActions as readonly string[]).includes(type) ? t(language, `rb.action.${type as (typeof knownActions)[number]}`) : type);

/** One action's line: what it is and what became of it (a queued email by whether it went out), in the agent's language. */
export function actionText(language: Language, rule: string, a: ActionOutcome): string {
  const action = actionLabel(language, a.type);
  if (a.delivered) {
    const status = t(language, a.delivered.state === 'sent' ? 'ticketRules.status.sent' : a.delivered.state === 'suppressed' ? 'ticketRules.status.suppressed' : 'ticketRules.status.emailFailed');
    if (a.delivered.state === 'sent') return t(language, 'ticketRules.actionLine', { rule, action, status });
    const why = a.delivered.reasonCode ? t(language, `emailReason.${a.delivered.reasonCode as EmailReasonCode}`, { limit: '' }) : (a.delivered.reason ?? '');
    return t(language, 'ticketRules.actionLineWhy', { rule, action, status, why });
  }
  const status = t(language, `ticketRules.status.${a.status}`);
  if (a.code) return t(language, 'ticketRules.actionLineWhy', { rule, action, status, why: t(language, `ticketRules.skip.${a.code}`, { action: actionLabel(language, a.waitsFor ?? ''), limit: a.limit ?? '' }) });
  // A failure is HubSpot's or the server's own words (technical, as logged).
  return a.status === 'failed' ? t(language, 'ticketRules.actionLineWhy', { rule, action, status, why: a.detail }) : t(language, 'ticketRules.actionLine', { rule, action, status });
}

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
          <Text format={{ fontWeight: 'demibold' }}>{t(language, 'ticketRules.run', { trigger: t(language, `rb.trigger.${run.trigger}`), at: `${run.at.slice(0, 16).replace('T', ' ')} UTC` })}</Text>
          {run.decisions.map((d) => <Text key={d.ruleId}>{decisionText(language, d)}</Text>)}
          {run.actions.map((a) => (
            <Flex key={`${a.ruleId}-${a.index}`} gap="xs" align="center">
              <StatusTag variant={a.delivered ? deliveredVariant[a.delivered.state] : statusVariant[a.status]}>{actionText(language, names.get(a.ruleId) ?? a.ruleId, a)}</StatusTag>
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

export function decisionText(language: Language, d: { name: string; matched: boolean; fired: boolean; note?: string; noteCode?: string; skippedBy?: string }): string {
  if (d.fired) return t(language, d.noteCode === 'ignore-flow' ? 'rules.firesIgnoreFlow' : 'rules.fires', { rule: d.name });
  const note = d.noteCode === 'skipped-by' ? t(language, 'rules.note.skippedBy', { rule: d.skippedBy ?? '' }) : d.noteCode === 'already-fired' ? t(language, 'rules.note.alreadyFired') : (d.note ?? '');
  if (d.matched) return t(language, 'rules.matchesSkipped', { rule: d.name, note });
  return t(language, 'rules.noMatch', { rule: d.name });
}
