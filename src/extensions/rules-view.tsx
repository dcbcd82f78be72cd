import { Accordion, Alert, Button, ButtonRow, Divider, Flex, Heading, Input, LoadingSpinner, Select, Text, TextArea, Toggle } from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { ConditionResult, Evaluation } from '../rules/evaluate-rules.js';
import type { Condition, ConditionGroup, Rule, RuleAction, RuleField, RuleSet, RuleTrigger } from '../rules/rule-schema.js';
import type { DryRunResult } from '../tickets/rule-dry-run.js';
import { t, type Language, type MessageKey } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';
import { templateLabel } from './email-log-view.js';
import { useLoadable } from './use-loadable.js';

export type RulesOutcome = { ok: true; version: number } | { ok: false; message: string; problems: string[]; conflict?: boolean };
export interface RulesPayload { version: number; ruleSet: RuleSet; lastFired?: Record<string, string> }
export interface SampleTicket { title: string; pipeline: string; stage: string; priority: string; requesterEmail: string }
export interface TicketProperty { name: string; label: string }
export interface TemplateSummary { name: string; subject: string; text: string }
type Failure = { ok: false; message: string; problems?: string[] };

export interface RulesViewProps {
  payload: Loadable<RulesPayload>;
  language: Language;
  readOnly?: boolean;
  onSave: (ruleSet: unknown, expectedVersion: number) => Promise<RulesOutcome>;
  onTest: (sample: SampleTicket, ruleSet: unknown) => Promise<{ ok: true; evaluation: Evaluation } | Failure>;
  onDryRun: (ruleSet: unknown) => Promise<{ ok: true; result: DryRunResult } | Failure>;
  onLoadProperties: () => Promise<{ ok: true; properties: TicketProperty[] } | Failure>;
  /** The account's templates in the admin's language (the sendEmail action's picker and preview). */
  templates: TemplateSummary[];
  onRetry: () => void;
}

// The engine's vocabulary, in the order the builder offers it (the lists mirror src/rules/rule-schema.ts).
const fields: RuleField[] = ['title', 'description', 'pipeline', 'stage', 'priority', 'source', 'requesterEmail', 'requesterDomain', 'company'];
const operators: Condition['operator'][] = ['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'endsWith', 'anyOf', 'noneOf', 'matchesRegex', 'isEmpty', 'isNotEmpty'];
const triggers: RuleTrigger[] = ['ticket.created', 'ticket.titleChanged'];
/** The actions the engine runs. */
const actionTypes = ['grantPortalAccess', 'sendPortalCredentials', 'sendEmail', 'setProperty', 'notifySupportContacts', 'addNote'] as const;
type ActionType = (typeof actionTypes)[number];
const templateNames = ['portal-credentials', 'support-issue-report', 'request-received'] as const;

const listed = (o: Condition['operator']) => o === 'anyOf' || o === 'noneOf';
const valueless = (o: Condition['operator']) => o === 'isEmpty' || o === 'isNotEmpty';
const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

const newCondition = (): Condition => ({ field: 'title', operator: 'equals', value: '', caseSensitive: false });
const newAction = (type: ActionType): RuleAction => (type === 'sendEmail' ? { type, template: 'portal-credentials' } : type === 'setProperty' ? { type, property: '', value: '' } : type === 'addNote' ? { type, body: '' } : { type });

/** A rule id the engine accepts and the set does not use yet. */
function freshId(set: RuleSet, name: string): string {
  const base = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'rule';
  let id = base;
  for (let n = 2; set.rules.some((r) => r.id === id); n++) id = `${base}-${n}`;
  return id;
}

const renumber = (rules: Rule[]): Rule[] => rules.map((r, i) => ({ ...r, position: i }));

/** The settings page's rules: a list to switch, order, duplicate and delete, a builder for one rule, tests, JSON as an advanced option. */
export function RulesView(props: RulesViewProps) {
  const { payload, language, onRetry } = props;
  if (payload.kind !== 'ready') return <LoadStates state={payload} language={language} title="rules.title" onRetry={onRetry} />;
  return <RulesEditor {...props} initial={payload.data} />;
}

function RulesEditor(props: RulesViewProps & { initial: RulesPayload }) {
  const { initial, language, onSave, readOnly = false } = props;
  const [version, setVersion] = useState(initial.version);
  const [set, setSet] = useState<RuleSet>(initial.ruleSet);
  const [editing, setEditing] = useState<{ index: number; rule: Rule } | null>(null);
  const [notice, setNotice] = useState<{ ok: true; version: number } | { ok: false; problems: string[]; conflict?: boolean } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const ordered = [...set.rules].sort((a, b) => a.position - b.position);

  /** Every change is saved at once (against the version it was made on); what the server refuses stays on screen with its reasons. */
  const save = async (next: RuleSet): Promise<RulesOutcome> => {
    const outcome = await onSave(next, version);
    if (outcome.ok) { setVersion(outcome.version); setSet(next); setNotice({ ok: true, version: outcome.version }); } else {
      setNotice({ ok: false, problems: outcome.problems.length ? outcome.problems : [outcome.message], conflict: outcome.conflict });
    }
    return outcome;
  };
  const replace = (id: string, change: (r: Rule) => Rule) => save({ ...set, rules: set.rules.map((r) => (r.id === id ? change(r) : r)) });
  const move = (id: string, by: -1 | 1) => {
    const list = [...ordered];
    const at = list.findIndex((r) => r.id === id);
    const to = at + by;
    if (to < 0 || to >= list.length) return;
    [list[at], list[to]] = [list[to]!, list[at]!];
    void save({ ...set, rules: renumber(list) });
  };
  const startNew = () => {
    const name = t(language, 'rb.newName');
    const rule: Rule = {
      id: freshId(set, name), name, description: '', active: false, position: set.rules.length, ignoreFlow: false, trigger: 'ticket.created',
      conditions: { match: 'all', conditions: [newCondition()] }, actions: [newAction('sendEmail')],
    };
    setNotice(null);
    setEditing({ index: set.rules.length, rule });
  };
  const duplicate = (rule: Rule) => {
    const name = t(language, 'rb.copyOf', { name: rule.name });
    void save({ ...set, rules: [...set.rules, { ...structuredClone(rule), id: freshId(set, name), name, active: false, position: set.rules.length }] });
  };
  const remove = (id: string) => { setConfirmDelete(null); void save({ ...set, rules: renumber([...ordered].filter((r) => r.id !== id)) }); };

  if (editing) {
    return (
      <RuleBuilder
        {...props} rule={editing.rule} index={editing.index} set={set} notice={notice}
        onChange={(rule) => setEditing({ ...editing, rule })}
        onSaveRule={async (rule) => {
          const rules = editing.index < set.rules.length ? set.rules.map((r, i) => (i === editing.index ? rule : r)) : [...set.rules, rule];
          const outcome = await save({ ...set, rules });
          if (outcome.ok) setEditing(null);
        }}
        onBack={() => { setEditing(null); setNotice(null); }}
      />
    );
  }

  return (
    <Flex direction="column" gap="sm">
      <Heading>{t(language, 'rules.title')}</Heading>
      {ordered.length === 0 && <Text>{t(language, 'rb.none')}</Text>}
      {ordered.map((r, i) => (
        <Flex key={r.id} direction="column" gap="xs">
          <Text format={{ fontWeight: 'bold' }}>{r.name}</Text>
          <Text variant="microcopy">
            {[t(language, `rb.trigger.${r.trigger}`), t(language, 'rb.position', { position: i + 1 }),
              initial.lastFired?.[r.id] ? t(language, 'rb.lastFired', { at: when(initial.lastFired[r.id]!) }) : t(language, 'rb.neverFired')].join(' · ')}
          </Text>
          <Flex gap="md" align="center">
            <Toggle name={`rules.${r.id}.active`} label={t(language, 'rb.activeOf', { name: r.name })} checked={r.active} readOnly={readOnly} onChange={(v: boolean) => void replace(r.id, (x) => ({ ...x, active: v }))} />
            <Toggle name={`rules.${r.id}.ignoreFlow`} label={t(language, 'rb.ignoreFlowOf', { name: r.name })} checked={r.ignoreFlow} readOnly={readOnly} onChange={(v: boolean) => void replace(r.id, (x) => ({ ...x, ignoreFlow: v }))} />
          </Flex>
          {!readOnly && (
            <ButtonRow>
              <Button size="xs" onClick={() => { setNotice(null); setEditing({ index: set.rules.indexOf(r), rule: structuredClone(r) }); }}>{t(language, 'rb.edit', { name: r.name })}</Button>
              <Button size="xs" onClick={() => duplicate(r)}>{t(language, 'rb.duplicate', { name: r.name })}</Button>
              <Button size="xs" disabled={i === 0} onClick={() => move(r.id, -1)}>{t(language, 'rules.up')}</Button>
              <Button size="xs" disabled={i === ordered.length - 1} onClick={() => move(r.id, 1)}>{t(language, 'rules.down')}</Button>
              <Button size="xs" variant="destructive" onClick={() => setConfirmDelete(r.id)}>{t(language, 'rb.delete', { name: r.name })}</Button>
            </ButtonRow>
          )}
          {confirmDelete === r.id && (
            <Alert title={t(language, 'rules.title')} variant="warning">
              {t(language, 'rb.deleteConfirm', { name: r.name })}
              <ButtonRow>
                <Button size="xs" variant="destructive" onClick={() => remove(r.id)}>{t(language, 'rb.confirmDelete')}</Button>
                <Button size="xs" onClick={() => setConfirmDelete(null)}>{t(language, 'rb.cancel')}</Button>
              </ButtonRow>
            </Alert>
          )}
          <Divider />
        </Flex>
      ))}
      {!readOnly && <Button variant="primary" onClick={startNew}>{t(language, 'rb.new')}</Button>}
      <Notice language={language} notice={notice} />
      <DryRun {...props} set={set} />
      {!readOnly && <JsonImport language={language} set={set} onImport={save} />}
    </Flex>
  );
}

function Notice({ language, notice }: { language: Language; notice: { ok: true; version: number } | { ok: false; problems: string[]; conflict?: boolean } | null }) {
  if (!notice) return null;
  if (notice.ok) return <Alert title={t(language, 'rules.title')} variant="success">{t(language, 'rb.saved', { version: notice.version })}</Alert>;
  return (
    <Alert title={t(language, 'rules.title')} variant="error">
      {notice.conflict ? t(language, 'rb.conflict') : `${t(language, 'rb.problems')} ${notice.problems.join('; ')}`}
    </Alert>
  );
}

interface BuilderProps extends RulesViewProps {
  rule: Rule; index: number; set: RuleSet;
  notice: { ok: true; version: number } | { ok: false; problems: string[]; conflict?: boolean } | null;
  onChange: (rule: Rule) => void;
  onSaveRule: (rule: Rule) => Promise<void>;
  onBack: () => void;
}

/** One rule as a form: name, trigger, switches, conditions (one level of groups), actions with their own fields; errors at their field. */
function RuleBuilder(p: BuilderProps) {
  const { rule, index, language, onChange } = p;
  const [saving, setSaving] = useState(false);
  const problems = p.notice && !p.notice.ok ? p.notice.problems : [];
  const prefix = `rules.${index}.`;
  // "rules.0.conditions.conditions.1.value: regular expression is too costly …" → shown at that field.
  const placed = new Map<string, string>();
  const unplaced: string[] = [];
  for (const problem of problems) {
    const m = /^([\w.]+): (.*)$/s.exec(problem);
    if (m && m[1]!.startsWith(prefix)) placed.set(m[1]!.slice(prefix.length), m[2]!); else unplaced.push(problem);
  }
  const at = (path: string) => (placed.has(path) ? { error: true, validationMessage: placed.get(path)! } : {});
  const set = (patch: Partial<Rule>) => onChange({ ...rule, ...patch });
  const items = rule.conditions.conditions;
  const setItems = (next: (Condition | ConditionGroup)[]) => set({ conditions: { ...rule.conditions, conditions: next } });

  return (
    <Flex direction="column" gap="sm">
      <Heading>{rule.name || t(language, 'rb.newName')}</Heading>
      <Input name="rule.name" label={t(language, 'rb.name')} value={rule.name} required onChange={(v: string) => set({ name: v })} {...at('name')} />
      <TextArea name="rule.description" label={t(language, 'rb.description')} value={rule.description} onChange={(v: string) => set({ description: v })} {...at('description')} />
      <Select
        name="rule.trigger" label={t(language, 'rb.trigger')} value={rule.trigger} {...at('trigger')}
        options={triggers.map((x) => ({ value: x, label: t(language, `rb.trigger.${x}`) }))} onChange={(v) => set({ trigger: v as RuleTrigger })}
      />
      <Toggle name="rule.active" label={t(language, 'rb.active')} checked={rule.active} onChange={(v: boolean) => set({ active: v })} />
      <Toggle name="rule.ignoreFlow" label={t(language, 'rb.ignoreFlow')} checked={rule.ignoreFlow} onChange={(v: boolean) => set({ ignoreFlow: v })} />
      <Divider />
      <Select
        name="rule.conditions.match" label={t(language, 'rb.match')} value={rule.conditions.match} {...at('conditions.match')}
        options={(['all', 'any'] as const).map((x) => ({ value: x, label: t(language, `rb.match.${x}`) }))}
        onChange={(v) => set({ conditions: { ...rule.conditions, match: v as 'all' | 'any' } })}
      />
      {placed.has('conditions.conditions') && <Text>{placed.get('conditions.conditions')}</Text>}
      {items.map((item, i) => ('match' in item
        ? (
          <Flex key={`g${i}`} direction="column" gap="xs">
            <Text format={{ fontWeight: 'bold' }}>{t(language, 'rb.group')}</Text>
            <Select
              name={`rule.conditions.conditions.${i}.match`} label={t(language, 'rb.groupMatch')} value={item.match}
              options={(['all', 'any'] as const).map((x) => ({ value: x, label: t(language, `rb.match.${x}`) }))}
              onChange={(v) => setItems(items.map((x, j) => (j === i ? { ...item, match: v as 'all' | 'any' } : x)))}
            />
            {item.conditions.map((c, k) => (
              <ConditionRow
                key={`g${i}c${k}`} language={language} condition={c} path={`conditions.conditions.${i}.conditions.${k}`} at={at}
                onChange={(next) => setItems(items.map((x, j) => (j === i ? { ...item, conditions: item.conditions.map((y, l) => (l === k ? next : y)) } : x)))}
                onRemove={item.conditions.length > 1 ? () => setItems(items.map((x, j) => (j === i ? { ...item, conditions: item.conditions.filter((_, l) => l !== k) } : x))) : undefined}
              />
            ))}
            <ButtonRow>
              <Button size="xs" onClick={() => setItems(items.map((x, j) => (j === i ? { ...item, conditions: [...item.conditions, newCondition()] } : x)))}>{t(language, 'rb.addCondition')}</Button>
              <Button size="xs" variant="destructive" onClick={() => setItems(items.filter((_, j) => j !== i))}>{t(language, 'rb.removeGroup')}</Button>
            </ButtonRow>
          </Flex>
        )
        : (
          <ConditionRow
            key={`c${i}`} language={language} condition={item} path={`conditions.conditions.${i}`} at={at}
            onChange={(next) => setItems(items.map((x, j) => (j === i ? next : x)))}
            onRemove={items.length > 1 ? () => setItems(items.filter((_, j) => j !== i)) : undefined}
          />
        )))}
      <ButtonRow>
        <Button size="xs" onClick={() => setItems([...items, newCondition()])}>{t(language, 'rb.addCondition')}</Button>
        <Button size="xs" onClick={() => setItems([...items, { match: 'any', conditions: [newCondition()] }])}>{t(language, 'rb.addGroup')}</Button>
      </ButtonRow>
      <Divider />
      <Text format={{ fontWeight: 'bold' }}>{t(language, 'rb.actions')}</Text>
      {placed.has('actions') && <Text>{placed.get('actions')}</Text>}
      {rule.actions.map((a, i) => (
        <ActionRow
          key={`a${i}`} {...p} action={a} path={`actions.${i}`} at={at}
          onChange={(next) => set({ actions: rule.actions.map((x, j) => (j === i ? next : x)) })}
          onRemove={rule.actions.length > 1 ? () => set({ actions: rule.actions.filter((_, j) => j !== i) }) : undefined}
        />
      ))}
      <Button size="xs" onClick={() => set({ actions: [...rule.actions, newAction('sendEmail')] })}>{t(language, 'rb.addAction')}</Button>
      <Divider />
      {unplaced.length > 0 || p.notice?.ok === false ? <Notice language={language} notice={unplaced.length ? { ok: false, problems: unplaced, conflict: p.notice && !p.notice.ok ? p.notice.conflict : false } : p.notice} /> : null}
      <ButtonRow>
        <Button variant="primary" disabled={saving} onClick={async () => { setSaving(true); await p.onSaveRule(rule); setSaving(false); }}>{t(language, 'rb.saveRule')}</Button>
        <Button onClick={p.onBack}>{t(language, 'rb.back')}</Button>
      </ButtonRow>
      <SampleTest {...p} />
    </Flex>
  );
}

type At = (path: string) => { error?: boolean; validationMessage?: string };

function ConditionRow({ language, condition: c, path, at, onChange, onRemove }: { language: Language; condition: Condition; path: string; at: At; onChange: (c: Condition) => void; onRemove?: () => void }) {
  const setOperator = (operator: Condition['operator']) => {
    // The value's shape follows the operator: a list, one value, or none.
    const first = c.value ?? c.values?.[0] ?? '';
    const values = c.values ?? (c.value ? [c.value] : []);
    const { value: _v, values: _vs, ...rest } = c;
    onChange(listed(operator) ? { ...rest, operator, values } : valueless(operator) ? { ...rest, operator } : { ...rest, operator, value: first });
  };
  return (
    <Flex direction="column" gap="xs">
      <Flex gap="sm">
        <Select name={`rule.${path}.field`} label={t(language, 'rb.field')} value={c.field} {...at(`${path}.field`)} options={fields.map((f) => ({ value: f, label: t(language, `rb.field.${f}`) }))} onChange={(v) => onChange({ ...c, field: v as RuleField })} />
        <Select name={`rule.${path}.operator`} label={t(language, 'rb.operator')} value={c.operator} {...at(`${path}.operator`)} options={operators.map((o) => ({ value: o, label: t(language, `rb.op.${o}`) }))} onChange={(v) => setOperator(v as Condition['operator'])} />
      </Flex>
      {listed(c.operator) && (
        <TextArea name={`rule.${path}.values`} label={t(language, 'rb.values')} value={(c.values ?? []).join('\n')} {...at(`${path}.values`)} onChange={(v: string) => onChange({ ...c, values: v.split('\n').map((x) => x.trim()).filter(Boolean) })} />
      )}
      {!listed(c.operator) && !valueless(c.operator) && (
        <Input name={`rule.${path}.value`} label={t(language, 'rb.value')} value={c.value ?? ''} {...at(`${path}.value`)} onChange={(v: string) => onChange({ ...c, value: v })} />
      )}
      {!valueless(c.operator) && <Toggle name={`rule.${path}.caseSensitive`} label={t(language, 'rb.caseSensitive')} checked={c.caseSensitive} onChange={(v: boolean) => onChange({ ...c, caseSensitive: v })} />}
      {onRemove && <Button size="xs" variant="secondary" onClick={onRemove}>{t(language, 'rb.removeCondition')}</Button>}
    </Flex>
  );
}

function ActionRow({ language, action: a, path, at, templates, onLoadProperties, onChange, onRemove }: RulesViewProps & { action: RuleAction; path: string; at: At; onChange: (a: RuleAction) => void; onRemove?: () => void }) {
  const preview = a.type === 'sendEmail' ? templates.find((x) => x.name === a.template) : undefined;
  return (
    <Flex direction="column" gap="xs">
      <Select
        name={`rule.${path}.type`} label={t(language, 'rb.actionType')} value={a.type} {...at(`${path}.type`)}
        options={[...actionTypes, ...((actionTypes as readonly string[]).includes(a.type) ? [] : [a.type])].map((x) => ({ value: x, label: (actionTypes as readonly string[]).includes(x) ? t(language, `rb.action.${x as ActionType}`) : x }))}
        onChange={(v) => onChange(newAction(v as ActionType))}
      />
      {a.type === 'sendEmail' && (
        <>
          <Select name={`rule.${path}.template`} label={t(language, 'rb.template')} value={a.template} {...at(`${path}.template`)} options={templateNames.map((n) => ({ value: n, label: templateLabel(language, n) }))} onChange={(v) => onChange({ type: 'sendEmail', template: v as typeof a.template })} />
          {preview && <Text variant="microcopy">{t(language, 'rb.preview', { subject: preview.subject, text: preview.text.replace(/\s+/g, ' ').slice(0, 160) })}</Text>}
        </>
      )}
      {a.type === 'addNote' && <TextArea name={`rule.${path}.body`} label={t(language, 'rb.noteBody')} value={a.body} {...at(`${path}.body`)} onChange={(v: string) => onChange({ type: 'addNote', body: v })} />}
      {a.type === 'setProperty' && <PropertyFields language={language} action={a} path={path} at={at} onLoadProperties={onLoadProperties} onChange={onChange} />}
      {onRemove && <Button size="xs" variant="secondary" onClick={onRemove}>{t(language, 'rb.removeAction')}</Button>}
    </Flex>
  );
}

function PropertyFields({ language, action, path, at, onLoadProperties, onChange }: { language: Language; action: Extract<RuleAction, { type: 'setProperty' }>; path: string; at: At; onLoadProperties: RulesViewProps['onLoadProperties']; onChange: (a: RuleAction) => void }) {
  const [properties, reload] = useLoadable(async () => {
    const r = await onLoadProperties();
    if (!r.ok) throw new Error(r.message);
    return r.properties;
  });
  return (
    <>
      {properties.kind === 'loading' && <LoadingSpinner label={t(language, 'rb.propertiesLoading')} />}
      {properties.kind === 'error' && (
        <Alert title={t(language, 'rb.property')} variant="error">
          {t(language, 'rb.propertiesFailed', { reason: properties.reason })}
          <Button size="xs" onClick={reload}>{t(language, 'status.retry')}</Button>
        </Alert>
      )}
      {properties.kind === 'ready' && properties.data.length === 0 && <Text>{t(language, 'rb.propertiesNone')}</Text>}
      {properties.kind === 'ready' && properties.data.length > 0 && (
        <Select
          name={`rule.${path}.property`} label={t(language, 'rb.property')} value={action.property} {...at(`${path}.property`)}
          options={properties.data.map((x) => ({ value: x.name, label: x.label }))} onChange={(v) => onChange({ ...action, property: String(v) })}
        />
      )}
      <Input name={`rule.${path}.value`} label={t(language, 'rb.propertyValue')} value={action.value} {...at(`${path}.value`)} onChange={(v: string) => onChange({ ...action, value: v })} />
    </>
  );
}

function conditionLine(language: Language, c: ConditionResult): string {
  return t(language, 'rb.conditionResult', {
    field: t(language, `rb.field.${c.field}`), operator: t(language, `rb.op.${c.operator}`),
    expected: Array.isArray(c.expected) ? c.expected.join(' / ') : (c.expected ?? ''), outcome: t(language, c.held ? 'rb.held' : 'rb.notHeld'), actual: c.actual,
  });
}

/** "Would this fire?" on a sample ticket, with the rule as it stands in the builder (not yet saved). */
function SampleTest({ rule, index, set, language, onTest }: BuilderProps) {
  const [sample, setSample] = useState<SampleTicket>({ title: '', pipeline: '', stage: '', priority: '', requesterEmail: '' });
  const [result, setResult] = useState<{ ok: true; evaluation: Evaluation } | Failure | null>(null);
  const draft: RuleSet = { ...set, rules: index < set.rules.length ? set.rules.map((r, i) => (i === index ? rule : r)) : [...set.rules, rule] };
  const mine = result?.ok ? result.evaluation.decisions.find((d) => d.ruleId === rule.id) : undefined;
  const input = (key: keyof SampleTicket, label: MessageKey) => <Input name={`sample.${key}`} label={t(language, label)} value={sample[key]} onChange={(v: string) => setSample({ ...sample, [key]: v })} />;
  return (
    <Flex direction="column" gap="xs">
      <Text format={{ fontWeight: 'bold' }}>{t(language, 'rb.sample')}</Text>
      {input('title', 'rb.field.title')}
      {input('pipeline', 'rb.field.pipeline')}
      {input('stage', 'rb.field.stage')}
      {input('priority', 'rb.field.priority')}
      {input('requesterEmail', 'rb.field.requesterEmail')}
      <Button size="xs" onClick={() => void onTest(sample, draft).then(setResult)}>{t(language, 'rb.sampleTest')}</Button>
      {result && !result.ok && <Alert title={t(language, 'rules.title')} variant="error">{[result.message, ...(result.problems ?? [])].join('; ')}</Alert>}
      {mine && <Text format={{ fontWeight: 'bold' }}>{mine.fired ? t(language, 'rb.wouldFire') : mine.matched ? t(language, 'rb.wouldBeSkipped', { note: mine.noteCode === 'skipped-by' ? t(language, 'rules.note.skippedBy', { rule: mine.skippedBy ?? '' }) : (mine.note ?? '') }) : t(language, 'rb.wouldNotFire')}</Text>}
      {mine?.conditions.map((c, i) => <Text key={`r${i}`}>{conditionLine(language, c)}</Text>)}
    </Flex>
  );
}

/** The whole set over the account's newest tickets: how many it fires on, which, and why. */
function DryRun({ language, set, onDryRun }: RulesViewProps & { set: RuleSet }) {
  const [state, setState] = useState<{ kind: 'idle' } | { kind: 'running' } | { kind: 'done'; result: DryRunResult } | { kind: 'failed'; message: string }>({ kind: 'idle' });
  const run = async () => {
    setState({ kind: 'running' });
    const outcome = await onDryRun(set);
    setState(outcome.ok ? { kind: 'done', result: outcome.result } : { kind: 'failed', message: [outcome.message, ...(outcome.problems ?? [])].join('; ') });
  };
  return (
    <Flex direction="column" gap="xs">
      <Button disabled={state.kind === 'running'} onClick={() => void run()}>{t(language, 'rb.dryRun')}</Button>
      {state.kind === 'running' && <LoadingSpinner label={t(language, 'rb.dryRun')} />}
      {state.kind === 'failed' && <Alert title={t(language, 'rb.dryRun')} variant="error">{t(language, 'rb.dryRunFailed', { reason: state.message })}</Alert>}
      {state.kind === 'done' && (
        <>
          <Text format={{ fontWeight: 'bold' }}>{t(language, 'rb.dryRunResult', { fired: state.result.fired, tickets: state.result.tickets })}</Text>
          {state.result.sample.map((s) => (
            <Flex key={s.ticketId} direction="column" gap="xs">
              <Text>{t(language, 'rb.dryRunTicket', { ticketId: s.ticketId, title: s.title, rules: s.rules.map((r) => r.name).join(', ') })}</Text>
              {s.rules.flatMap((r) => r.conditions.filter((c) => c.held)).map((c, i) => <Text key={`${s.ticketId}-${i}`} variant="microcopy">{conditionLine(language, c)}</Text>)}
            </Flex>
          ))}
          {state.result.notRead.length > 0 && <Text variant="microcopy">{t(language, 'rb.dryRunNotRead', { fields: state.result.notRead.map((f) => t(language, `rb.field.${f}`)).join(', ') })}</Text>}
        </>
      )}
    </Flex>
  );
}

/** Advanced: the set as JSON, to copy out or paste in (saved like any other change, with every problem named). */
function JsonImport({ language, set, onImport }: { language: Language; set: RuleSet; onImport: (next: RuleSet) => Promise<RulesOutcome> }) {
  const [json, setJson] = useState<string | null>(null);
  const text = json ?? JSON.stringify(set, null, 2);
  let parsed: RuleSet | undefined;
  let invalid: string | undefined;
  try { parsed = JSON.parse(text) as RuleSet; } catch (err) { invalid = (err as Error).message; }
  return (
    <Accordion title={t(language, 'rb.advanced')}>
      <TextArea name="rulesJson" label={t(language, 'rules.json')} value={text} onChange={(v: string) => setJson(v)} />
      {invalid && <Alert title={t(language, 'rules.title')} variant="error">{t(language, 'rules.invalidJson', { reason: invalid })}</Alert>}
      <Button disabled={Boolean(invalid) || json === null} onClick={() => void onImport(parsed!).then((o) => { if (o.ok) setJson(null); })}>{t(language, 'rb.importJson')}</Button>
    </Accordion>
  );
}
