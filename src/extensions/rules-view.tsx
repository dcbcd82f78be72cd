import { Alert, Button, ButtonRow, Flex, Heading, Input, Text, TextArea, Toggle } from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { Evaluation } from '../rules/evaluate-rules.js';
import type { RuleSet } from '../rules/rule-schema.js';
import { t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';
import { decisionText } from './ticket-rules-view.js';

export type RulesOutcome = { ok: true; version: number } | { ok: false; message: string; problems: string[] };

export interface RulesViewProps {
  payload: Loadable<{ version: number; ruleSet: RuleSet }>;
  language: Language;
  onSave: (ruleSet: unknown, expectedVersion: number) => Promise<RulesOutcome>;
  onTest: (title: string, ruleSet: unknown) => Promise<{ ok: true; evaluation: Evaluation } | { ok: false; message: string; problems: string[] }>;
  onRetry: () => void;
}

/** The settings page's rules: activate and reorder, edit as JSON with inline errors, import/export, test a sample title. */
export function RulesView(props: RulesViewProps) {
  const { payload, language, onRetry } = props;
  if (payload.kind !== 'ready') return <LoadStates state={payload} language={language} title="rules.title" onRetry={onRetry} />;
  return <RulesEditor {...props} initial={payload.data} />;
}

function RulesEditor({ initial, language, onSave, onTest }: RulesViewProps & { initial: { version: number; ruleSet: RuleSet } }) {
  const [version, setVersion] = useState(initial.version);
  const [json, setJson] = useState(JSON.stringify(initial.ruleSet, null, 2));
  const [problems, setProblems] = useState<string[]>([]);
  const [saved, setSaved] = useState<number | null>(null);
  const [title, setTitle] = useState('');
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null);

  let parsed: RuleSet | undefined;
  let jsonError: string | undefined;
  try { parsed = JSON.parse(json) as RuleSet; } catch (err) { jsonError = (err as Error).message; }
  const ordered = [...(parsed?.rules ?? [])].sort((a, b) => a.position - b.position);

  const change = (next: RuleSet) => { setJson(JSON.stringify(next, null, 2)); setSaved(null); };
  const toggle = (id: string, active: boolean) => parsed && change({ ...parsed, rules: parsed.rules.map((r) => (r.id === id ? { ...r, active } : r)) });
  const move = (id: string, by: -1 | 1) => {
    if (!parsed) return;
    const list = [...ordered];
    const at = list.findIndex((r) => r.id === id);
    const to = at + by;
    if (to < 0 || to >= list.length) return;
    [list[at], list[to]] = [list[to]!, list[at]!];
    change({ ...parsed, rules: list.map((r, i) => ({ ...r, position: i })) });
  };

  return (
    <Flex direction="column" gap="sm">
      <Heading>{t(language, 'rules.title')}</Heading>
      {ordered.map((r) => (
        <Flex key={r.id} gap="sm" align="center">
          <Toggle name={`active-${r.id}`} label={`${r.name} (${r.trigger})`} checked={r.active} onChange={(checked: boolean) => toggle(r.id, checked)} />
          <Button size="xs" onClick={() => move(r.id, -1)}>{t(language, 'rules.up')}</Button>
          <Button size="xs" onClick={() => move(r.id, 1)}>{t(language, 'rules.down')}</Button>
        </Flex>
      ))}
      <TextArea name="rulesJson" label={t(language, 'rules.json')} value={json} onChange={(v: string) => { setJson(v); setSaved(null); }} />
      {jsonError && <Alert title={t(language, 'rules.title')} variant="error">{t(language, 'rules.invalidJson', { reason: jsonError })}</Alert>}
      {problems.length > 0 && <Alert title={t(language, 'rules.title')} variant="error">{problems.join('\n')}</Alert>}
      {saved !== null && <Alert title={t(language, 'rules.title')} variant="success">{t(language, 'rules.saved', { version: saved })}</Alert>}
      <Button
        variant="primary" disabled={Boolean(jsonError)}
        onClick={async () => {
          const outcome = await onSave(parsed, version);
          if (outcome.ok) { setVersion(outcome.version); setSaved(outcome.version); setProblems([]); } else setProblems(outcome.problems.length ? outcome.problems : [outcome.message]);
        }}
      >{t(language, 'rules.save')}</Button>
      <ButtonRow>
        <Input name="sampleTitle" label={t(language, 'rules.sample')} value={title} onChange={(v: string) => setTitle(v)} />
        <Button
          disabled={!title || Boolean(jsonError)}
          onClick={async () => {
            const result = await onTest(title, parsed);
            if (result.ok) { setEvaluation(result.evaluation); setProblems([]); } else setProblems(result.problems.length ? result.problems : [result.message]);
          }}
        >{t(language, 'rules.test')}</Button>
      </ButtonRow>
      {evaluation && evaluation.decisions.map((d) => <Text key={`e-${d.ruleId}`}>{decisionText(language, d)}</Text>)}
    </Flex>
  );
}
