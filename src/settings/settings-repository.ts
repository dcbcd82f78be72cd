import { caps, keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { defaultSettings, settingsSchema, type Settings } from './settings-schema.js';

export interface VersionedSettings { version: number; settings: Settings; updatedAt: string | null; updatedBy: string | null }
export interface SettingsChange { version: number; at: string; by: string; changed: string[] }

export class VersionConflictError extends Error {
  constructor(readonly current: number) {
    super(`settings are at version ${current}; reload and apply your change again`);
  }
}

/**
 * How long the customer pages may use settings they read (a sign-in reads them on each page): a
 * change saved through this process takes effect at once, one saved through another web process
 * after at most this long (as the OIDC clients' own cache).
 */
const PAGE_CACHE_MS = 2000;

/** Settings per account with optimistic versioning and a capped "who changed what" history. */
export class SettingsRepository {
  private readonly cached = new Map<number, { settings: Promise<Settings>; until: number }>();

  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  /** The settings for a customer page: read at most once per PAGE_CACHE_MS (a failed read is not kept). */
  forPages(portalId: number): Promise<Settings> {
    const hit = this.cached.get(portalId);
    if (hit && hit.until > this.now()) return hit.settings;
    if (this.cached.size > 10_000) this.cached.clear();
    const settings = this.read(portalId).then((v) => v.settings);
    this.cached.set(portalId, { settings, until: this.now() + PAGE_CACHE_MS });
    settings.catch(() => { if (this.cached.get(portalId)?.settings === settings) this.cached.delete(portalId); });
    return settings;
  }

  async read(portalId: number): Promise<VersionedSettings> {
    const raw = await this.store.get(keys.settings(portalId));
    if (!raw) return { version: 0, settings: defaultSettings, updatedAt: null, updatedBy: null };
    const saved = JSON.parse(raw) as VersionedSettings;
    // Settings saved before a section or field existed get its defaults.
    const parsed = settingsSchema.safeParse(saved.settings);
    return { ...saved, settings: parsed.success ? parsed.data : { ...defaultSettings, ...saved.settings } };
  }

  async save(portalId: number, settings: Settings, expectedVersion: number, by: string): Promise<VersionedSettings> {
    return this.store.withLock(`${keys.settings(portalId)}:lock`, 5000, async () => {
      const current = await this.read(portalId);
      if (current.version !== expectedVersion) throw new VersionConflictError(current.version);
      const next: VersionedSettings = { version: current.version + 1, settings, updatedAt: new Date().toISOString(), updatedBy: by };
      const changed = (Object.keys(settings) as (keyof Settings)[])
        .filter((k) => JSON.stringify(settings[k]) !== JSON.stringify(current.settings[k]));
      await this.store.set(keys.settings(portalId), JSON.stringify(next));
      this.cached.delete(portalId);
      const change: SettingsChange = { version: next.version, at: next.updatedAt!, by, changed };
      await this.store.pushCapped(keys.settingsHistory(portalId), JSON.stringify(change), caps.settingsHistory);
      return next;
    });
  }

  async history(portalId: number): Promise<SettingsChange[]> {
    return (await this.store.range(keys.settingsHistory(portalId), 0, -1)).map((r) => JSON.parse(r) as SettingsChange);
  }
}
