import { describe, expect, it } from 'vitest';
import { checkCondition, evaluateRules, normalize } from '../../src/rules/evaluate-rules.js';
import type { Condition, Rule, RuleSet } from '../../src/rules/rule-schema.js';

// Behaviour the mutation run (npm run test:mutation) found that no test pinned.
const cond = (c: Partial<Condition>): Condition => ({ field: 'title', operator: 'equals', caseSensitive: false, ...c } as Condition);
const rule = (over: Partial<Rule>): Rule => ({
  id: 'r', name: 'R', description: '', active: true, position: 0, ignoreFlow: false, trigger: 'ticket.created',
  conditions: { match: 'all', conditions: [cond({ operator: 'contains', value: 'portal' })] }, actions: [{ type: 'sendEmail', template: 'request-received' }], ...over,
});
const set = (...rules: Rule[]): RuleSet => ({ version: 1, rules });

describe('normalize', () => {
  it('folds case by default, keeps it when asked, and collapses runs of white space to one space', () => {
    expect(normalize('  Portal \t\n  CREDENTIALS ')).toBe('portal credentials');
    expect(normalize('  Portal   Credentials ', true)).toBe('Portal Credentials');
    expect(normalize(null)).toBe('');
  });

  it('folds to lower case, so letters that only meet in upper case stay apart (dotless ı is not i)', () => {
    expect(normalize('FıX')).toBe('fıx');
    expect(checkCondition(cond({ value: 'fix' }), { title: 'Fıx' }).held).toBe(false);
  });
});

describe('conditions at their edges', () => {
  it('keeps case-sensitive and case-insensitive copies of one pattern apart', () => {
    const ci = cond({ operator: 'matchesRegex', value: '^portal$' });
    const cs = cond({ operator: 'matchesRegex', value: '^portal$', caseSensitive: true });
    expect(checkCondition(ci, { title: 'PORTAL' }).held).toBe(true);
    expect(checkCondition(cs, { title: 'PORTAL' }).held).toBe(false);
    expect(checkCondition(ci, { title: 'PORTAL' }).held).toBe(true);
  });

  it('keeps case-sensitive and case-insensitive readings of one field apart within a ticket', () => {
    const e = evaluateRules(set(rule({
      conditions: { match: 'all', conditions: [cond({ operator: 'equals', value: 'portal' }), cond({ operator: 'equals', value: 'Portal', caseSensitive: true })] },
    })), { title: 'PORTAL' }, 'ticket.created');
    expect(e.decisions[0]!.conditions.map((c) => c.held)).toEqual([true, false]);
  });

  it('treats a regex condition without a pattern as the empty pattern (matches anything)', () => {
    expect(checkCondition(cond({ operator: 'matchesRegex', value: undefined }), { title: 'anything' }).held).toBe(true);
  });

  it('never holds for a pattern RE2 cannot compile, instead of throwing', () => {
    expect(checkCondition(cond({ operator: 'matchesRegex', value: '(' }), { title: '(' }).held).toBe(false);
  });

  it('never holds for an operator it does not know', () => {
    expect(checkCondition(cond({ operator: 'sounds-like' as Condition['operator'], value: 'x' }), { title: 'x' }).held).toBe(false);
  });

  it('reports expected as the list for list operators and null when the condition has no value', () => {
    expect(checkCondition(cond({ operator: 'anyOf', values: ['a', 'b'] }), { title: 'a' }).expected).toEqual(['a', 'b']);
    expect(checkCondition(cond({ operator: 'isEmpty' }), { title: '' }).expected).toBeNull();
  });
});

describe('groups and decisions', () => {
  const inner = (match: 'all' | 'any') => rule({
    conditions: { match: 'all', conditions: [
      cond({ operator: 'contains', value: 'portal' }),
      { match, conditions: [cond({ operator: 'contains', value: 'urgent' }), cond({ operator: 'contains', value: 'today' })] },
    ] },
  });

  it('an "all" group needs every inner condition, an "any" group one of them', () => {
    expect(evaluateRules(set(inner('all')), { title: 'portal urgent' }, 'ticket.created').fired).toHaveLength(0);
    expect(evaluateRules(set(inner('all')), { title: 'portal urgent today' }, 'ticket.created').fired).toHaveLength(1);
    expect(evaluateRules(set(inner('any')), { title: 'portal urgent' }, 'ticket.created').fired).toHaveLength(1);
    expect(evaluateRules(set(inner('any')), { title: 'portal' }, 'ticket.created').fired).toHaveLength(0);
  });

  it('explains every condition, inner ones included, in order and nothing else', () => {
    const d = evaluateRules(set(inner('any')), { title: 'portal today' }, 'ticket.created').decisions[0]!;
    expect(d.conditions.map((c) => [c.expected, c.held])).toEqual([['portal', true], ['urgent', false], ['today', true]]);
  });

  it('a decision names the rule, its actions and, for ignore-flow rules, why it ran', () => {
    const e = evaluateRules(set(rule({ id: 'x', name: 'First' }), rule({ id: 'y', name: 'Always', position: 1, ignoreFlow: true })), { title: 'portal' }, 'ticket.created');
    expect(e.decisions[0]).toEqual({ ruleId: 'x', name: 'First', matched: true, fired: true, conditions: expect.any(Array), actions: [{ type: 'sendEmail', template: 'request-received' }] });
    expect(e.decisions[1]).toMatchObject({ ruleId: 'y', fired: true, note: 'ignore flow: runs regardless of order' });
    expect(e.trigger).toBe('ticket.created');
  });

  it('orders rules of equal position by id, whatever their order in the set', () => {
    const e = evaluateRules(set(rule({ id: 'b', name: 'B', position: 3 }), rule({ id: 'a', name: 'A', position: 3 }), rule({ id: 'c', name: 'C', position: 1 })), { title: 'portal' }, 'ticket.created');
    expect(e.decisions.map((d) => d.ruleId)).toEqual(['c', 'a', 'b']);
    const f = evaluateRules(set(rule({ id: 'a', name: 'A', position: 2 }), rule({ id: 'b', name: 'B', position: 1 })), { title: 'portal' }, 'ticket.created');
    expect(f.decisions.map((d) => d.ruleId)).toEqual(['b', 'a']);
  });

  it('runs only the rules of the trigger asked for, and only active ones', () => {
    const s = set(rule({ id: 'a' }), rule({ id: 'b', trigger: 'ticket.titleChanged' }), rule({ id: 'c', active: false }));
    expect(evaluateRules(s, { title: 'portal' }, 'ticket.created').decisions.map((d) => d.ruleId)).toEqual(['a']);
    expect(evaluateRules(s, { title: 'portal' }, 'ticket.titleChanged').decisions.map((d) => d.ruleId)).toEqual(['b']);
  });
});
