import { Client } from '@hubspot/api-client';
import type { Logger } from 'pino';
import { PermanentError, TransientError } from '../queue/errors.js';
import type { Metrics } from '../platform/metrics.js';
import { keys } from '../store/keys.js';
import { classifyFailure, type HttpFailure } from './classify-failure.js';
import { acquire, type RateLimiter } from './rate-limiter.js';
import { withDeadline } from '../platform/with-deadline.js';

export interface TokenSource { accessToken(portalId: number): Promise<string> }

export interface GatewayOptions {
  baseUrl: string;
  tokens: TokenSource;
  limiter: RateLimiter;
  metrics: Metrics;
  log: Logger;
  ratePer10s: number;
  searchRatePerSecond: number;
  timeoutMs: number;
  maxAttempts?: number;
  /** Injected by tests to observe waits instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
}

export interface RawRequest { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string; body?: unknown; qs?: Record<string, string> }

class CallTimeout extends Error {}

/**
 * A create with no idempotency key got no clean answer (timeout, dropped connection, 5xx): HubSpot
 * may have applied it. It is never resent here; the caller looks for what it made before trying again.
 */
export class MaybeAppliedError extends PermanentError {
  constructor(endpoint: string, reason: string) {
    super(`HubSpot ${endpoint} did not answer cleanly (${reason}); not sent again, as it may have been applied`);
    this.name = 'MaybeAppliedError';
  }
}

/**
 * Writes that a repeat would duplicate: creates without an idempotency key. Everything else we
 * send is safe to repeat: reads, upsert by email, association and list-membership puts, updates to
 * the same value, transactional sends (sendId), and creates HubSpot answers 409 the second time.
 */
export const NOT_IDEMPOTENT: ReadonlySet<string> = new Set(['crm.emails.create', 'crm.emails.batch.create', 'crm.companies.create', 'conversations.messages.create', 'crm.notes.create']);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// We count a call when it leaves; HubSpot counts it when it arrives. With network jitter a call
// that left later can arrive sooner, so our window is a little longer than HubSpot's 10 s.
const GENERAL_WINDOW_MS = 10_300;
const SEARCH_WINDOW_MS = 1_100;
const jitter = (attempt: number) => Math.round((200 * 2 ** attempt) * (0.5 + Math.random() / 2));

/**
 * Every HubSpot call goes through here: per-account client, shared rate limit, 429/5xx/timeout
 * handling, per-endpoint counts. @hubspot/api-client's own retry and limiter are process-wide
 * singletons reset by every new Client, so they stay off and this class does that work.
 */
export class HubSpotGateway {
  private readonly clients = new Map<number, { token: string; client: Client }>();

  constructor(private readonly o: GatewayOptions) {}

  /** A typed @hubspot/api-client call. `endpoint` names it in metrics, e.g. "crm.contacts.batch.upsert". */
  async call<T>(portalId: number, endpoint: string, fn: (client: Client) => Promise<T>): Promise<T> {
    return this.withPolicy(portalId, endpoint, async () => fn(await this.client(portalId)));
  }

  /**
   * For endpoints the client has no typed call for (conversations, lists, account info, ...).
   * Sent with our own fetch so a call that outlives the timeout is aborted, not left running.
   */
  async request<T>(portalId: number, endpoint: string, req: RawRequest): Promise<T> {
    return this.withPolicy(portalId, endpoint, async () => {
      const url = new URL(`${this.o.baseUrl}${req.path}`);
      for (const [k, v] of Object.entries(req.qs ?? {})) url.searchParams.set(k, v);
      const res = await fetch(url, {
        method: req.method,
        headers: { authorization: `Bearer ${await this.o.tokens.accessToken(portalId)}`, accept: 'application/json', ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      const text = await res.text();
      let body: unknown = text;
      try { body = text ? JSON.parse(text) : undefined; } catch { /* keep text */ }
      if (!res.ok) {
        const headers: Record<string, string> = {};
        res.headers.forEach((v: string, k: string) => { headers[k] = v; });
        throw Object.assign(new Error(`HTTP ${res.status}`), { code: res.status, headers, body });
      }
      return body as T;
    });
  }

  private async client(portalId: number): Promise<Client> {
    const token = await this.o.tokens.accessToken(portalId);
    const cached = this.clients.get(portalId);
    if (cached?.token === token) return cached.client;
    const client = new Client({ accessToken: token, basePath: this.o.baseUrl });
    this.clients.set(portalId, { token, client });
    return client;
  }

  private async withPolicy<T>(portalId: number, endpoint: string, run: () => Promise<T>): Promise<T> {
    const maxAttempts = this.o.maxAttempts ?? 4;
    const isSearch = endpoint.endsWith('.search');
    const general = keys.rateLimit(portalId, 'general');
    const search = keys.rateLimit(portalId, 'search');
    for (let attempt = 1; ; attempt++) {
      const wait = this.o.sleep ?? sleep;
      // The shared budget: lower than HubSpot's limit while 429s keep coming (see adjustBudget).
      const budget = await this.o.limiter.budget(general, this.o.ratePer10s);
      this.o.metrics.hubspotBudget.set({ portal: String(portalId) }, budget);
      await acquire(this.o.limiter, general, budget, GENERAL_WINDOW_MS, wait);
      if (isSearch) await acquire(this.o.limiter, search, this.o.searchRatePerSecond, SEARCH_WINDOW_MS, wait);
      const stop = this.o.metrics.hubspotLatency.startTimer({ endpoint });
      let failure: HttpFailure;
      try {
        const result = await this.withTimeout(run());
        stop();
        this.o.metrics.hubspotCalls.inc({ endpoint, status: '2xx' });
        if (budget < this.o.ratePer10s) await this.o.limiter.adjustBudget(general, this.o.ratePer10s, 'ok');
        return result;
      } catch (err) {
        stop();
        failure = toFailure(err);
        this.o.metrics.hubspotCalls.inc({ endpoint, status: failure.status ? String(failure.status) : 'network' });
      }
      const verdict = classifyFailure(endpoint, failure);
      if (verdict.kind === 'fail') throw verdict.error;
      // A create with no key that makes it idempotent may have been applied although we saw no
      // answer (timeout, dropped connection, 5xx): it is not sent again, and the caller is told.
      if (NOT_IDEMPOTENT.has(endpoint) && failure.status !== 429) {
        throw new MaybeAppliedError(endpoint, verdict.reason);
      }
      // The budget comes down only for a window that is really spent (by us or another app on the
      // account); a 429 with calls left in the window is HubSpot's hiccup, backed off by this call alone.
      if (verdict.spent === 'general') this.o.metrics.hubspotBudget.set({ portal: String(portalId) }, await this.o.limiter.adjustBudget(general, this.o.ratePer10s, 'limited'));
      // A spent window holds back every process calling this account, for as long as our own
      // window needs to free a place (not the window's whole length); any other failure backs off
      // this call alone, honouring a Retry-After.
      if (verdict.pauseBucket) {
        const key = verdict.pauseBucket === 'search' ? search : general;
        const needed = await this.o.limiter.untilFree(key, verdict.pauseBucket === 'search' ? SEARCH_WINDOW_MS : GENERAL_WINDOW_MS);
        await this.o.limiter.pause(key, Math.max(250, needed));
      }
      if (attempt >= maxAttempts) throw new TransientError(`HubSpot ${endpoint} still failing after ${attempt} attempts: ${verdict.reason}`, verdict.waitMs);
      this.o.log.warn({ portalId, endpoint, attempt, reason: verdict.reason }, 'retrying HubSpot call');
      if (!verdict.pauseBucket) await wait(verdict.waitMs ?? jitter(attempt));
    }
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    return withDeadline(p, this.o.timeoutMs, () => new CallTimeout(`no answer within ${this.o.timeoutMs} ms`));
  }
}

/** Reads status, headers and body from @hubspot/api-client's ApiException, our raw errors, or network errors. */
function toFailure(err: unknown): HttpFailure {
  const e = err as { code?: unknown; headers?: Record<string, string>; body?: unknown; message?: string };
  if (typeof e?.code === 'number') return { status: e.code, headers: e.headers ?? {}, body: e.body };
  return { status: 0, headers: {}, body: e?.message ?? String(err) };
}
