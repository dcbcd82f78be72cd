interface Pending<I, O> { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }

/**
 * Gathers the requests of one account that arrive within `windowMs` (at most `maxBatch`) and hands
 * them to `send` together: one batch call to HubSpot serves many jobs. Each caller gets its own
 * answer, or the batch's error (its job then retries on its own).
 */
export class Coalescer<I, O> {
  private readonly pending = new Map<number, Pending<I, O>[]>();
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(
    private readonly send: (portalId: number, inputs: I[]) => Promise<O[]>,
    private readonly o: { windowMs: number; maxBatch: number },
  ) {}

  add(portalId: number, input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      const list = this.pending.get(portalId) ?? [];
      list.push({ input, resolve, reject });
      this.pending.set(portalId, list);
      if (list.length >= this.o.maxBatch) this.flush(portalId);
      else if (!this.timers.has(portalId)) this.timers.set(portalId, setTimeout(() => this.flush(portalId), this.o.windowMs));
    });
  }

  private flush(portalId: number): void {
    clearTimeout(this.timers.get(portalId));
    this.timers.delete(portalId);
    const batch = this.pending.get(portalId) ?? [];
    this.pending.delete(portalId);
    if (!batch.length) return;
    this.send(portalId, batch.map((p) => p.input)).then(
      (outputs) => batch.forEach((p, i) => p.resolve(outputs[i]!)),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  }
}
