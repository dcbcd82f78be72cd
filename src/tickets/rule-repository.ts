import { CREDENTIALS_RULE_ID, defaultRuleSet } from '../rules/default-rules.js';
import { ruleSetSchema, unavailableActions, type RuleSet } from '../rules/rule-schema.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';

export interface VersionedRules { version: number; ruleSet: RuleSet; updatedAt: string | null; updatedBy: string | null }

export class RuleSetError extends Error {
  constructor(readonly problems: string[]) { super(problems.join('; ')); }
}
export class RulesVersionConflict extends Error {
  constructor(readonly current: number) { super(`rules are at version ${current}; reload and apply your change again`); }
}

/** Actions that run today; the portal and support-contact capabilities add theirs when they land. */
export const availableActions: ReadonlySet<string> = new Set(['sendEmail', 'setProperty', 'grantPortalAccess', 'sendPortalCredentials', 'notifySupportContacts', 'addNote']);

/** The account's rule set (the shipped one until an admin saves), validated and versioned. */
export class RuleRepository {
  constructor(private readonly store: Store) {}

  async read(portalId: number): Promise<VersionedRules> {
    const raw = await this.store.get(keys.rules(portalId));
    return raw ? (JSON.parse(raw) as VersionedRules) : { version: 0, ruleSet: defaultRuleSet, updatedAt: null, updatedBy: null };
  }

  /** Validates a rule file (import, or the editor's whole set) and names every problem. */
  static validate(input: unknown): RuleSet {
    const parsed = ruleSetSchema.safeParse(input);
    if (!parsed.success) throw new RuleSetError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    const missing = unavailableActions(parsed.data, availableActions);
    if (missing.length) throw new RuleSetError(missing);
    return parsed.data;
  }

  async save(portalId: number, input: unknown, expectedVersion: number, by: string): Promise<VersionedRules> {
    const ruleSet = RuleRepository.validate(input);
    return this.store.withLock(`${keys.rules(portalId)}:lock`, 5000, async () => {
      const current = await this.read(portalId);
      if (current.version !== expectedVersion) throw new RulesVersionConflict(current.version);
      const next = { version: current.version + 1, ruleSet, updatedAt: new Date().toISOString(), updatedBy: by };
      await this.store.set(keys.rules(portalId), JSON.stringify(next));
      return next;
    });
  }

  /**
   * The shipped credentials rule goes on once the portal is ready, if nobody saved rules before
   * (an admin's own choice, active or not, is never overridden). True when this call turned it on.
   */
  async activateShippedRule(portalId: number, by: string): Promise<boolean> {
    const current = await this.read(portalId);
    if (current.version !== 0) return false;
    const ruleSet = { ...defaultRuleSet, rules: defaultRuleSet.rules.map((r) => (r.id === CREDENTIALS_RULE_ID ? { ...r, active: true } : r)) };
    try {
      await this.save(portalId, ruleSet, 0, by);
      return true;
    } catch (err) {
      if (err instanceof RulesVersionConflict) return false; // someone saved meanwhile: theirs stands
      throw err;
    }
  }
}
