import { mulberry32 } from './faults.js';
import { hubspotSignatureHeaders } from './hubspot-signer.js';

export interface WebhookSenderOptions {
  targetUrl: string;
  clientSecret: string;
  /** Events that arrive within this window go out in one request (HubSpot batches up to 100). */
  batchWindowMs: number;
  /** HubSpot retries up to 10 times over 24 h; the sandbox keeps the count and shrinks the delays. */
  maxAttempts: number;
  retryBaseMs: number;
  maxConcurrentRequests: number;
  /**
   * The public URL HubSpot calls and signs, when the app sits behind a proxy that forwards to
   * `targetUrl` (tests: the app listens on loopback, its PUBLIC_BASE_URL is another host).
   */
  signAs?: string;
}

export interface DeliveryRecord { status: number | 'network-error'; events: number; attempt: number }

/** HubSpot's side of webhooks: batched, v3-signed, retried on any non-2xx or failed connection. */
export class WebhookSender {
  private buffer: Record<string, unknown>[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private pending = new Set<Promise<void>>();
  readonly deliveries: DeliveryRecord[] = [];
  readonly abandoned: Record<string, unknown>[] = [];

  constructor(private readonly o: WebhookSenderOptions) {}

  /** Every event pushed, in order (for redeliveries). */
  readonly pushed: Record<string, unknown>[] = [];

  push(event: Record<string, unknown>): void {
    this.pushed.push(event);
    this.send(event);
  }

  /** HubSpot's retries out of order: every event pushed so far, once more, in a seeded shuffle. */
  redeliverAll(seed: number): void {
    const events = [...this.pushed];
    const random = mulberry32(seed);
    for (let i = events.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [events[i], events[j]] = [events[j]!, events[i]!]; }
    for (const e of events) this.send(e);
  }

  private send(event: Record<string, unknown>): void {
    this.buffer.push(event);
    if (this.buffer.length >= 100) this.flushBuffer();
    else this.timer ??= setTimeout(() => this.flushBuffer(), this.o.batchWindowMs);
  }

  private flushBuffer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length) {
      const batch = this.buffer.splice(0, 100);
      const p = this.deliver(batch, 0).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  private async slot(): Promise<() => void> {
    while (this.inFlight >= this.o.maxConcurrentRequests) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    return () => { this.inFlight--; this.waiting.shift()?.(); };
  }

  private async deliver(batch: Record<string, unknown>[], attempt: number): Promise<void> {
    const body = JSON.stringify(batch.map((e) => ({ ...e, attemptNumber: attempt })));
    const release = await this.slot();
    let status: number | 'network-error';
    try {
      const res = await fetch(this.o.targetUrl, {
        method: 'POST', body,
        headers: { 'content-type': 'application/json', ...hubspotSignatureHeaders(this.o.clientSecret, 'POST', this.o.signAs ?? this.o.targetUrl, body, Date.now()) },
        // HubSpot gives up on a request after 5 s and counts it as failed.
        signal: AbortSignal.timeout(5000),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 'network-error';
    } finally {
      release();
    }
    this.deliveries.push({ status, events: batch.length, attempt });
    if (typeof status === 'number' && status >= 200 && status < 300) return;
    if (attempt + 1 >= this.o.maxAttempts) { this.abandoned.push(...batch); return; }
    await new Promise((r) => setTimeout(r, this.o.retryBaseMs * 2 ** attempt));
    await this.deliver(batch, attempt + 1);
  }

  /** Resolves once every event pushed so far is delivered or given up. */
  async drain(): Promise<void> {
    this.flushBuffer();
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  stop(): void { clearTimeout(this.timer); }
}
