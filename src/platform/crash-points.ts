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
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Kills the process when PORTAL_AUTOPILOT_CRASH_AT names this point (never in production). */
export function crashPoint(name: CrashPoint): void {
  if (process.env.PORTAL_AUTOPILOT_CRASH_AT === name && process.env.NODE_ENV !== 'production') process.kill(process.pid, 'SIGKILL');
}
