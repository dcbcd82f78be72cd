export interface BackoffPolicy { attempts: number; baseMs: number; maxMs: number }

export const defaultBackoff: BackoffPolicy = { attempts: 8, baseMs: 1000, maxMs: 10 * 60_000 };

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so a burst of
 * failures does not come back at the same instant. A cause's Retry-After wins when longer.
 */
export function backoffDelay(policy: BackoffPolicy, attemptsMade: number, retryAfterMs?: number, random = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
