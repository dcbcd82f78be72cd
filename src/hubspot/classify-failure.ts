import { PermanentError, TransientError } from '../queue/errors.js';

export interface HttpFailure {
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

/** A HubSpot 4xx (not 429): permanent, with its status and HubSpot's own message. */
export class HubSpotApiError extends PermanentError {
  constructor(readonly endpoint: string, readonly status: number, message: string, readonly body?: unknown) {
    super(`HubSpot ${endpoint} answered ${status}: ${message}`);
    this.name = 'HubSpotApiError';
  }
}

/** HubSpot refused because the install lacks a scope (its category MISSING_SCOPES): the admin's to grant, never retried. */
export function isMissingScopes(err: unknown): err is HubSpotApiError {
  return err instanceof HubSpotApiError && (err.body as { category?: string } | undefined)?.category === 'MISSING_SCOPES';
}

export type Verdict =
  | { kind: 'retry'; waitMs?: number; pauseBucket?: 'general' | 'search'; spent?: 'general' | 'search'; reason: string }
  | { kind: 'fail'; error: Error };

const header = (h: HttpFailure['headers'], name: string) =>
  Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];

/**
 * DESIGN habit 5: 429, 5xx and timeouts are transient; other 4xx permanent. A 429 is read by its
 * policyName and headers: the daily budget goes back to the queue with a long delay; otherwise a
 * Retry-After is honoured for this call; the account's bucket is paused only when
 * X-HubSpot-RateLimit-Remaining says the window is spent (the gateway pauses it for as long as its
 * own window needs, not for the window's whole length); any other 429 backs off this call alone.
 */
export function classifyFailure(endpoint: string, f: HttpFailure): Verdict {
  const body = (typeof f.body === 'object' && f.body) ? f.body as { message?: string; policyName?: string } : {};
  const message = body.message ?? (typeof f.body === 'string' ? f.body : 'no message');
  if (f.status === 429) {
    const retryAfterS = Number(header(f.headers, 'retry-after'));
    if (body.policyName === 'DAILY') {
      return { kind: 'fail', error: new TransientError(`HubSpot daily API limit reached at ${endpoint}`, 60 * 60_000) };
    }
    const bucket: 'general' | 'search' = body.policyName === 'SECONDLY' || endpoint.includes('search') ? 'search' : 'general';
    const spent = header(f.headers, 'x-hubspot-ratelimit-remaining') === '0';
    const reason = `429 ${body.policyName ?? ''}`.trim();
    // X-HubSpot-RateLimit-Interval-Milliseconds is the window's length, never read as a wait.
    const spentBucket = spent ? { spent: bucket } : {};
    if (Number.isFinite(retryAfterS) && retryAfterS > 0) return { kind: 'retry', waitMs: retryAfterS * 1000, ...spentBucket, reason };
    return { kind: 'retry', ...(spent ? { pauseBucket: bucket } : {}), ...spentBucket, reason };
  }
  if (f.status >= 500 || f.status === 0) return { kind: 'retry', reason: `${f.status || 'network'} ${message}` };
  return { kind: 'fail', error: new HubSpotApiError(endpoint, f.status, message, f.body) };
}
