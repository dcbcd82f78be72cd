import { LockBusyError, type Store, type WriteOp } from './store.js';

interface Entry { value: string; expiresAt: number | null }

/** Embedded-mode store: same semantics as RedisStore, kept in this process. */
export class MemoryStore implements Store {
  private readonly values = new Map<string, Entry>();
  private readonly lists = new Map<string, string[]>();
  private readonly locks = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string): Entry | undefined {
    const entry = this.values.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= this.now()) {
      this.values.delete(key);
      return undefined;
    }
    return entry;
  }

  private expiry(ttlSeconds?: number): number | null {
    return ttlSeconds ? this.now() + ttlSeconds * 1000 : null;
  }

  async get(key: string) { return this.live(key)?.value ?? null; }
  async getMany(keys: string[]) { return keys.map((k) => this.live(k)?.value ?? null); }
  async set(key: string, value: string, ttlSeconds?: number) {
    this.values.set(key, { value, expiresAt: this.expiry(ttlSeconds) });
  }
  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    if (this.live(key)) return false;
    this.values.set(key, { value, expiresAt: this.expiry(ttlSeconds) });
    return true;
  }
  async claimMany(keys: string[], value: string, ttlSeconds: number) {
    const out: boolean[] = [];
    for (const k of keys) out.push(await this.setIfAbsent(k, value, ttlSeconds));
    return out;
  }
  async setMany(entries: [string, string][], ttlSeconds: number) {
    for (const [k, v] of entries) this.values.set(k, { value: v, expiresAt: this.expiry(ttlSeconds) });
  }
  async del(key: string) { this.values.delete(key); this.lists.delete(key); }
  private readonly listExpiry = new Map<string, number>();
  async expire(key: string, ttlSeconds: number) {
    const entry = this.values.get(key);
    if (entry) entry.expiresAt = this.now() + ttlSeconds * 1000;
    if (this.lists.has(key)) this.listExpiry.set(key, this.now() + ttlSeconds * 1000);
  }
  async take(key: string) {
    const value = this.live(key)?.value ?? null;
    this.values.delete(key);
    return value;
  }
  async increment(key: string, ttlSeconds: number) {
    const entry = this.live(key);
    const next = (entry ? Number(entry.value) : 0) + 1;
    this.values.set(key, { value: String(next), expiresAt: entry?.expiresAt ?? this.expiry(ttlSeconds) });
    return next;
  }
  async writeMany(ops: WriteOp[]) {
    for (const op of ops) {
      if ('set' in op) await this.set(op.set, op.value, op.ttlSeconds);
      else await this.pushCapped(op.push, op.value, op.cap, op.ttlSeconds);
    }
  }
  async pushCapped(key: string, value: string, cap: number, ttlSeconds?: number) {
    const list = this.lists.get(key) ?? [];
    list.unshift(value);
    if (list.length > cap) list.length = cap;
    this.lists.set(key, list);
    if (ttlSeconds !== undefined) this.listExpiry.set(key, this.now() + ttlSeconds * 1000);
  }
  async range(key: string, start: number, stop: number) {
    if ((this.listExpiry.get(key) ?? Infinity) <= this.now()) { this.lists.delete(key); this.listExpiry.delete(key); }
    const list = this.lists.get(key) ?? [];
    return list.slice(start, stop < 0 ? list.length + stop + 1 : stop + 1);
  }
  async removeFromList(key: string, value: string) {
    const list = this.lists.get(key) ?? [];
    const at = list.indexOf(value);
    if (at < 0) return false;
    list.splice(at, 1);
    return true;
  }
  async withLock<T>(key: string, _ttlMs: number, fn: () => Promise<T>): Promise<T> {
    if (this.locks.has(key)) throw new LockBusyError(key);
    this.locks.add(key);
    try { return await fn(); } finally { this.locks.delete(key); }
  }
  async ping() {}
  async close() {}
}
