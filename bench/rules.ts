/**
 * npm run bench:rules — 200 rules (every operator, regexes included) over 10,000 tickets: tickets per
 * second and p99 per ticket, beside a baseline of 200 plain substring checks per ticket measured in
 * the same run; and the slowest admin regex of a set of classic catastrophic patterns on a 10 KB
 * title. 5 rounds, medians.
 */
import { writeFileSync } from 'node:fs';
import { evaluateRules, normalize, type TicketSnapshot } from '../src/rules/evaluate-rules.js';
import { RE2JS } from 're2js';
import { MAX_REGEX_PROGRAM, MAX_REGEX_PROGRAM_TOTAL, ruleOperators, ruleSetSchema, type Rule } from '../src/rules/rule-schema.js';

const ROUNDS = 5;
const TICKETS = 10_000;
const RULES = 200;
const regexes = ['^\\[portal.*\\]$', 'ticket #\\d+', '(login|password|sign.?in)', '^re:\\s', '\\b(urgent|asap)\\b'];

function rules(): Rule[] {
  return Array.from({ length: RULES }, (_, i) => {
    const operator = ruleOperators[i % ruleOperators.length]!;
    const value = operator === 'matchesRegex' ? regexes[i % regexes.length]! : `word${i % 37}`;
    return {
      id: `r${i}`, name: `Rule ${i}`, description: '', active: true, position: i, ignoreFlow: i % 3 === 0, trigger: 'ticket.created',
      conditions: { match: i % 2 ? 'all' : 'any', conditions: [
        { field: 'title', operator, value, values: [`word${i % 37}`, '[portal credentials]'], caseSensitive: i % 5 === 0 },
        { match: 'any', conditions: [{ field: 'requesterDomain', operator: 'endsWith', value: '.example', caseSensitive: false }, { field: 'priority', operator: 'isNotEmpty', caseSensitive: false }] },
      ] },
      actions: [{ type: 'sendEmail', template: 'request-received' }],
    } as Rule;
  });
}

const tickets: TicketSnapshot[] = Array.from({ length: TICKETS }, (_, i) => ({
  title: i % 10 === 0 ? '[Portal Credentials]' : `Re:  problem word${i % 50} with ticket #${i} ${i % 7 ? 'please' : 'URGENT'}`,
  description: 'Something is broken', requesterDomain: i % 4 ? 'acme.example' : 'gmail.com', priority: i % 2 ? 'HIGH' : '',
}));

const percentile = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]!; };
const median = (xs: number[]) => percentile(xs, 0.5);

const set = ruleSetSchema.parse({ version: 1, rules: rules() });
const rounds = [];
for (let round = 0; round < ROUNDS; round++) {
  const times: number[] = [];
  let fired = 0;
  const start = performance.now();
  for (const t of tickets) {
    const t0 = performance.now();
    fired += evaluateRules(set, t, 'ticket.created').fired.length;
    times.push(performance.now() - t0);
  }
  const engineMs = performance.now() - start;
  // Baseline: what 200 plain substring checks on the normalised title cost per ticket.
  const b0 = performance.now();
  let hits = 0;
  for (const t of tickets) { const title = normalize(t.title); for (let i = 0; i < RULES; i++) if (title.includes(`word${i % 37}`)) hits++; }
  const baselineMs = performance.now() - b0;
  rounds.push({ ticketsPerSecond: Math.round(TICKETS / (engineMs / 1000)), p99MsPerTicket: Number(percentile(times, 0.99).toFixed(3)), baselineTicketsPerSecond: Math.round(TICKETS / (baselineMs / 1000)), fired, hits });
  console.log(`round ${round + 1}: ${JSON.stringify(rounds.at(-1))}`);
}

// Patterns that take exponential time in a backtracking engine, on a 10 KB title built to hurt them.
const evil = ['(a+)+$', '(a|aa)+$', '(a|a?)+$', '^(\\w+\\s?)*$', '(.*a){12}', '([a-z]+)*!'];
const title = `${'a'.repeat(10_239)}!`;
const regexCase: { pattern: string; ms: number }[] = [];
for (const pattern of evil) {
  const one = ruleSetSchema.parse({ version: 1, rules: [{ ...rules()[0]!, conditions: { match: 'all', conditions: [{ field: 'title', operator: 'matchesRegex', value: pattern }] } }] });
  const samples = Array.from({ length: 5 }, () => { const t0 = performance.now(); evaluateRules(one, { title }, 'ticket.created'); return performance.now() - t0; });
  regexCase.push({ pattern, ms: Number(median(samples).toFixed(2)) });
}
const slowest = regexCase.reduce((a, b) => (b.ms > a.ms ? b : a));

// The worst rule set the caps allow: regexes of the largest allowed program, as many as the total
// allows, on a 10 KB title (only its first MAX_REGEX_INPUT characters are read by regexes).
const heavyPattern = (() => {
  for (let n = 40; n > 1; n--) { const p = `(.{1,${n}}){1,10}z`; if (RE2JS.compile(p, RE2JS.CASE_INSENSITIVE).programSize() <= MAX_REGEX_PROGRAM) return p; }
  throw new Error('no pattern under the cap');
})();
const perRule = RE2JS.compile(heavyPattern, RE2JS.CASE_INSENSITIVE).programSize();
const heavySet = ruleSetSchema.parse({ version: 1, rules: Array.from({ length: Math.floor(MAX_REGEX_PROGRAM_TOTAL / perRule) }, (_, i) => ({ ...rules()[0]!, id: `h${i}`, position: i, ignoreFlow: true, conditions: { match: 'all', conditions: [{ field: 'title', operator: 'matchesRegex', value: heavyPattern }] } })) });
const worstSamples = Array.from({ length: 5 }, () => { const t0 = performance.now(); evaluateRules(heavySet, { title: 'a'.repeat(10_240) }, 'ticket.created'); return performance.now() - t0; });
const worstAllowed = { pattern: heavyPattern, programSize: perRule, rules: heavySet.rules.length, msPerTicket: Number(median(worstSamples).toFixed(1)) };

const summary = {
  date: new Date().toISOString(), command: 'npm run bench:rules', setup: { rules: RULES, tickets: TICKETS, rounds: ROUNDS, regexRules: RULES / ruleOperators.length },
  median: {
    ticketsPerSecond: median(rounds.map((r) => r.ticketsPerSecond)),
    p99MsPerTicket: median(rounds.map((r) => r.p99MsPerTicket)),
    baselineTicketsPerSecond: median(rounds.map((r) => r.baselineTicketsPerSecond)),
    engineToBaseline: Number(median(rounds.map((r) => r.ticketsPerSecond / r.baselineTicketsPerSecond)).toFixed(3)),
  },
  worstRegexOn10KbTitle: slowest, worstAllowedRuleSetOn10KbTitle: worstAllowed, regexCase, rounds,
};
writeFileSync(new URL('./results/rules.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
console.log(JSON.stringify({ median: summary.median, worstRegexOn10KbTitle: slowest, worstAllowedRuleSetOn10KbTitle: worstAllowed }, null, 2));
