/**
 * Named places in the worker where a test makes the process die at once, as SIGKILL would: each
 * sits between a side effect and the record that it happened, where a crash used to lose or repeat
 * it. Listed here and only here; the crash test runs the inbound flow once per entry
 * (test/integration/crash-points.test.ts) and fails for a name it does not find in the code.
 */
export const CRASH_POINTS = [
  /** HubSpot created the contact (upsert said `new: true`); the name is not written yet. */
  'inbound.contact-upserted',
  /** The name is written; the name intent is still open. */
  'inbound.names-written',
  /** The contact is filed; the onboarding is queued, not yet run. */
  'inbound.onboarding-queued',
  /** The portal account is saved; its "granted" is not in the history yet. */
  'portal.account-saved',
  /** Access is granted; the credentials email is not queued yet, the onboarding not marked done. */
  'onboarding.access-granted',
  /** The outbox holds the message; its once-mark is not written yet. */
  'outbox.written',
  /** The email is out and its timeline copy kept; the send record does not say "sent" yet. */
  'email.copy-kept',
  /** HubSpot made the email's timeline copy; the app has not noted it yet. */
  'email.timeline-created',
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Kills the process when PORTAL_AUTOPILOT_CRASH_AT names this point (never in production). */
export function crashPoint(name: CrashPoint): void {
  if (process.env.PORTAL_AUTOPILOT_CRASH_AT === name && process.env.NODE_ENV !== 'production') process.kill(process.pid, 'SIGKILL');
}

/**
 * Every HubSpot write the app makes, and why doing it again after a crash is harmless (or, where
 * it is not, that it is not). A write in the code missing here fails the crash test, so a new side
 * effect comes with its answer.
 */
export const HUBSPOT_WRITES: Readonly<Record<string, string>> = {
  'crm.contacts.batch.upsert': 'by email: a repeat finds the contact; its name follows the name intent (inbound.contact-upserted)',
  'crm.contacts.batch.update': 'writes the same name again (inbound.names-written)',
  'crm.associations.contacts-companies.batch.create': 'an association that exists is left as it is',
  'crm.associations.companies-contacts.batch.create': 'an association that exists is left as it is',
  'crm.associations.companies-contacts.batch.labels.archive': 'removing a label that is gone changes nothing',
  'crm.associations.labels.create': 'the labels are listed first and the type id kept; a repeat finds it',
  'crm.lists.create': 'looked up by name first (crm.lists.get-by-name)',
  'crm.lists.memberships.add': 'a member added twice is one member (portal.account-saved, onboarding.access-granted)',
  'crm.lists.memberships.remove': 'removing a non-member changes nothing',
  'crm.properties.groups.create': 'HubSpot answers 409 when it exists, taken as done',
  'crm.properties.create': 'HubSpot answers 409 when it exists, taken as done',
  'crm.companies.update': 'writes the same value again',
  'crm.contacts.update': 'writes the same value again (a primary contact switched on or off)',
  'conversations.messages.create': 'NOT idempotent (no key in HubSpot): the quick reply is posted once per click (its request id), never resent after an unclear failure (NOT_IDEMPOTENT); the card then says it was not sent and the agent looks at the thread',
  'crm.notes.create': 'NOT idempotent (no key in HubSpot): the rule action addNote runs once per ticket, rule and action (its key), and a create whose answer was lost is not resent (NOT_IDEMPOTENT); the card shows it failed, and retrying it from the card may add the note a second time',
  'automation.callbacks.complete': 'once per callbackId (marked after HubSpot took it): a completion sent again after a crash before the mark finds the execution no longer waiting; HubSpot\'s refusal is taken as final, so the workflow sees one outcome',
  'crm.tickets.update': 'writes the same value again; marked as the app\'s own write before it is made',
  'marketing.transactional.single-send': 'sendId is our key: HubSpot sends once per sendId',
  'crm.companies.create': 'NOT idempotent (no key in HubSpot): made on an admin\'s request, never resent after an unclear failure (NOT_IDEMPOTENT)',
  'crm.emails.create': 'the timeline copy: no key in HubSpot, so never resent blindly (NOT_IDEMPOTENT); an attempt that may have made it is followed by a look among the contact\'s emails for its marker before another (email.timeline-created)',
  'crm.emails.batch.create': 'the worker\'s timeline copies of one window together: as crm.emails.create, never resent blindly (NOT_IDEMPOTENT); every copy of an unclear batch is looked for before it is made again (email.timeline-created)',
};
