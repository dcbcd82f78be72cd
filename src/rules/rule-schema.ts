import { RE2JS } from 're2js';
import { z } from 'zod';

export const ruleFields = ['title', 'description', 'pipeline', 'stage', 'priority', 'source', 'requesterEmail', 'requesterDomain', 'company'] as const;
export const ruleOperators = ['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'endsWith', 'anyOf', 'noneOf', 'matchesRegex', 'isEmpty', 'isNotEmpty'] as const;
export const ruleTriggers = ['ticket.created', 'ticket.titleChanged'] as const;

/** Actions the engine knows; the last three belong to capabilities that declare themselves available. */
export const implementedActions = ['sendEmail', 'setProperty', 'addNote'] as const;
export const declaredActions = ['sendPortalCredentials', 'grantPortalAccess', 'notifySupportContacts'] as const;

const MAX_VALUE = 1000;

/**
 * The work a regex condition may cost per character (RE2 program size), alone and for all the
 * regexes of a rule set together; regexes look at the first MAX_REGEX_INPUT characters of a field.
 * Together these bound one ticket's evaluation (about 80 ms here in the worst case, bench:rules),
 * so no rule set can stall the worker or the card that tests it.
 */
export const MAX_REGEX_PROGRAM = 500;
export const MAX_REGEX_PROGRAM_TOTAL = 2000;
export const MAX_REGEX_INPUT = 2048;

const conditionSchema = z.strictObject({
  field: z.enum(ruleFields, { error: `field must be one of ${ruleFields.join(', ')}` }),
  operator: z.enum(ruleOperators, { error: `operator must be one of ${ruleOperators.join(', ')}` }),
  value: z.string().max(MAX_VALUE).optional(),
  values: z.array(z.string().max(MAX_VALUE)).max(100).optional(),
  caseSensitive: z.boolean().default(false),
}).superRefine((c, ctx) => {
  const needsList = c.operator === 'anyOf' || c.operator === 'noneOf';
  const needsNothing = c.operator === 'isEmpty' || c.operator === 'isNotEmpty';
  if (needsList && !c.values?.length) ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${c.operator} needs a non-empty list of values` });
  if (!needsList && !needsNothing && c.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${c.operator} needs a value` });
  if (c.operator === 'matchesRegex' && c.value !== undefined) {
    // RE2 matches in linear time, so no admin pattern can hang a worker; what RE2 cannot do
    // (look-around, back-references) is refused here, at save time.
    try {
      // Linear time is per character of input and per instruction of the program: a large
      // program on a long title still costs seconds, so the program is bounded too.
      const size = RE2JS.compile(c.value, c.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE).programSize();
      if (size > MAX_REGEX_PROGRAM) ctx.addIssue({ code: 'custom', path: ['value'], message: `regular expression is too costly: ${size} steps per character of the title, at most ${MAX_REGEX_PROGRAM} (bounded repetitions such as {1,100} multiply the steps; simplify it)` });
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `regular expression is not supported (linear-time RE2 syntax only): ${(err as Error).message}` });
    }
  }
});

const groupSchema = z.strictObject({
  match: z.enum(['all', 'any'], { error: 'match must be all or any' }),
  conditions: z.array(conditionSchema).min(1, 'a group needs at least one condition').max(50),
});

// A group is told apart by its `match` key, so errors name the real problem rather than
// "matches neither a condition nor a group".
const itemSchema = z.unknown().transform((value, ctx): z.infer<typeof conditionSchema> | z.infer<typeof groupSchema> => {
  const schema = value && typeof value === 'object' && 'match' in value ? groupSchema : conditionSchema;
  const parsed = (schema as z.ZodType<z.infer<typeof conditionSchema> | z.infer<typeof groupSchema>>).safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

const actionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('sendEmail'), template: z.enum(['portal-credentials', 'support-issue-report', 'request-received']) }),
  z.strictObject({ type: z.literal('setProperty'), property: z.string().regex(/^[a-z][a-z0-9_]{0,99}$/, 'must be a HubSpot property name'), value: z.string().max(MAX_VALUE) }),
  z.strictObject({ type: z.literal('addNote'), body: z.string().min(1).max(10_000) }),
  z.strictObject({ type: z.literal('sendPortalCredentials') }),
  z.strictObject({ type: z.literal('grantPortalAccess') }),
  z.strictObject({ type: z.literal('notifySupportContacts') }),
], { error: `action type must be one of ${[...implementedActions, ...declaredActions].join(', ')}` });

export const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and dashes'),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  description: z.string().max(2000).default(''),
  active: z.boolean().default(false),
  position: z.number().int().min(0),
  ignoreFlow: z.boolean().default(false),
  trigger: z.enum(ruleTriggers, { error: `trigger must be one of ${ruleTriggers.join(', ')}` }),
  conditions: z.strictObject({
    match: z.enum(['all', 'any'], { error: 'match must be all or any' }),
    conditions: z.array(itemSchema).min(1, 'a rule needs at least one condition').max(50),
  }),
  actions: z.array(actionSchema).min(1, 'a rule needs at least one action').max(10),
});


function regexCost(c: { operator: string; value?: string; caseSensitive?: boolean }): number {
  if (c.operator !== 'matchesRegex' || c.value === undefined) return 0;
  try { return RE2JS.compile(c.value, c.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE).programSize(); } catch { return 0; }
}

export const ruleSetSchema = z.strictObject({
  version: z.literal(1, { error: 'version must be 1' }),
  rules: z.array(ruleSchema).max(500),
}).superRefine((set, ctx) => {
  const total = set.rules.flatMap((r) => r.conditions.conditions.flatMap((c) => ('match' in c ? c.conditions : [c]))).reduce((n, c) => n + regexCost(c), 0);
  if (total > MAX_REGEX_PROGRAM_TOTAL) ctx.addIssue({ code: 'custom', path: ['rules'], message: `the regular expressions of this rule set together cost ${total} steps per character of a title, at most ${MAX_REGEX_PROGRAM_TOTAL}: remove or simplify some` });
  const ids = new Set<string>();
  set.rules.forEach((r, i) => {
    if (ids.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `id ${r.id} is used twice` });
    ids.add(r.id);
  });
});

export type Rule = z.infer<typeof ruleSchema>;
export type RuleSet = z.infer<typeof ruleSetSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type ConditionGroup = z.infer<typeof groupSchema>;
export type RuleAction = Rule['actions'][number];
export type RuleField = (typeof ruleFields)[number];
export type RuleTrigger = (typeof ruleTriggers)[number];

/** Refuses actions whose capability is not there yet, naming the rule and the action. */
const whyUnavailable: Record<string, string> = {};

export function unavailableActions(set: RuleSet, available: ReadonlySet<string>): string[] {
  return set.rules.flatMap((r, i) => r.actions.map((a, j) => ({ a, j })).filter(({ a }) => !available.has(a.type))
    .map(({ a, j }) => `rules.${i}.actions.${j}: action ${a.type} is not available yet (rule "${r.name}"): ${whyUnavailable[a.type] ?? 'its capability is not installed'}`));
}
