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

/** Settings per account with optimistic versioning and a capped "who changed what" history. */
export class SettingsRepository {
  constructor(private readonly store: Store) {}

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
      const change: SettingsChange = { version: next.version, at: next.updatedAt!, by, changed };
      await this.store.pushCapped(keys.settingsHistory(portalId), JSON.stringify(change), caps.settingsHistory);
      return next;
    });
  }

  async history(portalId: number): Promise<SettingsChange[]> {
    return (await this.store.range(keys.settingsHistory(portalId), 0, -1)).map((r) => JSON.parse(r) as SettingsChange);
  }
}
