import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRules } from '../../src/rules/evaluate-rules.js';
import { MAX_REGEX_INPUT, ruleSetSchema } from '../../src/rules/rule-schema.js';
import { deliver } from '../support/hubspot-client.js';
import { startTestApp } from '../support/test-app.js';

const rule = (i: number, pattern: string) => ({
  id: `r${i}`, name: `Rule ${i}`, active: true, position: i, trigger: 'ticket.created',
  conditions: { match: 'all', conditions: [{ field: 'title', operator: 'matchesRegex', value: pattern }] }, actions: [{ type: 'setProperty', property: 'hs_ticket_priority', value: 'HIGH' }],
});

let app: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app.stop(); });

describe('rules that cannot stall the server', () => {
  it('refuses, at save and in a test run, a regex whose program costs too many steps per character, saying why', async () => {
    const heavy = { version: 1, rules: Array.from({ length: 12 }, (_, i) => rule(i, '(.{1,100}){1,10}z')) };
    const parsed = ruleSetSchema.safeParse(heavy);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(/^regular expression is too costly: \d+ steps per character of the title, at most 500/);
    const api = (path: string, method: string, body: unknown) => deliver(app.url!, body, { method, path: `/api/extensions${path}?portalId=4242`, raw: JSON.stringify(body) });
    const saved = await api('/rules', 'PUT', { expectedVersion: 0, ruleSet: heavy });
    expect(saved.status).toBe(400);
    expect(JSON.stringify(saved.body)).toContain('regular expression is too costly');
    const tried = await api('/rules/test', 'POST', { title: 'x'.repeat(10_000), ruleSet: heavy });
    expect(tried.status).toBe(400);
  });

  it('refuses a rule set whose regexes together cost too much, even when each one alone is allowed', () => {
    const medium = '[a-z]{1,50}@[a-z]{1,50}'; // about 200 steps per character
    const set = { version: 1, rules: Array.from({ length: 12 }, (_, i) => rule(i, medium)) };
    const parsed = ruleSetSchema.safeParse(set);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.message)).toContainEqual(expect.stringMatching(/together cost \d+ steps per character of a title, at most 2000/));
    expect(ruleSetSchema.safeParse({ version: 1, rules: set.rules.slice(0, 5) }).success).toBe(true);
  });

  it('matches regexes against the first characters of a long field only', () => {
    const set = ruleSetSchema.parse({ version: 1, rules: [rule(0, 'needle$')] });
    const title = `${'x'.repeat(MAX_REGEX_INPUT)}needle`;
    expect(evaluateRules(set, { title }, 'ticket.created').fired).toEqual([]);
    expect(evaluateRules(set, { title: `${'x'.repeat(MAX_REGEX_INPUT - 6)}needle` }, 'ticket.created').fired.map((f) => f.ruleId)).toEqual(['r0']);
  });
});
