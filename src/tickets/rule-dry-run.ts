import type { HubSpotGateway } from '../hubspot/gateway.js';
import { evaluateRules, type ConditionResult, type TicketSnapshot } from '../rules/evaluate-rules.js';
import type { RuleField, RuleSet, RuleTrigger } from '../rules/rule-schema.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { RuleRun } from './run-ticket-rules.js';

export const DRY_RUN_TICKETS = 200;
const LISTED = 25;
/** What a dry run does not read per ticket (a call or two each): conditions on them see an empty value. */
const notRead: RuleField[] = ['requesterEmail', 'requesterDomain', 'company'];

export interface DryRunTicket { ticketId: string; title: string; rules: { ruleId: string; name: string; conditions: ConditionResult[] }[] }
export interface DryRunResult { trigger: RuleTrigger; tickets: number; fired: number; byRule: { ruleId: string; name: string; fired: number }[]; sample: DryRunTicket[]; notRead: RuleField[] }

type Found = { results: { id: string; properties: Record<string, string | null> }[] };

/** The rule set over the account's newest tickets, as if each had just been created; nothing is done. */
export async function dryRun(hubspot: HubSpotGateway, portalId: number, set: RuleSet, trigger: RuleTrigger): Promise<DryRunResult> {
  const found = await hubspot.request<Found>(portalId, 'crm.tickets.search', {
    method: 'POST', path: '/crm/v3/objects/tickets/search',
    body: {
      limit: DRY_RUN_TICKETS, after: '0', filterGroups: [], // The spec types a sort as a string: the property, descending with a leading '-'.
      sorts: ['-createdate'],
      properties: ['subject', 'content', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_priority', 'source_type'],
    },
  });
  const byRule = new Map(set.rules.map((r) => [r.id, { ruleId: r.id, name: r.name, fired: 0 }]));
  const sample: DryRunTicket[] = [];
  let fired = 0;
  for (const t of found.results) {
    const p = t.properties;
    const snapshot: TicketSnapshot = {
      title: p.subject ?? '', description: p.content ?? '', pipeline: p.hs_pipeline ?? '', stage: p.hs_pipeline_stage ?? '',
      priority: p.hs_ticket_priority ?? '', source: p.source_type ?? '', requesterEmail: '', requesterDomain: '', company: '',
    };
    const evaluation = evaluateRules(set, snapshot, trigger);
    if (!evaluation.fired.length) continue;
    fired++;
    for (const d of evaluation.fired) byRule.get(d.ruleId)!.fired++;
    if (sample.length < LISTED) sample.push({ ticketId: t.id, title: snapshot.title ?? '', rules: evaluation.fired.map((d) => ({ ruleId: d.ruleId, name: d.name, conditions: d.conditions })) });
  }
  const used = new Set(set.rules.flatMap((r) => r.conditions.conditions.flatMap((c) => ('match' in c ? c.conditions : [c]).map((x) => x.field))));
  return { trigger, tickets: found.results.length, fired, byRule: [...byRule.values()], sample, notRead: notRead.filter((f) => used.has(f)) };
}

/** When each rule last fired, from the account's rule audit (its newest 500 runs). */
export async function lastFiredByRule(store: Store, portalId: number): Promise<Record<string, string>> {
  const last: Record<string, string> = {};
  for (const raw of await store.range(keys.ruleAudit(portalId), 0, 499)) {
    const run = JSON.parse(raw) as RuleRun;
    for (const d of run.decisions) if (d.fired && !(d.ruleId in last)) last[d.ruleId] = run.at;
  }
  return last;
}
