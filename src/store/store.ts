/** The one storage port. Redis in production, memory in embedded mode; one contract suite covers both. */
/** One write of `Store.writeMany`: a value (`set`), or an entry at the head of a capped list (`push`). */
export type WriteOp = { set: string; value: string; ttlSeconds?: number } | { push: string; value: string; cap: number; ttlSeconds?: number };

export interface Store {
  get(key: string): Promise<string | null>;
  getMany(keys: string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Atomic "create if absent": true when this call created the key. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  setMany(entries: [string, string][], ttlSeconds: number): Promise<void>;
  /** "Set if absent" for many keys in one round trip: true for each key this call created. */
  claimMany(keys: string[], value: string, ttlSeconds: number): Promise<boolean[]>;
  del(key: string): Promise<void>;
  /** Sets a key's time to live (lists kept for a retention period). */
  expire(key: string, ttlSeconds: number): Promise<void>;
  /** Reads and deletes in one step (single-use values such as OAuth state). */
  take(key: string): Promise<string | null>;
  increment(key: string, ttlSeconds: number): Promise<number>;
  /** Several writes, each as `set` or `pushCapped` does it, in one round trip per slot (one atomic script each). */
  writeMany(ops: WriteOp[]): Promise<void>;
  /** Newest first; the list never holds more than `cap` entries. With `ttlSeconds`, the list expires then (in the same round trip). */
  pushCapped(key: string, value: string, cap: number, ttlSeconds?: number): Promise<void>;
  range(key: string, start: number, stop: number): Promise<string[]>;
  /** Removes one occurrence of `value` from the list; true when it was there. */
  removeFromList(key: string, value: string): Promise<boolean>;
  /** Runs `fn` while holding a lock shared by every process on the same store. */
  withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class LockBusyError extends Error {
  constructor(key: string) {
    super(`lock ${key} is held by another process`);
    this.name = 'LockBusyError';
  }
}
