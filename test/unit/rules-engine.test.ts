import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultRuleSet } from '../../src/rules/default-rules.js';
import { checkCondition, evaluateRules, normalize, type TicketSnapshot } from '../../src/rules/evaluate-rules.js';
import { ruleFields, ruleOperators, ruleSetSchema, unavailableActions, type Condition, type Rule, type RuleSet } from '../../src/rules/rule-schema.js';
import { describeZodError } from '../../src/platform/describe-zod-error.js';

const cond = (c: Partial<Condition>): Condition => ({ field: 'title', operator: 'equals', caseSensitive: false, ...c } as Condition);
const held = (c: Partial<Condition>, title: string) => checkCondition(cond(c), { title }).held;

describe('operators', () => {
  it.each([
    // operator, condition, title, expected
    ['equals', { value: '[Portal Credentials]' }, '  [portal   CREDENTIALS] ', true],
    ['equals', { value: '[Portal Credentials]', caseSensitive: true }, '[portal credentials]', false],
    ['equals', { value: 'ＡＢＣ' }, 'abc', true], // NFKC: full-width letters
    ['equals', { value: 'café' }, 'cafe\u0301', true], // NFKC: combining accent
    ['notEquals', { value: 'a' }, 'b', true],
    ['notEquals', { value: 'A' }, 'a', false],
    ['contains', { value: 'credentials' }, 'Send me [Portal Credentials] please', true],
    ['contains', { value: 'portal  credentials' }, 'portal credentials', true],
    ['notContains', { value: 'urgent' }, 'Normal request', true],
    ['notContains', { value: 'URGENT' }, 'very urgent', false],
    ['startsWith', { value: '[Portal' }, '[portal credentials]', true],
    ['startsWith', { value: 'Credentials' }, '[portal credentials]', false],
    ['endsWith', { value: 'Credentials]' }, '[portal credentials]', true],
    ['anyOf', { values: ['[Portal Credentials]', '[Credenziali del Portale]'] }, '[credenziali  del portale]', true],
    ['anyOf', { values: ['a', 'b'] }, 'c', false],
    ['noneOf', { values: ['a', 'b'] }, 'c', true],
    ['noneOf', { values: ['a', 'B'] }, 'b', false],
    ['matchesRegex', { value: '^\\[portal.*\\]$' }, '[Portal Credentials]', true],
    ['matchesRegex', { value: '^\\[portal', caseSensitive: true }, '[Portal Credentials]', false],
    ['matchesRegex', { value: 'ticket #\\d+' }, 'about ticket #42', true],
    ['isEmpty', {}, '   ', true],
    ['isEmpty', {}, 'x', false],
    ['isNotEmpty', {}, 'x', true],
    ['isNotEmpty', {}, '\t\n', false],
  ] as const)('%s %j on %j → %s', (operator, c, title, expected) => {
    expect(held({ operator, ...c } as Partial<Condition>, title)).toBe(expected);
  });

  it('explains each condition with what it expected and what the ticket had', () => {
    expect(checkCondition(cond({ operator: 'contains', value: 'Login' }), { title: ' Cannot  login ' }))
      .toEqual({ field: 'title', operator: 'contains', expected: 'Login', actual: 'Cannot login', held: true });
  });
});

const rule = (over: Partial<Rule>): Rule => ({
  id: 'r', name: 'R', description: '', active: true, position: 0, ignoreFlow: false, trigger: 'ticket.created',
  conditions: { match: 'all', conditions: [cond({ operator: 'contains', value: 'portal' })] }, actions: [{ type: 'sendEmail', template: 'request-received' }], ...over,
});
const set = (...rules: Rule[]): RuleSet => ({ version: 1, rules });

describe('rule order and ignore flow', () => {
  it('lets the first matching rule dominate and skips later ones, saying which rule won', () => {
    const e = evaluateRules(set(rule({ id: 'b', name: 'B', position: 2 }), rule({ id: 'a', name: 'A', position: 1 })), { title: 'portal' }, 'ticket.created');
    expect(e.fired.map((d) => d.ruleId)).toEqual(['a']);
    expect(e.decisions.find((d) => d.ruleId === 'b')).toMatchObject({ matched: true, fired: false, note: 'skipped: rule "A" matched first' });
  });

  it('runs ignore-flow rules whatever the order, beside the dominant one', () => {
    const e = evaluateRules(set(rule({ id: 'a', position: 1 }), rule({ id: 'b', position: 2, ignoreFlow: true }), rule({ id: 'c', position: 3 })), { title: 'portal' }, 'ticket.created');
    expect(e.fired.map((d) => d.ruleId)).toEqual(['a', 'b']);
  });

  it('ignores inactive rules and rules of another trigger', () => {
    const e = evaluateRules(set(rule({ id: 'a', active: false }), rule({ id: 'b', trigger: 'ticket.titleChanged' })), { title: 'portal' }, 'ticket.created');
    expect(e.decisions).toEqual([]);
  });

  it('combines all/any with one level of groups', () => {
    const r = rule({ conditions: { match: 'all', conditions: [
      cond({ field: 'requesterDomain', operator: 'equals', value: 'acme.example' }),
      { match: 'any', conditions: [cond({ operator: 'contains', value: 'login' }), cond({ operator: 'contains', value: 'password' })] },
    ] } });
    expect(evaluateRules(set(r), { title: 'Password reset', requesterDomain: 'ACME.example' }, 'ticket.created').fired).toHaveLength(1);
    expect(evaluateRules(set(r), { title: 'Invoice', requesterDomain: 'acme.example' }, 'ticket.created').fired).toHaveLength(0);
  });

  it('fires the shipped rule, once activated, for the title in any of the four languages', () => {
    const active = { ...defaultRuleSet, rules: defaultRuleSet.rules.map((r) => ({ ...r, active: true })) };
    for (const title of ['[Portal Credentials]', '[portal-anmeldedaten]', ' [Credenziali  del Portale] ', '[CREDENCIALES DEL PORTAL]']) {
      expect(evaluateRules(active, { title }, 'ticket.created').fired.map((d) => d.ruleId), title).toEqual(['portal-credentials']);
    }
    expect(evaluateRules(defaultRuleSet, { title: '[Portal Credentials]' }, 'ticket.created').fired).toEqual([]);
  });
});

describe('the engine for any input', () => {
  const conditionArb = fc.record({
    field: fc.constantFrom(...ruleFields), operator: fc.constantFrom(...ruleOperators),
    value: fc.string({ maxLength: 20 }), values: fc.array(fc.string({ maxLength: 10 }), { minLength: 1, maxLength: 3 }), caseSensitive: fc.boolean(),
  });
  const ticketArb = fc.dictionary(fc.constantFrom(...ruleFields), fc.option(fc.string({ maxLength: 40 }))) as fc.Arbitrary<TicketSnapshot>;

  it('never throws, and fires exactly what its conditions and the order say (checked against each condition alone)', () => {
    fc.assert(fc.property(fc.array(conditionArb, { minLength: 1, maxLength: 4 }), fc.array(conditionArb, { minLength: 1, maxLength: 3 }), fc.constantFrom('all', 'any'), ticketArb, fc.boolean(), (xs, ys, match, ticket, ignoreFlow) => {
      const fix = (cs: Condition[]) => cs.map((c) => ({ ...c, value: c.operator === 'matchesRegex' ? 'a.c' : c.value }));
      const x = rule({ id: 'x', conditions: { match, conditions: fix(xs) } });
      const y = rule({ id: 'y', position: 1, ignoreFlow, conditions: { match: 'any', conditions: fix(ys) } });
      // The oracle: each condition checked on its own, combined by all/any; then first-match dominance, ignore-flow aside.
      const holds = (cs: Condition[], m: 'all' | 'any') => (m === 'all' ? cs.every((c) => checkCondition(c, ticket).held) : cs.some((c) => checkCondition(c, ticket).held));
      const xMatches = holds(fix(xs), match);
      const yMatches = holds(fix(ys), 'any');
      const expected = [...(xMatches ? ['x'] : []), ...(yMatches && (!xMatches || ignoreFlow) ? ['y'] : [])];
      expect(evaluateRules(set(x, y), ticket, 'ticket.created').fired.map((d) => d.ruleId)).toEqual(expected);
    }));
  });

  it('normalises idempotently', () => {
    fc.assert(fc.property(fc.string(), fc.boolean(), (s, cs) => { expect(normalize(normalize(s, cs), cs)).toBe(normalize(s, cs)); }));
  });
});

describe('rule files', () => {
  const parse = (rules: unknown) => ruleSetSchema.safeParse({ version: 1, rules });
  const base = { id: 'x', name: 'X', position: 0, trigger: 'ticket.created', conditions: { match: 'all', conditions: [{ field: 'title', operator: 'equals', value: 'a' }] }, actions: [{ type: 'sendEmail', template: 'request-received' }] };

  it('accepts the shipped rule set', () => { expect(ruleSetSchema.safeParse(defaultRuleSet).success).toBe(true); });

  it('refuses a wrong field, a wrong operator, a missing value and an unsafe regex, naming each', () => {
    const wrongField = parse([{ ...base, conditions: { match: 'all', conditions: [{ field: 'colour', operator: 'equals', value: 'a' }] } }]);
    expect(describeZodError(wrongField.error!)).toContain('rules.0.conditions.conditions.0');
    expect(describeZodError(wrongField.error!)).toMatch(/field must be one of title/);
    const wrongOp = parse([{ ...base, conditions: { match: 'all', conditions: [{ field: 'title', operator: 'sounds like', value: 'a' }] } }]);
    expect(describeZodError(wrongOp.error!)).toMatch(/operator must be one of equals/);
    const noValue = parse([{ ...base, conditions: { match: 'all', conditions: [{ field: 'title', operator: 'contains' }] } }]);
    expect(describeZodError(noValue.error!)).toBe('rules.0.conditions.conditions.0.value: operator contains needs a value');
    const unsafe = parse([{ ...base, conditions: { match: 'all', conditions: [{ field: 'title', operator: 'matchesRegex', value: '(a+)+(?=b)' }] } }]);
    expect(describeZodError(unsafe.error!)).toMatch(/^rules\.0\.conditions\.conditions\.0\.value: regular expression is not supported \(linear-time RE2 syntax only\)/);
    const backref = parse([{ ...base, conditions: { match: 'all', conditions: [{ field: 'title', operator: 'matchesRegex', value: '(a)\\1' }] } }]);
    expect(backref.success).toBe(false);
  });

  it('refuses duplicate ids and actions whose capability is missing, saying so', () => {
    expect(describeZodError(parse([base, base]).error!)).toBe('rules.1.id: id x is used twice');
    const portal = ruleSetSchema.parse({ version: 1, rules: [{ ...base, actions: [{ type: 'sendPortalCredentials' }] }] });
    expect(unavailableActions(portal, new Set(['sendEmail', 'setProperty']))).toEqual(['rules.0.actions.0: action sendPortalCredentials is not available yet (rule "X"): its capability is not installed']);
  });
});

// Behaviour the mutation run (npm run test:mutation) found that no test pinned.
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
