import { RE2JS } from 're2js';
import { MAX_REGEX_INPUT } from './rule-schema.js';
import type { Condition, ConditionGroup, Rule, RuleAction, RuleField, RuleSet, RuleTrigger } from './rule-schema.js';

/** What the engine sees of a ticket. */
export type TicketSnapshot = Partial<Record<RuleField, string | null>>;

export interface ConditionResult { field: RuleField; operator: Condition['operator']; expected: string | string[] | null; actual: string; held: boolean }
export interface RuleDecision {
  ruleId: string;
  name: string;
  matched: boolean;
  fired: boolean;
  /** Why a rule did not fire although it matched, or was not looked at (English; the cards use noteCode). */
  note?: string;
  noteCode?: 'ignore-flow' | 'skipped-by' | 'already-fired';
  /** The rule that matched first (noteCode skipped-by). */
  skippedBy?: string;
  conditions: ConditionResult[];
  actions: RuleAction[];
}
export interface Evaluation { trigger: RuleTrigger; decisions: RuleDecision[]; fired: RuleDecision[] }

/** Trimmed, white space collapsed, Unicode NFKC, and case-folded unless the condition says otherwise. */
export function normalize(value: string | null | undefined, caseSensitive = false): string {
  const s = (value ?? '').normalize('NFKC').replace(/\s+/g, ' ').trim();
  return caseSensitive ? s : s.toLocaleLowerCase('und');
}

const regexCache = new Map<string, RE2JS>();
function regex(pattern: string, caseSensitive: boolean): RE2JS {
  // Stryker disable next-line StringLiteral: any two different prefixes keep the two compilations apart (a test pins that they are).
  const key = `${caseSensitive ? 's' : 'i'}:${pattern}`;
  let r = regexCache.get(key);
  // Stryker disable next-line ConditionalExpression: a cache; without it the pattern is compiled again.
  if (!r) {
    r = RE2JS.compile(pattern, caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
    // Stryker disable next-line all: a bound on memory, not on behaviour (a cleared cache compiles again).
    if (regexCache.size > 5000) regexCache.clear();
    // Stryker disable next-line CallExpression: the same cache.
    regexCache.set(key, r);
  }
  return r;
}

/** A ticket's fields normalised once per evaluation, not once per condition. */
class NormalizedTicket {
  private readonly cache = new Map<string, string>();
  constructor(readonly ticket: TicketSnapshot) {}
  get(field: RuleField, caseSensitive: boolean): string {
    // Stryker disable next-line StringLiteral: any two different prefixes keep the two readings apart (a test pins that they are).
    const key = `${caseSensitive ? 's' : 'i'}${field}`;
    let v = this.cache.get(key);
    // Stryker disable next-line ConditionalExpression,BlockStatement,CallExpression: a cache; without it the same value is computed again.
    if (v === undefined) { v = normalize(this.ticket[field], caseSensitive); this.cache.set(key, v); }
    return v;
  }
}

// A rule set is evaluated for many tickets: its values are normalised once.
const preparedValues = new WeakMap<Condition, { value: string; values: string[] }>();
function prepared(c: Condition) {
  let p = preparedValues.get(c);
  // Stryker disable next-line ConditionalExpression: a cache; without it the same values are normalised again.
  if (!p) {
    // Stryker disable next-line ArrayDeclaration: unreachable for a saved rule (the schema requires a non-empty list for anyOf/noneOf, the only readers of values).
    p = { value: normalize(c.value, c.caseSensitive), values: (c.values ?? []).map((v) => normalize(v, c.caseSensitive)) };
    // Stryker disable next-line CallExpression: a cache (see above).
    preparedValues.set(c, p);
  }
  return p;
}

export function checkCondition(c: Condition, ticket: TicketSnapshot | NormalizedTicket): ConditionResult {
  const t = ticket instanceof NormalizedTicket ? ticket : new NormalizedTicket(ticket);
  const actual = t.get(c.field, c.caseSensitive);
  const { value, values } = prepared(c);
  let held: boolean;
  switch (c.operator) {
    case 'equals': held = actual === value; break;
    case 'notEquals': held = actual !== value; break;
    case 'contains': held = actual.includes(value); break;
    case 'notContains': held = !actual.includes(value); break;
    case 'startsWith': held = actual.startsWith(value); break;
    case 'endsWith': held = actual.endsWith(value); break;
    case 'anyOf': held = values.includes(actual); break;
    case 'noneOf': held = !values.includes(actual); break;
    // The pattern runs on the normalised text (RE2: linear time, whatever the input).
    case 'matchesRegex': held = safeRegex(c.value ?? '', c.caseSensitive, t.get(c.field, true)); break;
    case 'isEmpty': held = actual === ''; break;
    case 'isNotEmpty': held = actual !== ''; break;
    default: held = false;
  }
  return { field: c.field, operator: c.operator, expected: c.values ?? c.value ?? null, actual: t.get(c.field, true), held };
}

function safeRegex(pattern: string, caseSensitive: boolean, text: string): boolean {
  // The first MAX_REGEX_INPUT characters: with the program-size caps, this bounds the work.
  try { return regex(pattern, caseSensitive).matcher(text.slice(0, MAX_REGEX_INPUT)).find(); } catch { return false; }
}

const isGroup = (x: Condition | ConditionGroup): x is ConditionGroup => 'match' in x;

function checkRule(rule: Rule, ticket: NormalizedTicket): { matched: boolean; conditions: ConditionResult[] } {
  const results: ConditionResult[] = [];
  const verdicts = rule.conditions.conditions.map((item) => {
    if (!isGroup(item)) { const r = checkCondition(item, ticket); results.push(r); return r.held; }
    const inner = item.conditions.map((c) => checkCondition(c, ticket));
    results.push(...inner);
    return item.match === 'all' ? inner.every((r) => r.held) : inner.some((r) => r.held);
  });
  const matched = rule.conditions.match === 'all' ? verdicts.every(Boolean) : verdicts.some(Boolean);
  return { matched, conditions: results };
}

/**
 * Pure: a ticket and a rule set in, decisions with an explanation per condition out. Active rules of
 * the trigger run in `position` order; the first that matches is dominant and later ones are
 * skipped, except rules with ignoreFlow, which run whatever the order (the articles' meaning).
 */
const ordered = new WeakMap<RuleSet, Map<RuleTrigger, Rule[]>>();
function rulesFor(set: RuleSet, trigger: RuleTrigger): Rule[] {
  let byTrigger = ordered.get(set);
  // Stryker disable next-line ConditionalExpression,CallExpression: a cache of the sorted rules; without it they are sorted again.
  if (!byTrigger) { byTrigger = new Map(); ordered.set(set, byTrigger); }
  let rules = byTrigger.get(trigger);
  // Stryker disable next-line ConditionalExpression: the same cache.
  if (!rules) {
    rules = set.rules.filter((r) => r.active && r.trigger === trigger).sort((a, b) => a.position - b.position || a.id.localeCompare(b.id));
    // Stryker disable next-line CallExpression: the same cache.
    byTrigger.set(trigger, rules);
  }
  return rules;
}

export function evaluateRules(set: RuleSet, ticket: TicketSnapshot, trigger: RuleTrigger): Evaluation {
  const rules = rulesFor(set, trigger);
  let dominant: Rule | undefined;
  const normalized = new NormalizedTicket(ticket);
  const decisions = rules.map((rule): RuleDecision => {
    const { matched, conditions } = checkRule(rule, normalized);
    const base = { ruleId: rule.id, name: rule.name, matched, conditions, actions: rule.actions };
    if (!matched) return { ...base, fired: false };
    if (rule.ignoreFlow) return { ...base, fired: true, note: 'ignore flow: runs regardless of order', noteCode: 'ignore-flow' };
    if (dominant) return { ...base, fired: false, note: `skipped: rule "${dominant.name}" matched first`, noteCode: 'skipped-by', skippedBy: dominant.name };
    dominant = rule;
    return { ...base, fired: true };
  });
  return { trigger, decisions, fired: decisions.filter((d) => d.fired) };
}
