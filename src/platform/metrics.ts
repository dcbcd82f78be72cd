import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance (tests run several in one process). */
export function createMetrics(options: { defaults?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaults) collectDefaultMetrics({ register: registry });
  return {
    registry,
    webhookEvents: new Counter({
      name: 'portal_autopilot_webhook_events_total',
      help: 'Webhook events by outcome (queued, duplicate) and subscription type',
      labelNames: ['outcome', 'subscription_type', 'known'] as const,
      registers: [registry],
    }),
    journalLag: new Gauge({
      name: 'portal_autopilot_journal_lag_seconds',
      help: 'How far the Webhooks Journal reader is behind: seconds from the newest change it queued to when it queued it (0 once nothing is left to read)',
      labelNames: ['portal'] as const,
      registers: [registry],
    }),
    journalDelay: new Histogram({
      name: 'portal_autopilot_journal_delay_seconds',
      help: 'Seconds from a change in HubSpot to its event queued by the journal reader',
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 3600],
      registers: [registry],
    }),
    journalReads: new Counter({
      name: 'portal_autopilot_journal_reads_total',
      help: 'Journal read cycles by outcome (read, empty, failed, busy: another process holds the lease)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    webhookRequests: new Counter({
      name: 'portal_autopilot_webhook_requests_total',
      help: 'Webhook requests by HTTP status',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'portal_autopilot_jobs_total',
      help: 'Processed queue jobs by subscription type and outcome',
      labelNames: ['subscription_type', 'outcome'] as const,
      registers: [registry],
    }),
    hubspotCalls: new Counter({
      name: 'portal_autopilot_hubspot_calls_total',
      help: 'HubSpot API calls by endpoint and status',
      labelNames: ['endpoint', 'status'] as const,
      registers: [registry],
    }),
    inboundSenders: new Counter({
      name: 'portal_autopilot_inbound_senders_total',
      help: 'Inbound conversation senders by outcome (created, existing, ignored:<reason>)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    domainConflicts: new Counter({
      name: 'portal_autopilot_domain_conflicts_total',
      help: 'New contacts whose domain is owned by more than one company (the oldest was chosen)',
      registers: [registry],
    }),
    hubspotBudget: new Gauge({
      name: 'portal_autopilot_hubspot_budget_calls',
      help: 'Calls per ten seconds the app allows itself for an account (lowered while HubSpot answers 429)',
      labelNames: ['portal'] as const,
      registers: [registry],
    }),
    hubspotLatency: new Histogram({
      name: 'portal_autopilot_hubspot_call_seconds',
      help: 'HubSpot API call latency',
      labelNames: ['endpoint'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Sums a counter's samples per label value: how benchmarks and the demo read call counts. */
export async function countBy(counter: Counter<string>, label: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await counter.get()).values) {
    const k = String(v.labels[label] ?? '');
    out[k] = (out[k] ?? 0) + v.value;
  }
  return out;
}
