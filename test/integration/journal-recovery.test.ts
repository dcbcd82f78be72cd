import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { journalState } from '../../src/webhooks/journal-poller.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { TEST_SECRET } from '../support/test-app.js';

// A private app whose operator turned the journal on (WEBHOOKS_JOURNAL=on), to recover what HubSpot
// stopped retrying after a long outage: every change then arrives twice, by webhook and by journal.
let env: PortalEnv;
beforeAll(async () => {
  env = await startPortalEnv({ env: { WEBHOOKS_JOURNAL: 'on', HUBSPOT_CLIENT_ID: 'cid-private', WEBHOOKS_JOURNAL_POLL_MS: '200' }, sandbox: { oauth: { clientId: 'cid-private', clientSecret: TEST_SECRET } } });
});
afterAll(async () => { await env?.stop(); });

/** Until the journal reader has queued every entry and the worker has done what they caused (twice: the work makes changes too). */
async function caughtUp() {
  for (let round = 0; round < 2; round++) {
    await vi.waitUntil(async () => (await journalState(env.app.store, env.P)).offset === env.sandbox.journal.lastOffset(env.P), { timeout: 20_000, interval: 50 });
    await env.app.queue.idle(20_000);
  }
}

const counted = async (outcome: string, type: string) => {
  const metric = (await env.app.metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'portal_autopilot_webhook_events_total')!;
  return (metric.values as { value: number; labels: Record<string, string> }[]).filter((v) => v.labels.outcome === outcome && v.labels.subscription_type === type).reduce((n, v) => n + v.value, 0);
};

describe('a change that arrives by webhook and by the journal has one effect', () => {
  it('queues the ticket once under the edge\'s dedupe key, and its rule sends one credentials email', async () => {
    const { sandbox, P } = env;
    const grace = sandbox.seed(P, 'contacts', { email: 'grace@acme.example', firstname: 'Grace' });
    const duplicatesBefore = await counted('duplicate', 'ticket.creation');
    sandbox.createTicket(P, { subject: '[Portal Credentials]' }, grace.id);
    await env.settle();
    await caughtUp();
    expect(await counted('queued', 'ticket.creation')).toBe(1);
    expect(await counted('duplicate', 'ticket.creation')).toBe(duplicatesBefore + 1);
    expect((await env.app.email.outbox.mailbox(P)).filter((m) => m.to === 'grace@acme.example')).toHaveLength(1);
  });

  it('recovers a change whose webhooks HubSpot gave up on: the journal still has it', async () => {
    const { sandbox, P } = env;
    // HubSpot's retries are spent (an outage longer than its retry window): the webhook never arrives.
    const webhooks = sandbox.webhooks;
    sandbox.webhooks = undefined;
    try {
      const ada = sandbox.seed(P, 'contacts', { email: 'ada@initech.example', firstname: 'Ada' });
      sandbox.createTicket(P, { subject: '[Portal Credentials]' }, ada.id);
      await caughtUp();
    } finally {
      sandbox.webhooks = webhooks;
    }
    expect((await env.app.email.outbox.mailbox(P)).filter((m) => m.to === 'ada@initech.example')).toHaveLength(1);
  });
});
