import type { Logger } from 'pino';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import { evaluateRules, type RuleDecision, type TicketSnapshot } from '../rules/evaluate-rules.js';
import type { RuleAction, RuleTrigger } from '../rules/rule-schema.js';
import type { Settings } from '../settings/settings-schema.js';
import { emailOutcome } from '../email/send-email.js';
import { caps, keys, ttl } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { RuleRepository } from './rule-repository.js';
import { rememberContactData } from '../contacts/contact-data.js';
import { readTicket } from './ticket-snapshot.js';
import type { WorkflowCompletion } from '../hubspot/workflow-callbacks.js';

/** Why an action was skipped, for the cards to say in the agent's language (`detail` keeps the English). */
export type SkipCode = 'waits-for' | 'already-done' | 'loop-stop' | 'no-requester';
export interface ActionOutcome {
  ruleId: string; index: number; type: RuleAction['type']; status: 'done' | 'queued' | 'skipped' | 'failed'; detail: string;
  code?: SkipCode; waitsFor?: RuleAction['type']; limit?: number;
  /** The email a queued action asked for (cause and template), to tell later whether it went out. */
  email?: { cause: string; template: string };
  /** Read with the run: what became of that email (the card and the console say "sent", not "queued"). */
  delivered?: { state: 'sent' | 'failed' | 'suppressed'; at: string; reasonCode?: string; reason?: string };
}
export interface RuleRun {
  at: string; ticketId: string; trigger: RuleTrigger; cause: string; snapshot: TicketSnapshot;
  decisions: Omit<RuleDecision, 'actions'>[]; actions: ActionOutcome[];
  /** The requester contact, when one was read: its personal data (the snapshot's email) can then be erased. */
  requesterId?: string | null;
}

export interface RulePorts {
  /** Queues a templated email (the email capability sends it once per cause). */
  queueEmail: (portalId: number, job: { cause: string; template: string; contactId: string; ticketId?: string; workflow?: WorkflowCompletion }) => Promise<void>;
  /** Emails the ticket's company's support contacts (once per ticket and recipient). */
  notifySupportContacts: (ctx: RuleContext, ticketId: string) => Promise<void>;
  /** Gives a contact customer-portal access (list membership and a portal account); idempotent. */
  grantPortalAccess: (ctx: RuleContext, contactId: string, why: string) => Promise<void>;
  /** The welcome until the contact has a password, then the reset email. */
  credentialsTemplate: (ctx: RuleContext, contactId: string) => Promise<'portal-credentials' | 'portal-reset'>;
}

/** HubSpot's default association type of a note to a ticket. */
const NOTE_TO_TICKET = 228;

/** Actions aimed at the ticket's requester: the requester is read only when one of them may run. */
const REQUESTER_ACTIONS: ReadonlySet<string> = new Set(['sendEmail', 'grantPortalAccess', 'sendPortalCredentials']);

export interface RuleContext { portalId: number; hubspot: HubSpotGateway; store: Store; settings: Settings; log: Logger }

/**
 * Evaluates the account's rules for a ticket event and carries out what fired, each action once:
 * (account, ticket, rule, action) is an idempotency key, a rule fires once per ticket and trigger,
 * and a cap per ticket per hour stops any loop that slips through. Every evaluation is audited.
 */
export async function runTicketRules(ctx: RuleContext, rules: RuleRepository, ports: RulePorts, ticketId: string, trigger: RuleTrigger, cause: string): Promise<RuleRun> {
  const { ruleSet } = await rules.read(ctx.portalId);
  const active = ruleSet.rules.filter((r) => r.active && r.trigger === trigger);
  // No active rule for this trigger: nothing to read, nothing to audit.
  if (!active.length) return { at: new Date().toISOString(), ticketId, trigger, cause, snapshot: {}, decisions: [], actions: [] };
  const fields = new Set(active.flatMap((r) => r.conditions.conditions.flatMap((c) => ('match' in c ? c.conditions : [c]).map((x) => x.field))));
  const facts = await readTicket(ctx.portalId, ticketId, ctx.hubspot, {
    requester: fields.has('requesterEmail') || fields.has('requesterDomain') || fields.has('company') || active.some((r) => r.actions.some((a) => REQUESTER_ACTIONS.has(a.type))),
    company: fields.has('company'),
  });
  const evaluation = evaluateRules(ruleSet, facts.snapshot, trigger);
  const actions: ActionOutcome[] = [];
  for (const decision of evaluation.fired) {
    // Fired once per ticket and trigger; the same cause may come back (a retried job) to finish.
    const firedKey = keys.ruleFired(ctx.portalId, ticketId, decision.ruleId, trigger);
    if (!(await ctx.store.setIfAbsent(firedKey, cause, ttl.idempotency)) && (await ctx.store.get(firedKey)) !== cause) {
      decision.fired = false;
      decision.note = 'already fired for this ticket and trigger';
      decision.noteCode = 'already-fired';
      continue;
    }
    // A rule's actions run in order and stop at the first that fails: a later one may need it
    // (the credentials need the access). The rest run when the job is retried.
    let failed: ActionOutcome | undefined;
    for (const [index, action] of decision.actions.entries()) {
      if (failed) {
        actions.push({ ruleId: decision.ruleId, index, type: action.type, status: 'skipped', detail: `waits for ${failed.type}, which failed`, code: 'waits-for', waitsFor: failed.type });
        continue;
      }
      const outcome = await runAction(ctx, ports, ticketId, decision.ruleId, index, action, facts.requesterId);
      if (outcome.status === 'failed') failed = outcome;
      actions.push(outcome);
    }
  }
  const run: RuleRun = { at: new Date().toISOString(), ticketId, trigger, cause, snapshot: facts.snapshot, decisions: evaluation.decisions.map(({ actions: _a, ...d }) => d), actions, requesterId: facts.requesterId };
  await audit(ctx, run);
  const failed = actions.find((a) => a.status === 'failed' && a.detail.startsWith('transient:'));
  if (failed) throw new Error(`rule action ${failed.type} of rule ${failed.ruleId} failed and will be retried: ${failed.detail}`);
  return run;
}

export async function runAction(ctx: RuleContext, ports: RulePorts, ticketId: string, ruleId: string, index: number, action: RuleAction, requesterId: string | null): Promise<ActionOutcome> {
  const base = { ruleId, index, type: action.type };
  const once = keys.ruleAction(ctx.portalId, ticketId, ruleId, index);
  if (!(await ctx.store.setIfAbsent(once, 'running', ttl.idempotency))) {
    const state = await ctx.store.get(once);
    if (state === 'done') return { ...base, status: 'skipped', detail: 'already done', code: 'already-done' };
  }
  const count = await ctx.store.increment(keys.ruleActionCount(ctx.portalId, ticketId, Math.floor(Date.now() / 3_600_000)), 3600);
  if (count > ctx.settings.rules.maxActionsPerTicketPerHour) {
    await ctx.store.del(once);
    return { ...base, status: 'skipped', detail: `more than ${ctx.settings.rules.maxActionsPerTicketPerHour} rule actions on this ticket in one hour: stopped as a possible loop`, code: 'loop-stop', limit: ctx.settings.rules.maxActionsPerTicketPerHour };
  }
  try {
    let outcome: ActionOutcome;
    if (action.type === 'sendEmail') {
      if (!requesterId) {
        outcome = { ...base, status: 'skipped', detail: 'the ticket has no requester contact', code: 'no-requester' };
      } else {
        await ports.queueEmail(ctx.portalId, { cause: `rule:${ticketId}:${ruleId}:${index}`, template: action.template, contactId: requesterId, ticketId });
        outcome = { ...base, status: 'queued', detail: `email ${action.template} to contact ${requesterId}`, email: { cause: `rule:${ticketId}:${ruleId}:${index}`, template: action.template } };
      }
    } else if (action.type === 'grantPortalAccess' || action.type === 'sendPortalCredentials') {
      if (!requesterId) {
        outcome = { ...base, status: 'skipped', detail: 'the ticket has no requester contact', code: 'no-requester' };
      } else if (action.type === 'grantPortalAccess') {
        await ports.grantPortalAccess(ctx, requesterId, `rule ${ruleId} on ticket ${ticketId}`);
        outcome = { ...base, status: 'done', detail: `portal access for contact ${requesterId}` };
      } else {
        const template = await ports.credentialsTemplate(ctx, requesterId);
        await ports.queueEmail(ctx.portalId, { cause: `rule:${ticketId}:${ruleId}:${index}`, template, contactId: requesterId, ticketId });
        outcome = { ...base, status: 'queued', detail: `portal credentials to contact ${requesterId}`, email: { cause: `rule:${ticketId}:${ruleId}:${index}`, template } };
      }
    } else if (action.type === 'notifySupportContacts') {
      await ports.notifySupportContacts(ctx, ticketId);
      outcome = { ...base, status: 'queued', detail: 'issue report to the company\'s support contacts' };
    } else if (action.type === 'setProperty') {
      // Marked first, so the propertyChange webhook this write causes is known as ours.
      await ctx.store.set(keys.selfWrite(ctx.portalId, ticketId, action.property), action.value, 600);
      await ctx.hubspot.call(ctx.portalId, 'crm.tickets.update', (c) => c.crm.tickets.basicApi.update(ticketId, { properties: { [action.property]: action.value } }));
      outcome = { ...base, status: 'done', detail: `${action.property} = ${action.value}` };
    } else if (action.type === 'addNote') {
      // The admin's text is data: escaped into the note's HTML body, line breaks kept.
      const body = action.body.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`).replace(/\n/g, '<br>');
      const note = await ctx.hubspot.request<{ id: string }>(ctx.portalId, 'crm.notes.create', {
        method: 'POST', path: '/crm/v3/objects/notes',
        body: {
          properties: { hs_note_body: body, hs_timestamp: new Date().toISOString() },
          associations: [{ to: { id: ticketId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: NOTE_TO_TICKET }] }],
        },
      });
      outcome = { ...base, status: 'done', detail: `note ${note.id} on the ticket` };
    } else {
      // Every action type the schema has is handled above; a stored rule from a newer version lands here.
      outcome = { ...base, status: 'skipped', detail: `action ${(action as { type: string }).type} is not available yet` };
    }
    await ctx.store.set(once, 'done', ttl.idempotency);
    return outcome;
  } catch (err) {
    await ctx.store.del(once);
    const permanent = (err as { permanent?: boolean }).permanent;
    return { ...base, status: 'failed', detail: `${permanent ? 'permanent' : 'transient'}: ${(err as Error).message}` };
  }
}

/** Whether a ticket change is one the app made itself (rules never react to their own writes). */
export async function isOwnWrite(store: Store, portalId: number, ticketId: string, property: string, value: unknown): Promise<boolean> {
  const written = await store.get(keys.selfWrite(portalId, ticketId, property));
  return written !== null && written === String(value ?? '');
}

async function audit(ctx: RuleContext, run: RuleRun): Promise<void> {
  const entry = JSON.stringify(run);
  const retention = ctx.settings.rules.auditRetentionDays * 86_400;
  await ctx.store.pushCapped(keys.ruleAudit(ctx.portalId), entry, caps.ruleAudit);
  await ctx.store.pushCapped(keys.ticketRuleAudit(ctx.portalId, run.ticketId), entry, caps.ticketRuleAudit);
  await ctx.store.expire(keys.ruleAudit(ctx.portalId), retention);
  await ctx.store.expire(keys.ticketRuleAudit(ctx.portalId, run.ticketId), retention);
  if (run.requesterId) await rememberContactData(ctx.store, ctx.portalId, run.requesterId, keys.ticketRuleAudit(ctx.portalId, run.ticketId));
}

export async function ticketRuns(store: Store, portalId: number, ticketId: string): Promise<RuleRun[]> {
  const runs = (await store.range(keys.ticketRuleAudit(portalId, ticketId), 0, -1)).map((r) => JSON.parse(r) as RuleRun);
  // A queued email is told by what became of it (one read per queued email action shown).
  for (const run of runs.slice(0, 5)) {
    for (const a of run.actions) {
      if (a.status !== 'queued' || !a.email) continue;
      const record = await emailOutcome(store, portalId, a.email.cause, a.email.template);
      if (record) a.delivered = { state: record.state, at: record.at, reasonCode: record.reasonCode, reason: record.reason };
    }
  }
  return runs;
}
