/**
 * HubSpot's burst limit as its docs describe it: at most N requests in any rolling window (10 s
 * per account, 1 s for search), counted when a request arrives. The sandbox's own implementation,
 * sharing nothing with the app's rate limiter, so a bug in one is caught by the other.
 */
export class RollingWindow {
  private readonly arrivals = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts the request and says whether it is over the limit (then it is not counted). */
  admit(key: string, max: number, windowMs: number): boolean {
    const t = this.now();
    const recent = (this.arrivals.get(key) ?? []).filter((at) => at > t - windowMs);
    const ok = recent.length < max;
    if (ok) recent.push(t);
    this.arrivals.set(key, recent);
    return ok;
  }

  /** Requests counted in the window as of the last `admit` for this key. */
  counted(key: string): number {
    return this.arrivals.get(key)?.length ?? 0;
  }
}
