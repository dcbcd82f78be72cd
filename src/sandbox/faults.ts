export interface FaultRule {
  /** Applies to paths starting with this (all paths when absent). */
  pathPrefix?: string;
  error5xxRate?: number;
  error429Rate?: number;
  dropRate?: number;
  /** The request is carried out, then the connection dropped before the answer: the caller cannot tell. */
  lostAnswerRate?: number;
  latencyMs?: number;
  /** The rule applies to the first N matching requests only (e.g. hold one create past the app's timeout). */
  times?: number;
  /**
   * The request is held until the next request this rule matches arrives (then carried out): HubSpot
   * answering so late that the app gave up and sent it again, whatever the app's timeout and however
   * busy the machine. Use with `times`, or every request waits for the one after it.
   */
  holdUntilNext?: boolean;
}

export interface FaultConfig { seed: number; rules: FaultRule[] }

export type FaultDecision = { kind: 'none' | '5xx' | '429' | 'drop' | 'lost-answer'; latencyMs: number; hold?: Promise<void> };

/** mulberry32: small, fast, and the same sequence for the same seed, so a faulty run can be replayed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private readonly random: () => number;
  /** The config is read live: a caller that holds it may push rules while the sandbox runs (the reliability burst does). */
  constructor(private readonly config: FaultConfig = { seed: 1, rules: [] }) {
    this.random = mulberry32(config.seed);
  }

  /** Adds a rule from now on (a test that wants one fault at one moment). */
  add(rule: FaultRule): void { this.config.rules.push(rule); }

  private readonly used = new Map<FaultRule, number>();
  /** Held requests of a holdUntilNext rule, released by the next request it matches. */
  private readonly held = new Map<FaultRule, (() => void)[]>();

  decide(path: string): FaultDecision {
    const matching = this.config.rules.filter((r) => !r.pathPrefix || path.startsWith(r.pathPrefix));
    for (const r of matching) { for (const release of this.held.get(r) ?? []) release(); this.held.delete(r); }
    const rules = matching.filter((r) => r.times === undefined || (this.used.get(r) ?? 0) < r.times);
    for (const r of rules) this.used.set(r, (this.used.get(r) ?? 0) + 1);
    const holding = rules.filter((r) => r.holdUntilNext);
    const hold = holding.length
      ? Promise.all(holding.map((r) => new Promise<void>((release) => { this.held.set(r, [...(this.held.get(r) ?? []), release]); }))).then(() => undefined)
      : undefined;
    const decided = this.roll(rules);
    return hold ? { ...decided, hold } : decided;
  }

  private roll(rules: FaultRule[]): FaultDecision {
    let latencyMs = 0;
    for (const rule of rules) {
      latencyMs += rule.latencyMs ?? 0;
      const roll = this.random();
      let edge = rule.dropRate ?? 0;
      if (roll < edge) return { kind: 'drop', latencyMs };
      edge += rule.error5xxRate ?? 0;
      if (roll < edge) return { kind: '5xx', latencyMs };
      edge += rule.error429Rate ?? 0;
      if (roll < edge) return { kind: '429', latencyMs };
      edge += rule.lostAnswerRate ?? 0;
      if (roll < edge) return { kind: 'lost-answer', latencyMs };
    }
    return { kind: 'none', latencyMs };
  }
}
