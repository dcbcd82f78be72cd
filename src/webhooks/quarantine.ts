import { caps, keys } from '../store/keys.js';
import type { Store } from '../store/store.js';

/** An event HubSpot sent that did not pass the edge's checks: kept with the reason, never lost. */
export interface QuarantinedEvent { at: string; index: number; reason: string; portalId: number | null; raw: string }

/** A raw event is kept up to this size; a larger one is kept truncated, with its size in the reason. */
const MAX_RAW = 16 * 1024;

/**
 * Invalid events of a batch whose other events were accepted. Listed and replayable like dead
 * letters: a replay runs the event through the same checks again (after a fix, it passes).
 */
export class Quarantine {
  constructor(private readonly store: Store) {}

  async add(entries: Omit<QuarantinedEvent, 'at'>[]): Promise<void> {
    for (const e of entries) {
      const raw = e.raw.length > MAX_RAW ? e.raw.slice(0, MAX_RAW) : e.raw;
      const reason = e.raw.length > MAX_RAW ? `${e.reason} (kept the first ${MAX_RAW} of ${e.raw.length} characters)` : e.reason;
      await this.store.pushCapped(keys.quarantine(), JSON.stringify({ ...e, raw, reason, at: new Date().toISOString() }), caps.quarantine);
    }
  }

  async list(limit = 100, portalId?: number): Promise<QuarantinedEvent[]> {
    const all = (await this.store.range(keys.quarantine(), 0, -1)).map((r) => JSON.parse(r) as QuarantinedEvent);
    return all.filter((q) => portalId === undefined || q.portalId === portalId).slice(0, limit);
  }

  /** Hands every kept event (or those at the given positions of the list) to `accept`; the ones it takes leave the quarantine. */
  async replay(accept: (raw: unknown) => Promise<boolean>): Promise<{ replayed: number; still: number }> {
    const entries = await this.store.range(keys.quarantine(), 0, -1);
    let replayed = 0;
    for (const raw of entries) {
      const entry = JSON.parse(raw) as QuarantinedEvent;
      let event: unknown;
      try { event = JSON.parse(entry.raw); } catch { continue; }
      if (await accept(event)) {
        await this.store.removeFromList(keys.quarantine(), raw);
        replayed++;
      }
    }
    return { replayed, still: entries.length - replayed };
  }
}
