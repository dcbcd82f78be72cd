/** What the ingest benchmarks share: signed batches as HubSpot sends them, the load, the target process. */
import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { signV3 } from '../src/webhooks/sign-request.js';

export const CONNECTIONS = 10; // HubSpot sends at most 10 concurrent requests per account
export const SECRET = 'bench-secret-not-a-real-one';
export const PUBLIC = 'https://autopilot.bench';

let eventId = 1;
/** `count` signed batches of 100 events; `portalOf` gives each event's account (one, or several mixed). */
export function batches(count: number, portalOf: number | ((event: number) => number)) {
  const account = typeof portalOf === 'number' ? () => portalOf : portalOf;
  return Array.from({ length: count }, () => {
    const body = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({
      eventId: eventId++, subscriptionId: 10, portalId: account(i), appId: 1, occurredAt: Date.now(), subscriptionType: 'conversation.creation',
      attemptNumber: 0, objectId: eventId, changeSource: 'CONVERSATIONS',
    })));
    return { method: 'POST' as const, path: '/webhooks/hubspot', body, headers: { 'content-type': 'application/json', ...signV3(SECRET, 'POST', `${PUBLIC}/webhooks/hubspot`, body, Date.now()) } };
  });
}

type Batch = ReturnType<typeof batches>[number];

/** Sends each batch exactly once, in order, spread over the connections; `rate` caps batches per second. */
export async function load(url: string, requests: Batch[], rate?: number) {
  let next = 0;
  const started = performance.now();
  let lastAnswer = started;
  const result = await autocannon({
    url, connections: CONNECTIONS, amount: requests.length, timeout: 10, ...(rate ? { overallRate: rate } : {}),
    requests: [{ setupRequest: (req) => ({ ...req, ...requests[next++ % requests.length]! }), onResponse: () => { lastAnswer = performance.now(); } }],
  });
  const ok = result['2xx'];
  // Timed to the last answer: autocannon's own duration, start and finish end on its one-second ticker.
  const seconds = (lastAnswer - started) / 1000;
  return { eventsPerSecond: (ok * 100) / seconds, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors, ok };
}

export interface Target { url: string; child: ChildProcess; pending: () => Promise<number> }

/** The edge (`app`, on the Redis `env` names) or a bare Express handler, in a process of its own. */
export async function startTarget(mode: 'app' | 'bare', env: { BENCH_REDIS_URL: string; BENCH_REDIS_CLUSTER?: string; BENCH_PREFIX?: string }): Promise<Target> {
  const child = fork(new URL('./ingest-target.ts', import.meta.url).pathname, [mode], {
    execArgv: ['--import', 'tsx'], env: { ...process.env, ...env, BENCH_SECRET: SECRET, BENCH_PUBLIC_URL: PUBLIC },
  });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve((m as { port: number }).port)));
  /** Events waiting in the target's queue (no worker runs: every accepted event must be there). */
  const pending = () => new Promise<number>((resolve) => {
    child.once('message', (m) => resolve((m as { pending: number }).pending));
    child.send({ ask: 'pending' });
  });
  return { url: `http://127.0.0.1:${port}`, child, pending };
}

export const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
export type Run = Awaited<ReturnType<typeof load>>;
export const summarise = (runs: Run[]) => ({
  eventsPerSecondMedian: Math.round(median(runs.map((r) => r.eventsPerSecond))), p50MsMedian: median(runs.map((r) => r.p50)), p99MsMedian: median(runs.map((r) => r.p99)),
});
